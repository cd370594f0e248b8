/**
 * The page side of the protocol with test/session: a page entry hands its one async function to
 * `expose`; the test waits for it, calls it with JSON input and gets JSON back.
 */
export type PageRun = (input: never) => Promise<unknown>;

declare global {
  var edoraPageRun: PageRun | undefined;
}

export function expose<I, O>(run: (input: I) => Promise<O>): void {
  globalThis.edoraPageRun = run as PageRun;
}

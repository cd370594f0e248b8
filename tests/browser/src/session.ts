import { fileURLToPath } from 'node:url';
import { bundlePages } from './bundle.js';
import { launchChromium, type LaunchedChromium } from './chromium.js';
import { servePages, type PageServer } from './server.js';

/** Where the page entries live (tests/browser/pages/<name>.ts). */
const PAGES_DIR = fileURLToPath(new URL('../pages/', import.meta.url));

export interface WebGpuProbe {
  /** The adapter as the page sees it (vendor, architecture), or null when there is none. */
  adapter: string | null;
  /** Why WebGPU cannot be tested in this browser, or null when an adapter exists. */
  missingReason: string | null;
}

export interface BrowserSession {
  webgpu: WebGpuProbe;
  /** Opens /<page>.html in a fresh tab, calls its exposed function with `input`, returns its result. */
  run<O>(page: string, input?: unknown): Promise<O>;
  close(): Promise<void>;
}

/** Bundles the named pages, serves them and launches headless Chromium. */
export async function openBrowserSession(pages: readonly string[]): Promise<BrowserSession> {
  const files = await bundlePages(pages.map((p) => `${PAGES_DIR}${p}.ts`));
  let server: PageServer | null = null;
  let browser: LaunchedChromium | null = null;
  try {
    server = await servePages(files);
    browser = await launchChromium();
    const { origin } = server;
    const { context } = browser;

    const run = async <O>(page: string, input?: unknown): Promise<O> => {
      const tab = await context.newPage();
      // Uncaught errors in the page (a module that failed to load, a worker that threw) end the
      // wait at once and are reported with the result of evaluate, if any.
      const errors: string[] = [];
      let failed!: (err: Error) => void;
      const pageFailed = new Promise<never>((_, reject) => (failed = reject));
      pageFailed.catch(() => {});
      tab.on('pageerror', (err) => {
        errors.push(err.message);
        failed(new Error(`${page}: uncaught error in the page: ${err.message}`));
      });
      tab.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      try {
        await tab.goto(`${origin}/${page}.html`);
        await Promise.race([tab.waitForFunction(() => typeof globalThis.edoraPageRun === 'function', null, { timeout: 30_000 }), pageFailed]);
        return (await Promise.race([tab.evaluate((arg) => globalThis.edoraPageRun!(arg as never), input), pageFailed])) as O;
      } catch (err) {
        const log = errors.length > 0 ? `\npage errors:\n${errors.join('\n')}` : '';
        throw new Error(`${page}: ${(err as Error).message}${log}`, { cause: err });
      } finally {
        await tab.close();
      }
    };

    const tab = await context.newPage();
    await tab.goto(`${origin}/blank.html`);
    const adapter = await tab.evaluate(async () => {
      if (!('gpu' in navigator)) return { adapter: null, reason: 'navigator.gpu is undefined' };
      const a = await navigator.gpu.requestAdapter();
      if (!a) return { adapter: null, reason: 'navigator.gpu.requestAdapter() returned null' };
      return { adapter: [a.info.vendor, a.info.architecture, a.info.device].filter(Boolean).join(' '), reason: null };
    });
    await tab.close();

    const opened = { server, browser };
    return {
      webgpu: { adapter: adapter.adapter, missingReason: adapter.reason === null ? null : `no WebGPU adapter in Chromium: ${adapter.reason}` },
      run,
      async close() {
        await opened.browser.close();
        await opened.server.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await server?.close();
    throw err;
  }
}

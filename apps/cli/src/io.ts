/** The streams a command writes to (process.stdout/stderr in the CLI; captured in tests). */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

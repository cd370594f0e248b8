#!/usr/bin/env node
/**
 * The \`edora\` executable: fine-tune RoBERTa with EDoRA, DoRA, LoRA or LoRA-XS on GLUE from a
 * terminal. \`edora\` alone runs the embedded demo.
 */
import { disposeBackend, EdoraError, registeredBackends } from '@edora/tensor';
import { main, UsageError, type Io } from './cli.js';

const io: Io = { stdout: process.stdout, stderr: process.stderr };
/**
 * Backends hold threads (wasm workers, Dawn's device thread) that keep a process alive: dispose
 * every one that was created, so the process exits when the command is done.
 */
async function disposeBackends(): Promise<void> {
  for (const b of registeredBackends()) if (b.initialized) await disposeBackend(b.name);
}

main(process.argv.slice(2), io).finally(disposeBackends).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // every package's typed errors (and Node's file errors) carry a string code and a message that says what went wrong
    if (err instanceof EdoraError || (err instanceof Error && typeof (err as unknown as { code?: unknown }).code === 'string')) {
      io.stderr.write(`edora: ${err.message}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    } else {
      io.stderr.write(`edora: unexpected error\n${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

#!/usr/bin/env node
/**
 * The \`edora\` executable: fine-tune RoBERTa with EDoRA, DoRA, LoRA or LoRA-XS on GLUE from a
 * terminal. \`edora\` alone runs the embedded demo.
 */
import { EdoraError } from '@edora/tensor';
import { main, UsageError, type Io } from './cli.js';

const io: Io = { stdout: process.stdout, stderr: process.stderr };
main(process.argv.slice(2), io).then(
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

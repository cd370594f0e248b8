/**
 * The \`edora\` command as a function (argv, streams → exit code), so tests and other tools can run
 * it in-process; \`main.ts\` is the executable that calls it with the process's streams.
 */
import { COMMANDS, commandList } from './commands/index.js';
import { helpText, parseArgs, UsageError } from './args.js';
import type { Io } from './io.js';

export type { Io } from './io.js';
export { UsageError } from './args.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`edora — fine-tune RoBERTa with EDoRA, DoRA, LoRA and LoRA-XS on GLUE\n\nUsage: edora <command> [options]   (edora alone runs the demo)\n\nCommands:\n${commandList()}\nRun edora <command> --help for a command's options.\n`);
    return 0;
  }
  // a two-word command (`sweep status`, `sweep report`) when the second word names one
  const sub = first !== undefined && rest[0] !== undefined && COMMANDS[`${first} ${rest[0]}`] ? `${first} ${rest[0]}` : undefined;
  const name = sub ?? (first === undefined || first.startsWith('-') ? 'demo' : first);
  const args = sub ? rest.slice(1) : first === undefined || first.startsWith('-') ? argv : rest;
  // `edora train` with neither data nor a task is the embedded demo, with the demo's options and defaults
  const demoInstead = name === 'train' && !args.some((a) => /^(--(task|data-dir|train-file|validation-file|help)(=|$)|-h$)/.test(a));
  const command = COMMANDS[demoInstead ? 'demo' : name];
  if (!command) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}; valid commands: ${Object.keys(COMMANDS).join(', ')}`);
  }
  const parsed = parseArgs(args, command.spec);
  if (parsed.help) {
    io.stdout.write(helpText(command.spec));
    return 0;
  }
  return command.run(parsed, io);
}


import type { CommandSpec, Parsed } from '../args.js';
import type { Io } from '../io.js';
import { DEMO, runDemo } from './demo.js';
import { TRAIN, trainCommand } from './train.js';

export interface Command {
  spec: CommandSpec;
  run(parsed: Parsed, io: Io, argv: readonly string[]): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  demo: { spec: DEMO, run: (p, io) => runDemo(p, io) },
  train: { spec: TRAIN, run: trainCommand },
};

export function commandList(): string {
  return Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}${c.spec.summary.split('. ')[0]}`).join('\n') + '\n';
}

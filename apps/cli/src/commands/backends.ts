import type { CommandSpec, Parsed } from '../args.js';
import { probeBackends } from '../backends.js';
import type { Io } from '../io.js';
import { table } from '../progress.js';

export const BACKENDS: CommandSpec = {
  name: 'backends',
  summary: 'List the compute backends EDoRA.ts knows, whether each is installed and usable here, and its device.',
  options: {},
};

export async function backendsCommand(p: Parsed, io: Io): Promise<number> {
  const all = await probeBackends();
  if (p.values.json) {
    io.stdout.write(JSON.stringify(all) + '\n');
    return 0;
  }
  io.stdout.write(table(['backend', 'usable', 'device or reason'], all.map((b) => [b.name, b.usable ? 'yes' : 'no', b.device ?? (b.detail ?? '').slice(0, 100)])));
  return 0;
}

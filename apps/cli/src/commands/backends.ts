import type { CommandSpec, Parsed } from '../args.js';
import { AUTO_BACKEND, probeBackends, selectBackend } from '../backends.js';
import { getBackend, setBackend } from '@edora/tensor';
import type { Io } from '../io.js';
import { table } from '../progress.js';

export const BACKENDS: CommandSpec = {
  name: 'backends',
  summary: 'List the compute backends EDoRA.ts knows, whether each is installed and usable here, its device, and what --backend auto selects.',
  options: {},
};

export async function backendsCommand(p: Parsed, io: Io): Promise<number> {
  const all = await probeBackends();
  const current = getBackend().name;
  const auto = (await selectBackend(AUTO_BACKEND)).name;
  await setBackend(current);
  if (p.values.json) {
    io.stdout.write(JSON.stringify({ backends: all, auto }) + '\n');
    return 0;
  }
  io.stdout.write(table(['backend', 'usable', 'device or reason'], all.map((b) => [b.name, b.usable ? 'yes' : 'no', b.device ?? (b.detail ?? '').slice(0, 100)])));
  io.stdout.write(`\n--backend ${AUTO_BACKEND} (the default) selects ${auto} here.\n`);
  return 0;
}

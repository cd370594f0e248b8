import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRobertaConfig, robertaPreset, ROBERTA_PRESETS, type RobertaConfig } from '@edora/models';
import type { CommandSpec, Parsed } from '../args.js';
import { adapterParameters, encoderParameters, headParameters } from '../count.js';
import type { Io } from '../io.js';
import { table } from '../progress.js';
import { METHODS, type Method } from '../setup.js';

export const PARAMS: CommandSpec = {
  name: 'params',
  summary: 'Print the trainable parameters of each method and rank for a model config (adapters on query, value, attention.output.dense, output.dense; the head apart).',
  options: {
    model: { type: 'string', default: 'roberta-base', placeholder: `folder|${ROBERTA_PRESETS.join('|')}`, help: 'a preset or a model folder (only its config.json is read)' },
    methods: { type: 'list', choices: METHODS, default: ['edora', 'dora', 'lora', 'lora-xs'], help: 'methods' },
    ranks: { type: 'list', numeric: true, integer: true, min: 1, default: [4, 8, 12, 16, 20, 25, 32], help: 'ranks' },
    'num-labels': { type: 'int', default: 2, min: 1, help: 'labels of the classification head' },
  },
};

async function configOf(model: string): Promise<RobertaConfig> {
  try {
    if ((await stat(model)).isDirectory()) {
      const path = join(model, 'config.json');
      return parseRobertaConfig(await readFile(path, 'utf8'), { source: path });
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return robertaPreset(model);
}

export async function paramsCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  const config = await configOf(v.model as string);
  const methods = v.methods as Method[];
  const ranks = v.ranks as number[];
  const head = headParameters(config, v.numLabels as number);
  const base = encoderParameters(config);
  const rows = methods.flatMap((method) => (method === 'full' ? [1] : ranks).map((r) => {
    const adapters = adapterParameters(config, method, r);
    return { method, rank: method === 'full' ? null : r, adapters, withHead: adapters + head, percentOfBase: (100 * adapters) / base };
  }));
  if (v.json) {
    io.stdout.write(JSON.stringify({ model: v.model, encoderParameters: base, headParameters: head, rows }) + '\n');
    return 0;
  }
  io.stdout.write(`${v.model as string}: encoder ${base.toLocaleString('en-US')} parameters; classification head (${v.numLabels as number} labels) ${head.toLocaleString('en-US')}\n\n`);
  io.stdout.write(table(['method', 'rank', 'trainable (adapters)', '+ head', '% of encoder'],
    rows.map((r) => [r.method, r.rank ?? '-', r.adapters.toLocaleString('en-US'), r.withHead.toLocaleString('en-US'), r.percentOfBase.toFixed(4)])));
  return 0;
}

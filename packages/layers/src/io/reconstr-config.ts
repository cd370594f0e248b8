import { AdapterFileError } from '../errors.js';
import type { AdapterConfig } from '../adapters/apply.js';
import type { AdapterInit } from '../adapters/methods.js';

/**
 * `reconstr_config.json`, the EDoRA authors' side file (github.com/Hamid-Nasiri/EDoRA, the same
 * layout as LoRA-XS's): their `config/reconstruct_config.yaml` with the rank added, dumped by
 * main_glue.py into the run folder. Their loader (`utils/merge_adapter_to_base_model.py`) reads it
 * from the adapter folder's parent and runs `find_and_initialize` with it, which puts the r×r
 * matrix between A and B; PEFT's LoraConfig alone cannot say that. It holds only the init:
 * `replacement_module_random_init` true is the random A, B of their released GLUE script, false
 * the SVD; R's σ is their `--init_sigma` argument, which we add as `init_sigma` (their code reads
 * keys by name and ignores it).
 */
export const RECONSTR_CONFIG_FILE = 'reconstr_config.json';

/** The randomized-SVD settings of the authors' config (ours mirror them: EDORA_SVD_DEFAULTS in adapters/init-factors.ts). */
const SVD = { n_iter: 10, random_state: 42 } as const;

export function reconstrConfigJson(config: AdapterConfig): Record<string, unknown> {
  return {
    reconstruction_type: 'svd',
    reconstr_mode: 'separated',
    half_init_dec: false,
    replacement_module_random_init: config.init === 'random',
    r_squared: true,
    svd: { ...SVD, rank: config.r },
    init_sigma: config.sigma,
  };
}

export interface ReconstrSettings {
  /** false: the file describes LoRA-XS's variant without the r×r matrix (A random, B from the SVD). */
  rSquared: boolean;
  init: AdapterInit;
  sigma?: number;
}

/** Reads the side file; its rank must be the adapter's r (the authors' loader runs the SVD at that rank). */
export function parseReconstrConfig(text: string, source: string, r: number): ReconstrSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AdapterFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdapterFileError(`${source}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (c.reconstruction_type !== 'svd') problems.push(`reconstruction_type must be "svd", got ${JSON.stringify(c.reconstruction_type)}`);
  if (c.reconstr_mode !== undefined && c.reconstr_mode !== 'separated') problems.push(`reconstr_mode must be "separated", got ${JSON.stringify(c.reconstr_mode)}`);
  const svd = c.svd as Record<string, unknown> | undefined;
  const rank = svd && typeof svd === 'object' ? svd.rank : undefined;
  if (rank !== undefined && rank !== r) problems.push(`svd.rank is ${JSON.stringify(rank)}, but adapter_config.json has r = ${r}`);
  const sigma = c.init_sigma;
  if (sigma !== undefined && !(typeof sigma === 'number' && Number.isFinite(sigma) && sigma >= 0)) problems.push(`init_sigma must be a non-negative number, got ${JSON.stringify(sigma)}`);
  if (problems.length) throw new AdapterFileError(`${source}: ${problems.join('; ')}`, problems);
  return {
    rSquared: c.r_squared !== false,
    init: c.replacement_module_random_init === true ? 'random' : 'svd',
    ...(typeof sigma === 'number' ? { sigma } : {}),
  };
}

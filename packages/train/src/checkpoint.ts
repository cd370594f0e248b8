import {
  assign, noGrad, parseSafetensorsHeader, readSafetensors, shapeStr, tensor, writeSafetensors,
  type RngState, type SafetensorsWriteEntry, type Tensor,
} from '@edora/tensor';
import type { AdamWStateMeta } from './adamw.js';
import { CheckpointError } from './errors.js';
import type { EpochResult } from './results.js';

/** The metadata key our checkpoints carry in the safetensors `__metadata__`. */
const META_KEY = 'edora_checkpoint';
const FORMAT = 1;

/**
 * Everything besides tensor values that a resumed run needs to continue as if never stopped:
 * where it is in the data (epoch and the next batch of that epoch's fixed order), the optimizer
 * and schedule position, the random stream (dropout), and the evaluations already made.
 */
export interface CheckpointMeta {
  format: number;
  /** Identifies the run's configuration; a resume with a different one is refused. */
  runKey: string;
  /** 0-based epoch the run is in. */
  epoch: number;
  /** Next batch of that epoch to train on (0 at an epoch boundary). */
  nextBatch: number;
  /** Optimizer steps done; the schedule's position. */
  step: number;
  totalSteps: number;
  warmupSteps: number;
  rng: RngState;
  optimizer: AdamWStateMeta;
  /** The optimizer steps since the last evaluation, which the next one reports on (its mean train loss, tokens/s). */
  sinceEval: SinceEvaluation;
  /** The evaluations so far. */
  history: EpochResult[];
  /** Rows per forward/backward pass chosen after an out-of-memory (fit's microBatchSize 'auto'); absent: whole batches. */
  microBatchSize?: number;
}

/**
 * What the steps since the last evaluation add up to. The loss is kept as a running sum in step
 * order, which gives the mean bit for bit as summing the list would, without storing a list that
 * grows with the steps between evaluations (all of them, with no evaluation during training).
 */
export interface SinceEvaluation {
  steps: number;
  lossSum: number;
  tokens: number;
  seconds: number;
}

/** Tensor names in the file: trainable values under `param.`, AdamW moments under `optim.`. */
export const PARAM_PREFIX = 'param.';
export const OPTIM_PREFIX = 'optim.';

async function entryOf(t: Tensor): Promise<SafetensorsWriteEntry> {
  const data = await t.data();
  const dtype = t.dtype === 'float64' ? 'F64' : t.dtype === 'int32' ? 'I32' : 'F32';
  return { dtype, shape: t.shape, data: data as ArrayLike<number> };
}

/** Serializes a checkpoint into safetensors bytes (browser-safe; the Node entry writes them atomically). */
export async function encodeCheckpoint(meta: CheckpointMeta, params: Map<string, Tensor>, moments: Map<string, Tensor>): Promise<Uint8Array> {
  const entries: Record<string, SafetensorsWriteEntry> = {};
  for (const [name, t] of params) entries[PARAM_PREFIX + name] = await entryOf(t);
  for (const [name, t] of moments) entries[OPTIM_PREFIX + name] = await entryOf(t);
  return writeSafetensors(entries, { [META_KEY]: JSON.stringify(meta) });
}

/** How checkpoints written before `sinceEval` kept it: the current epoch's step losses, tokens and seconds. */
interface LegacyEpochWindow {
  epochLosses?: number[];
  epochTokens?: number;
  epochSeconds?: number;
}

export interface DecodedCheckpoint {
  meta: CheckpointMeta;
  tensors: Map<string, { shape: number[]; data: ArrayLike<number> }>;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): DecodedCheckpoint {
  let tensors;
  try {
    tensors = readSafetensors(bytes, { source });
  } catch (cause) {
    throw new CheckpointError(`${source}: not a readable safetensors checkpoint (${(cause as Error).message})`, { cause });
  }
  const raw = parseSafetensorsHeader(bytes, { source }).metadata[META_KEY];
  if (raw === undefined) throw new CheckpointError(`${source}: expected metadata "${META_KEY}" (an EDoRA.ts training checkpoint); found none`);
  const meta = JSON.parse(raw) as CheckpointMeta & LegacyEpochWindow;
  if (meta.format !== FORMAT) throw new CheckpointError(`${source}: checkpoint format ${meta.format}; this version reads format ${FORMAT}`);
  // written while evaluations were only at epoch ends: the steps since the last one were the epoch's
  if (meta.sinceEval === undefined && meta.epochLosses !== undefined) {
    meta.sinceEval = { steps: meta.epochLosses.length, lossSum: meta.epochLosses.reduce((s, x) => s + x, 0), tokens: meta.epochTokens ?? 0, seconds: meta.epochSeconds ?? 0 };
    delete meta.epochLosses;
    delete meta.epochTokens;
    delete meta.epochSeconds;
  }
  return { meta, tensors: new Map([...tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data as ArrayLike<number> }])) };
}

/** Writes stored values into live tensors in place, after checking that names and shapes match exactly. */
export function restoreTensors(decoded: DecodedCheckpoint, prefix: string, targets: Map<string, Tensor>, source = 'checkpoint'): void {
  const stored = [...decoded.tensors.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  const missing = [...targets.keys()].filter((k) => !decoded.tensors.has(prefix + k));
  const unexpected = stored.filter((k) => !targets.has(k));
  const mismatched = [...targets].filter(([k, t]) => {
    const s = decoded.tensors.get(prefix + k);
    return s && shapeStr(s.shape) !== shapeStr(t.shape);
  }).map(([k, t]) => `${k}: run ${shapeStr(t.shape)}, checkpoint ${shapeStr(decoded.tensors.get(prefix + k)!.shape)}`);
  if (missing.length || unexpected.length || mismatched.length) {
    throw new CheckpointError(
      `${source}: ${prefix}* tensors do not fit this run; missing: ${missing.join(', ') || '(none)'}; unexpected: ${unexpected.join(', ') || '(none)'}; shape mismatches: ${mismatched.join('; ') || '(none)'}`,
    );
  }
  noGrad(() => {
    for (const [k, t] of targets) {
      const s = decoded.tensors.get(prefix + k)!;
      const value = tensor(s.data as Float32Array, s.shape, { backend: t.backend, dtype: t.dtype });
      assign(t, value);
      value.dispose();
    }
  });
}

function parseKey(key: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(key);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * What differs between a checkpoint's run key and this run's, one `key: a in the checkpoint, b now`
 * per setting, for keys that are JSON objects (as the CLI's are); other keys are compared whole.
 * Empty when they are equal.
 */
export function runKeyDifferences(checkpointKey: string, runKey: string): string[] {
  if (checkpointKey === runKey) return [];
  const [a, b] = [parseKey(checkpointKey), parseKey(runKey)];
  const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));
  if (!a || !b) return [`run key: ${show(checkpointKey)} in the checkpoint, ${show(runKey)} now`];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: ${show(a[k])} in the checkpoint, ${show(b[k])} now`);
}

export { META_KEY as CHECKPOINT_METADATA_KEY, FORMAT as CHECKPOINT_FORMAT };

/**
 * Matching a model's parameter names to a RoBERTa checkpoint's tensor names, HF-style.
 *
 * HF checkpoints name the encoder `roberta.embeddings...` when saved from a task model and
 * `embeddings...` when saved from a bare RobertaModel; either loads into either. Tensors of other
 * heads (`lm_head.*` in a classification load, `classifier.*` in an MLM load), the pooler and the
 * `position_ids` buffer are ignored and reported. Anything else left over means the checkpoint
 * describes a different model than the config (e.g. more layers) and is an error by default.
 */

const ENCODER_PREFIX = 'roberta.';

/** Model parameters that a pretrained encoder checkpoint is not expected to carry. */
export const HEAD_PREFIXES: readonly string[] = ['classifier.', 'lm_head.'];

/** Checkpoint tensors that no model here consumes, safe to skip. */
const IGNORABLE = [/^(roberta\.)?pooler\./, /^(roberta\.)?embeddings\.position_ids$/, /^lm_head\./, /^classifier\./];

export interface KeyMatch {
  /** [model parameter name, checkpoint tensor name] */
  pairs: [string, string][];
  /** Model parameters the checkpoint lacks that are not head parameters. */
  missing: string[];
  /** Head parameters the checkpoint lacks: they keep their fresh initialization. */
  newlyInitialized: string[];
  /** Checkpoint tensors nothing consumed that are expected to be skipped (other heads, pooler). */
  ignored: string[];
  /** Checkpoint tensors nothing consumed that a RoBERTa of this config should have used. */
  unexpected: string[];
}

/** Checkpoint names that can hold the model parameter `name`, best first. */
function candidates(name: string): string[] {
  const out = [name];
  if (name.startsWith(ENCODER_PREFIX)) out.push(name.slice(ENCODER_PREFIX.length));
  else if (!HEAD_PREFIXES.some((p) => name.startsWith(p))) out.push(ENCODER_PREFIX + name);
  // HF ties lm_head.decoder.bias to lm_head.bias; older checkpoints store only the former.
  if (name === 'lm_head.bias') out.push('lm_head.decoder.bias');
  return out;
}

export function matchCheckpointKeys(modelKeys: Iterable<string>, checkpointKeys: Iterable<string>): KeyMatch {
  const available = new Set(checkpointKeys);
  const used = new Set<string>();
  const result: KeyMatch = { pairs: [], missing: [], newlyInitialized: [], ignored: [], unexpected: [] };
  for (const key of modelKeys) {
    const found = candidates(key).find((c) => available.has(c) && !used.has(c));
    if (found !== undefined) {
      used.add(found);
      result.pairs.push([key, found]);
    } else if (HEAD_PREFIXES.some((p) => key.startsWith(p))) {
      result.newlyInitialized.push(key);
    } else {
      result.missing.push(key);
    }
  }
  for (const name of available) {
    if (used.has(name)) continue;
    if (IGNORABLE.some((re) => re.test(name))) result.ignored.push(name);
    else result.unexpected.push(name);
  }
  return result;
}

/**
 * The config.json fields a RoBERTa tensor's shape comes from, for shape-mismatch messages (a
 * mismatch almost always means the config and the weights describe different models).
 */
export function shapeFieldsOf(name: string): string {
  if (/word_embeddings\.weight$/.test(name)) return 'vocab_size × hidden_size';
  if (/position_embeddings\.weight$/.test(name)) return 'max_position_embeddings × hidden_size';
  if (/token_type_embeddings\.weight$/.test(name)) return 'type_vocab_size × hidden_size';
  if (/intermediate\.dense\.weight$/.test(name)) return 'intermediate_size × hidden_size';
  if (/intermediate\.dense\.bias$/.test(name)) return 'intermediate_size';
  if (/layer\.\d+\.output\.dense\.weight$/.test(name)) return 'hidden_size × intermediate_size';
  if (/classifier\.out_proj\.weight$/.test(name)) return 'num_labels × hidden_size';
  if (/classifier\.out_proj\.bias$/.test(name)) return 'num_labels';
  if (/^lm_head\.(decoder\.)?bias$/.test(name)) return 'vocab_size';
  return /weight$/.test(name) && /dense|query|key|value/.test(name) ? 'hidden_size × hidden_size' : 'hidden_size';
}

/** A hint for unexpected tensors: layers beyond num_hidden_layers are the usual cause. */
export function unexpectedHint(unexpected: readonly string[], numHiddenLayers: number): string {
  const layers = new Set<number>();
  for (const name of unexpected) {
    const m = /encoder\.layer\.(\d+)\./.exec(name);
    if (m) layers.add(Number(m[1]));
  }
  if (layers.size === 0) return '';
  const top = Math.max(...layers);
  return ` The checkpoint has encoder layer ${top}, but the config's num_hidden_layers is ${numHiddenLayers}: config and weights disagree.`;
}

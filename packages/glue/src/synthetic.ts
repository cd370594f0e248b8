import { GlueArgumentError, UnknownTaskError } from './errors.js';
import { SeededRandom, mixSeed } from './rng.js';
import { checkSplit, getTask, type GlueExample } from './tasks.js';

/**
 * The embedded synthetic tasks, our own: GLUE-shaped examples from a seed, so a default run needs
 * no download. Both are built so that a bag of words is at chance by construction — every word
 * multiset occurs with both labels equally often — and only word order decides the label:
 *
 * - `synthetic` (single sentence): "the [adj] A <verb> the [adj] B [place]" is `plausible` (1) when
 *   animal A is larger than B under a fixed hidden ranking, `implausible` (0) otherwise. Swapping A
 *   and B keeps the words and flips the label. A model must learn each animal's rank and which one
 *   comes first.
 * - `synthetic-pair`: sentence1 as above; sentence2 restates it as "the A <verb> the B" or "the B was
 *   <verb> by the A" (`entailment`, 1), or with the roles swapped (`not_entailment`, 0). Both
 *   variants use the same words, so only syntax (who is first, active or passive) decides.
 *
 * Every split is labelled (the test split too, unlike GLUE's), and depends only on (seed, task, split).
 */
export const SYNTHETIC_ANIMALS = ['ant', 'bee', 'frog', 'mouse', 'rabbit', 'cat', 'fox', 'dog', 'wolf', 'horse'] as const;
const ADJECTIVES = ['small', 'old', 'quick', 'brown', 'quiet', 'hungry'];
const VERBS = ['chased', 'followed', 'watched', 'pushed', 'carried'];
const PLACES = ['', 'near the river', 'at dawn', 'in the old barn', 'across the field'];

export interface SyntheticOptions {
  seed?: number;
  /** Number of examples; default the task's registered size for the split. */
  size?: number;
}

/** Generates one split of `synthetic` or `synthetic-pair`; idx is the position. */
export function syntheticExamples(task: string, split: string, options: SyntheticOptions = {}): GlueExample[] {
  const spec = getTask(task);
  if (spec.glueDir !== null) throw new UnknownTaskError(`task ${spec.name} is not synthetic; expected synthetic or synthetic-pair`);
  checkSplit(spec, split);
  const size = options.size ?? spec.sizes[split]!;
  if (!Number.isInteger(size) || size < 0) throw new GlueArgumentError(`syntheticExamples: expected size to be an integer ≥ 0; found ${size}`);
  const rng = new SeededRandom(mixSeed(options.seed ?? 0, spec.name === 'synthetic' ? 1 : 2, spec.splits.indexOf(split)));
  const out: GlueExample[] = [];
  for (let idx = 0; idx < size; idx++) {
    const a = rng.int(SYNTHETIC_ANIMALS.length);
    let b = rng.int(SYNTHETIC_ANIMALS.length - 1);
    if (b >= a) b++; // distinct animals, every ordered pair equally likely
    const verb = rng.pick(VERBS);
    const sentence = [
      'the', ...maybeAdjective(rng), SYNTHETIC_ANIMALS[a]!, verb,
      'the', ...maybeAdjective(rng), SYNTHETIC_ANIMALS[b]!, rng.pick(PLACES),
    ].filter((w) => w !== '').join(' ');
    if (spec.name === 'synthetic') {
      out.push({ idx, textA: sentence, label: a > b ? 1 : 0 });
      continue;
    }
    const entailed = rng.int(2) === 1;
    const passive = rng.int(2) === 1;
    // the agent of sentence2 is A when entailed, B otherwise
    const [agent, patient] = entailed ? [a, b] : [b, a];
    const restated = passive
      ? `the ${SYNTHETIC_ANIMALS[patient]} was ${verb} by the ${SYNTHETIC_ANIMALS[agent]}`
      : `the ${SYNTHETIC_ANIMALS[agent]} ${verb} the ${SYNTHETIC_ANIMALS[patient]}`;
    out.push({ idx, textA: sentence, textB: restated, label: entailed ? 1 : 0 });
  }
  return out;
}

function maybeAdjective(rng: SeededRandom): string[] {
  return rng.int(2) === 1 ? [rng.pick(ADJECTIVES)] : [];
}

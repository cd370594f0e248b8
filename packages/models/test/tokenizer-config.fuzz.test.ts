import { describe, expect, it } from 'vitest';
import { fuzz, lieInJson, mutateText } from '@edora/fuzz-kit';
import { BYTE_TO_CHAR, parseMergesTxt, parseRobertaConfig, parseVocabJson, tokenizerFromJson, tokenizerFromVocabMerges } from '../src/index.js';

// Seeded fuzzing of the model-folder text files (issue 21) on @edora/fuzz-kit: config.json,
// vocab.json, merges.txt and tokenizer.json, mutated blindly and with one hostile value each.
// Every case must parse (and a tokenizer must then encode and decode) or throw an EdoraError,
// within the kit's time and memory bounds. CI counts below; `pnpm fuzz` runs 50×.

const CONFIG = {
  model_type: 'roberta', vocab_size: 300, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16,
  max_position_embeddings: 20, type_vocab_size: 1, hidden_act: 'gelu', layer_norm_eps: 1e-5, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2,
  id2label: { 0: 'a', 1: 'b' },
};

function vocab(): Record<string, number> {
  const v: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  BYTE_TO_CHAR.forEach((ch, b) => (v[ch] = 4 + b));
  Object.assign(v, { '<mask>': 260, he: 261, ll: 262, hell: 263, 'Ġw': 264 });
  return v;
}
const MERGES = '#version: 0.2\nh e\nl l\nhe ll\nĠ w\n';
const PIECES = ['{', '}', '[', ']', ':', ',', '"', '\\', '\n', '\r\n', ' ', 'Ġ', '-1', '1e9', 'null', '\u0000'];

function useTokenizer(t: ReturnType<typeof tokenizerFromVocabMerges>): void {
  const { inputIds } = t.encode('hello world <mask>', 'x', 16);
  for (const id of inputIds) expect(Number.isInteger(id) && id >= 0 && id < t.vocabSize).toBe(true);
  t.decode(inputIds);
}

describe('model-folder text files under seeded fuzzing', () => {
  it('config.json', { timeout: 600_000 }, async () => {
    const text = JSON.stringify(CONFIG);
    const summary = await fuzz({
      name: 'config.json',
      seed: 3100,
      cases: 600,
      generate: (r) => (r.chance(0.5) ? lieInJson(CONFIG, r, Object.keys(CONFIG)) : mutateText(text, r, PIECES)),
      run: (t) => parseRobertaConfig(t),
    });
    expect(summary.rejected.E_CONFIG).toBeGreaterThan(100);
  });

  it('vocab.json + merges.txt', { timeout: 600_000 }, async () => {
    const text = JSON.stringify(vocab());
    const summary = await fuzz({
      name: 'vocab.json+merges.txt',
      seed: 3200,
      cases: 300,
      generate: (r) => {
        const which = r.int(3);
        const v = which === 0 ? lieInJson(vocab(), r, ['he', 'll', 'hell', '<s>', 'Ġw']) : which === 1 ? mutateText(text, r, PIECES) : text;
        return { 'vocab.json': v, 'merges.txt': which === 2 ? mutateText(MERGES, r, PIECES) : MERGES };
      },
      run: (f) => {
        parseMergesTxt(f['merges.txt']);
        parseVocabJson(f['vocab.json']);
        useTokenizer(tokenizerFromVocabMerges(f['vocab.json'], f['merges.txt']));
      },
    });
    expect(summary.accepted).toBeGreaterThan(10);
    expect(summary.rejected.E_TOKENIZER_FILE).toBeGreaterThan(50);
  });

  it('tokenizer.json', { timeout: 600_000 }, async () => {
    const special = (content: string, id: number) => ({ id, content, special: true, lstrip: content === '<mask>', rstrip: false, single_word: false });
    const doc = {
      added_tokens: [special('<s>', 0), special('<pad>', 1), special('</s>', 2), special('<unk>', 3), special('<mask>', 260)],
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] },
      model: { type: 'BPE', dropout: null, vocab: vocab(), merges: ['h e', 'l l', 'he ll', 'Ġ w'] },
    };
    const text = JSON.stringify(doc);
    const summary = await fuzz({
      name: 'tokenizer.json',
      seed: 3300,
      cases: 300,
      generate: (r) => (r.chance(0.5) ? lieInJson(doc, r, Object.keys(doc)) : mutateText(text, r, PIECES)),
      run: (t) => useTokenizer(tokenizerFromJson(t)),
    });
    expect(summary.rejected.E_TOKENIZER_FILE).toBeGreaterThan(50);
  });
});

import { describe, expect, it } from 'vitest';
import { AdapterConfigError, AdapterFileError, adapterToFiles, applyAdapters, loadAdapterFiles, matchesTarget } from '../src/index.js';
import { compileTargetPattern } from '../src/adapters/target-pattern.js';
import { TinyEncoder } from './tiny-encoder.js';

// Hostile adapter configs (issue 21): target_modules as a regular expression is checked and
// matched in linear time (PEFT's re.fullmatch semantics); wrong-typed fields say what was expected.

const PATH = `roberta.encoder.layer.11.attention.self.${'query'.repeat(8)}`;

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('target_modules as a regular expression', () => {
  it('invalid patterns are an AdapterConfigError naming the pattern and the offset, not a SyntaxError', async () => {
    for (const [pattern, why] of [
      ['(?<', /unsupported group|lookbehind/],
      ['[', /unterminated character class/],
      ['*', /nothing to repeat/],
      ['a**', /multiple repeat/],
      ['(a', /missing \)/],
      ['a)', /unbalanced \)/],
      ['(a)\\1', /backreference/],
      ['(?=a)', /lookahead/],
      ['[z-a]', /bad character range/],
      ['\\q', /bad escape/],
    ] as const) {
      const err = errorOf(() => compileTargetPattern(pattern));
      expect(err, pattern).toBeInstanceOf(AdapterConfigError);
      expect((err as Error).message, pattern).toMatch(why);
      expect((err as Error).message, pattern).toContain(JSON.stringify(pattern));
      await expect(applyAdapters(new TinyEncoder(), { method: 'lora', r: 1, targetModules: pattern })).rejects.toBeInstanceOf(AdapterConfigError);
    }
  });

  it('catastrophic-backtracking patterns match in linear time (the NFA never backtracks)', () => {
    // With JavaScript's RegExp these take exponential time on a 60-character path; here each is
    // a walk over the path with a set of NFA states.
    const evil = ['(.*)*x$', '([a-z0-9.]+)+!', '(a|a)*b', '(a*)*b', '((a+)+)+c', `${'(.*)'.repeat(30)}z`];
    for (const p of evil) {
      const match = compileTargetPattern(p);
      expect(match(PATH), p).toBe(false);
      expect(match('a'.repeat(5000)), p).toBe(false);
    }
    expect(compileTargetPattern('(.*)*y$')(`${PATH}y`)).toBe(true);
  });

  it('PEFT semantics: re.fullmatch on the dotted path', () => {
    const cases: [string, string, boolean][] = [
      ['.*\\.(query|value)', 'layer.1.self.query', true],
      ['.*\\.(query|value)', 'layer.1.self.query_x', false],
      ['query', 'layer.1.self.query', false], // fullmatch, not a suffix
      ['.*encoder.*(query|key)$', 'roberta.encoder.layer.0.attention.self.key', true],
      ['^roberta\\.encoder\\.layer\\.[0-9]+\\.attention\\.self\\.(?:query|value)$', 'roberta.encoder.layer.10.attention.self.value', true],
      ['.*layer\\.\\d{1,2}\\.(?P<m>attention)\\.self\\.query', 'roberta.encoder.layer.10.attention.self.query', true],
      ['.*layer\\.\\d{3}\\..*', 'roberta.encoder.layer.10.attention.self.query', false],
      ['[^.]+', 'classifier', true],
      ['[^.]+', 'classifier.dense', false],
      ['a{2,3}', 'aaaa', false],
      ['a{2,}', 'aaaa', true],
      ['a{,2}', 'aa', true],
      ['a{}', 'a{}', true], // not a quantifier: literal, as Python
      ['\\w+\\.\\W\\s?', 'ab.-', true],
      ['x|', '', true],
      ['(?:)', '', true],
    ];
    for (const [pattern, path, expected] of cases) {
      expect(compileTargetPattern(pattern)(path), `${pattern} on ${path}`).toBe(expected);
      expect(matchesTarget(path, pattern), `${pattern} on ${path}`).toBe(expected);
    }
  });

  it('bounded size: a pattern that would compile to too many states is rejected', () => {
    expect(() => compileTargetPattern('(a{1000}){1000}')).toThrow(AdapterConfigError);
    expect(() => compileTargetPattern('x'.repeat(10_001))).toThrow(/at most 10000 characters/);
    expect(() => compileTargetPattern(`${'('.repeat(1000)}${')'.repeat(1000)}`)).toThrow(/nested/);
  });
});

describe('adapter_config.json fields of the wrong type', () => {
  async function files(edit: (json: Record<string, unknown>) => void) {
    const model = new TinyEncoder();
    await applyAdapters(model, { method: 'lora', r: 2, targetModules: ['query', 'value'], seed: 1 });
    const out = await adapterToFiles(model);
    const json = JSON.parse(out['adapter_config.json']) as Record<string, unknown>;
    edit(json);
    // JSON.stringify itself overflows on deep values: they are spliced in as text
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    return { ...out, 'adapter_config.json': JSON.stringify(json).replace('"__DEEP__"', deep) };
  }
  const cases: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ['modules_to_save: 5', (j) => (j.modules_to_save = 5), /modules_to_save: expected null or a list of module names; found 5/],
    ['modules_to_save: ["a", 3]', (j) => (j.modules_to_save = ['a', 3]), /modules_to_save: expected null or a list of module names; found \["a", 3\]/],
    ['target_modules: 7', (j) => (j.target_modules = 7), /target_modules: expected a list of module names or a regular expression; found 7/],
    ['target_modules: {"toString": 1}', (j) => (j.target_modules = { toString: 1 }), /target_modules: expected .*; found \{"toString": 1\}/],
    ['target_modules: "(.*)*x$" (a pattern no module matches)', (j) => (j.target_modules = '(.*)*x$'), /does not fit the model/],
    ['r: "2"', (j) => (j.r = '2'), /r: expected a positive integer; found "2"/],
    ['lora_alpha: null', (j) => (j.lora_alpha = null), /lora_alpha: expected a positive number; found null/],
    ['lora_dropout: []', (j) => (j.lora_dropout = []), /lora_dropout: expected a number in \[0, 1\); found \[\]/],
    ['peft_type nested deep', (j) => (j.peft_type = '__DEEP__'), /peft_type must be "LORA", got \[\[\[\[…\]\]\]\]/],
  ];
  for (const [what, edit, message] of cases) {
    it(`${what}: an AdapterFileError saying what was expected and found`, async () => {
      const err = await loadAdapterFiles(new TinyEncoder(), await files(edit)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AdapterFileError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message.length).toBeLessThan(2000);
    });
  }
});

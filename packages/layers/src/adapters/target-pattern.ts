import { AdapterConfigError } from '../errors.js';

/**
 * `target_modules` given as one string: PEFT matches it with Python's `re.fullmatch(pattern, path)`.
 * Handing the string to JavaScript's RegExp would accept syntax Python rejects (and the reverse),
 * throw a raw SyntaxError on `"["`, and hang on `"(.*)*x$"` (catastrophic backtracking: an adapter
 * folder from a stranger could stall the process). So the pattern is parsed here, against the
 * subset of Python's syntax that module paths need, and compiled to a Thompson NFA that is run by
 * keeping the set of live states: time O(path length × pattern size), never exponential.
 *
 * Supported: literals and escaped punctuation, `.`, `\d \D \w \W \s \S`, `\n \t \r \f \v`,
 * `\xhh`, `\uhhhh`, classes `[...]` / `[^...]` with ranges and those escapes, groups `(...)`,
 * `(?:...)`, `(?P<name>...)`, alternation `|`, quantifiers `* + ? {n} {n,} {,m} {n,m}` (a
 * trailing `?` for laziness is accepted: it does not change whether a full match exists), anchors
 * `^ $`. Rejected with an `AdapterConfigError` naming the pattern and offset: backreferences,
 * lookahead/lookbehind, inline flags, conditionals, `\b`-style assertions, bad escapes and
 * syntax errors. Size bounds: 10,000 characters, nesting 100 deep, 50,000 NFA states.
 */
export type TargetMatcher = (path: string) => boolean;

const MAX_PATTERN_LENGTH = 10_000;
const MAX_NESTING = 100;
const MAX_STATES = 50_000;
const MAX_REPEAT = 1000;

type CharTest = (c: number) => boolean;
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; at: 'start' | 'end' };

const cache = new Map<string, TargetMatcher>();

/** The matcher of a pattern (cached); an AdapterConfigError when the pattern is not supported. */
export function compileTargetPattern(pattern: string): TargetMatcher {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new AdapterConfigError(`targetModules: expected a regular expression of at most ${MAX_PATTERN_LENGTH} characters; found ${pattern.length}`);
  }
  const matcher = toMatcher(compile(new Parser(pattern).parse()));
  if (cache.size < 1000) cache.set(pattern, matcher);
  return matcher;
}

const isDigit: CharTest = (c) => /\p{Nd}/u.test(String.fromCodePoint(c));
const isWord: CharTest = (c) => c === 95 || /[\p{L}\p{N}]/u.test(String.fromCodePoint(c));
const isSpace: CharTest = (c) => /\s/u.test(String.fromCodePoint(c));
const not = (f: CharTest): CharTest => (c) => !f(c);
const CLASS_ESCAPES: Record<string, CharTest> = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };
const CHAR_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) this.fail('unbalanced )');
    return node;
  }

  private fail(why: string, at = this.i): never {
    throw new AdapterConfigError(
      `targetModules: ${JSON.stringify(this.src.length > 200 ? `${this.src.slice(0, 200)}…` : this.src)} is not a supported regular expression: ${why} at offset ${at}. ` +
        'Expected Python re syntax without backreferences, lookaround or inline flags (it is matched as PEFT does, with re.fullmatch), or pass a list of module names.',
    );
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): Node {
    if (++this.depth > MAX_NESTING) this.fail(`groups nested more than ${MAX_NESTING} deep`);
    const items = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.sequence());
    }
    this.depth--;
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const atom = this.atom();
      const rep = this.quantifier();
      items.push(rep === null ? atom : { t: 'rep', node: atom, ...rep });
    }
    return { t: 'seq', items };
  }

  private quantifier(): { min: number; max: number } | null {
    const q = this.readQuantifier();
    if (q === null) return null;
    if (this.peek() === '?') this.i++; // lazy: same set of full matches
    if (this.readQuantifier() !== null) this.fail('multiple repeat', this.i - 1);
    return q;
  }

  private readQuantifier(): { min: number; max: number } | null {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    if (c !== '{') return null;
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.src.slice(this.i, this.i + 24));
    // Python: "{" not forming a quantifier (e.g. "{}", "{a}") is a literal
    if (m === null || (m[1] === '' && (m[2] === undefined || m[3] === ''))) return null;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail(`a repeat count above ${MAX_REPEAT}`);
    if (max < min) this.fail('min repeat greater than max repeat');
    this.i += m[0].length;
    return { min, max };
  }

  private atom(): Node {
    const at = this.i;
    const c = this.src[this.i++]!;
    switch (c) {
      case '(':
        return this.group(at);
      case '[':
        return this.charClass(at);
      case '.':
        return { t: 'char', test: (x) => x !== 10 };
      case '^':
        return { t: 'assert', at: 'start' };
      case '$':
        return { t: 'assert', at: 'end' };
      case '\\':
        return { t: 'char', test: asTest(this.escape(at, false)) };
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat', at);
      case '{':
        if (this.readQuantifierAt(at)) this.fail('nothing to repeat', at);
        break;
    }
    const code = this.src.codePointAt(at)!;
    if (code > 0xffff) this.i++;
    return { t: 'char', test: (x) => x === code };
  }

  private readQuantifierAt(at: number): boolean {
    const save = this.i;
    this.i = at;
    const q = this.readQuantifier();
    this.i = save;
    return q !== null;
  }

  private group(at: number): Node {
    if (this.src.startsWith('?', this.i)) {
      const rest = this.src.slice(this.i, this.i + 3);
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?P<')) {
        const m = /^\?P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(this.src.slice(this.i, this.i + 200));
        if (m === null) this.fail('bad group name', at);
        this.i += m[0].length;
      } else if (rest.startsWith('?=') || rest.startsWith('?!')) this.fail('lookahead is not supported', at);
      else if (rest.startsWith('?<=') || rest.startsWith('?<!')) this.fail('lookbehind is not supported', at);
      else if (rest.startsWith('?P=') || rest.startsWith('?(')) this.fail('backreferences are not supported', at);
      else this.fail(`unsupported group "(${rest}" (inline flags, named groups other than (?P<name>...), comments)`, at);
    }
    const inner = this.alternation();
    if (this.peek() !== ')') this.fail('missing ), unterminated subpattern', at);
    this.i++;
    return inner;
  }

  /** One escape after `\`: a code point, or the test of \d \w \s and their negations. */
  private escape(at: number, inClass: boolean): number | CharTest {
    const e = this.src[this.i++];
    if (e === undefined) this.fail('bad escape (end of pattern)', at);
    const cls = CLASS_ESCAPES[e];
    if (cls) return cls;
    const named = CHAR_ESCAPES[e];
    if (named !== undefined) return named;
    if (e === 'x' || e === 'u') {
      const n = e === 'x' ? 2 : 4;
      const hex = this.src.slice(this.i, this.i + n);
      if (!(hex.length === n && /^[0-9a-fA-F]+$/.test(hex))) this.fail(`bad escape \\${e}`, at);
      this.i += n;
      return parseInt(hex, 16);
    }
    if (e === 'b' && inClass) return 8; // backspace inside a class, as in Python
    if (/[1-9]/.test(e)) this.fail('backreferences are not supported', at);
    if (e === '0') return 0;
    if (/[A-Za-z]/.test(e)) this.fail(`bad escape \\${e}`, at);
    return e.codePointAt(0)!;
  }

  private charClass(at: number): Node {
    const negate = this.peek() === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated character class', at);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        const dash = this.i;
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') this.fail('bad character range', dash);
        if (hi < lo) this.fail('bad character range', dash);
        tests.push((x) => x >= lo && x <= hi);
      } else {
        tests.push(asTest(lo));
      }
    }
    const any: CharTest = (x) => tests.some((t) => t(x));
    return { t: 'char', test: negate ? not(any) : any };
  }

  /** A code point, or a test for an escape class such as \d. */
  private classAtom(): number | CharTest {
    const at = this.i;
    const c = this.src.codePointAt(this.i)!;
    this.i += c > 0xffff ? 2 : 1;
    return c === 92 ? this.escape(at, true) : c;
  }
}

function asTest(x: number | CharTest): CharTest {
  return typeof x === 'number' ? (c) => c === x : x;
}

// --- Thompson NFA -------------------------------------------------------------------------------

type State =
  | { k: 'char'; test: CharTest; out: number }
  | { k: 'split'; a: number; b: number }
  | { k: 'assert'; at: 'start' | 'end'; out: number }
  | { k: 'match' };

interface Nfa {
  states: State[];
  start: number;
}

function compile(root: Node): Nfa {
  const states: State[] = [{ k: 'match' }];
  const add = (s: State): number => {
    if (states.length >= MAX_STATES) {
      throw new AdapterConfigError(`targetModules: the regular expression is too large (over ${MAX_STATES} states once repeats are expanded); use fewer or smaller {n,m} repeats`);
    }
    states.push(s);
    return states.length - 1;
  };
  // Built back to front: `build(node, next)` returns the state that matches node then goes to next.
  const build = (node: Node, next: number): number => {
    switch (node.t) {
      case 'char':
        return add({ k: 'char', test: node.test, out: next });
      case 'assert':
        return add({ k: 'assert', at: node.at, out: next });
      case 'seq': {
        let cur = next;
        for (let j = node.items.length - 1; j >= 0; j--) cur = build(node.items[j]!, cur);
        return cur;
      }
      case 'alt': {
        let cur = build(node.items[node.items.length - 1]!, next);
        for (let j = node.items.length - 2; j >= 0; j--) cur = add({ k: 'split', a: build(node.items[j]!, next), b: cur });
        return cur;
      }
      case 'rep': {
        let cur: number;
        if (node.max === Infinity) {
          const loop = add({ k: 'split', a: -1, b: next });
          (states[loop] as { a: number }).a = build(node.node, loop);
          cur = loop;
        } else {
          cur = next;
          for (let j = 0; j < node.max - node.min; j++) cur = add({ k: 'split', a: build(node.node, cur), b: next });
        }
        for (let j = 0; j < node.min; j++) cur = build(node.node, cur);
        return cur;
      }
    }
  };
  return { states, start: build(root, 0) };
}

function toMatcher(nfa: Nfa): TargetMatcher {
  const { states, start } = nfa;
  return (path: string) => {
    const codes = Array.from(path, (ch) => ch.codePointAt(0)!);
    const seen = new Int32Array(states.length).fill(-1);
    let current: number[] = [];
    // epsilon closure of `s` at position `pos` into `into`, with an explicit stack
    const close = (s: number, pos: number, into: number[]): void => {
      const stack = [s];
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (seen[id] === pos) continue;
        seen[id] = pos;
        const st = states[id]!;
        if (st.k === 'split') stack.push(st.b, st.a);
        else if (st.k === 'assert') {
          if (st.at === 'start' ? pos === 0 : pos === codes.length) stack.push(st.out);
        } else into.push(id);
      }
    };
    close(start, 0, current);
    for (let pos = 0; pos < codes.length && current.length > 0; pos++) {
      const c = codes[pos]!;
      const next: number[] = [];
      for (const id of current) {
        const st = states[id]!;
        if (st.k === 'char' && st.test(c)) close(st.out, pos + 1, next);
      }
      current = next;
    }
    return current.includes(0);
  };
}

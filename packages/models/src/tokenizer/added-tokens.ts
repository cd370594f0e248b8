/**
 * Added tokens (RoBERTa's `<s>`, `</s>`, `<mask>`...) are found in the raw text before anything
 * else, as HF does: `"a <mask>"` is two pieces, `"a"` and the mask id, and BPE never sees the
 * `<mask>` characters. Among tokens starting at the same place the longest wins. `lstrip`/`rstrip`
 * tokens swallow the whitespace on their left/right (RoBERTa's `<mask>` is lstrip, so the space
 * before it is not a token); `singleWord` tokens only match between non-word characters.
 */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Special tokens are dropped by `decode(ids, { skipSpecialTokens: true })`. */
  readonly special: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly singleWord: boolean;
}

/** A piece of text to pre-tokenize and BPE, or the id of an added token. */
export type Piece = string | number;

const WHITESPACE = /\p{White_Space}/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

export class AddedTokenSplitter {
  private readonly pattern: RegExp | null;
  private readonly byContent: ReadonlyMap<string, AddedToken>;

  constructor(tokens: readonly AddedToken[]) {
    this.byContent = new Map(tokens.filter((t) => t.content.length > 0).map((t) => [t.content, t]));
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length);
    this.pattern = contents.length === 0 ? null : new RegExp(contents.map(escapeRegExp).join('|'), 'gu');
  }

  /** `text` cut into plain-text pieces and added-token ids, in order; empty pieces are left out. */
  split(text: string): Piece[] {
    if (this.pattern === null) return text.length > 0 ? [text] : [];
    const re = new RegExp(this.pattern);
    const pieces: Piece[] = [];
    let end = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const token = this.byContent.get(m[0])!;
      let start = m.index;
      let stop = start + m[0].length;
      if (token.singleWord && (isWordAt(text, start - 1) || isWordAt(text, stop))) {
        re.lastIndex = start + 1;
        continue;
      }
      if (token.lstrip) while (start > end && WHITESPACE.test(text[start - 1]!)) start--;
      if (token.rstrip) while (stop < text.length && WHITESPACE.test(text[stop]!)) stop++;
      if (start > end) pieces.push(text.slice(end, start));
      pieces.push(token.id);
      end = stop;
      re.lastIndex = stop;
    }
    if (end < text.length) pieces.push(text.slice(end));
    return pieces;
  }
}

function isWordAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && WORD_CHAR.test(text[i]!);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

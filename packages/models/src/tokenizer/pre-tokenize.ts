/**
 * GPT-2's pre-tokenization: the text is cut into words before BPE so merges never cross them.
 * The pattern is GPT-2's (as HF's ByteLevel pre-tokenizer uses it): English contractions
 * (case-sensitive), an optional space plus a run of letters, of digits, or of other symbols, then
 * whitespace runs — a whitespace run before a non-space keeps its last character for the next word.
 *
 * `\s` is spelled `\p{White_Space}`: HF runs this pattern on Oniguruma, whose `\s` is Unicode
 * White_Space, whereas JavaScript's `\s` also matches U+FEFF and misses U+0085.
 */
const WS = '\\p{White_Space}';
const GPT2_PATTERN = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  'gu',
);

/**
 * Calls `emit` with each word of `text`, in order, until it returns false (truncation needs only
 * the first words). Every character lands in exactly one word (the alternatives cover letters,
 * digits, whitespace and everything else), but text between matches is still emitted, as HF's
 * "isolated" split keeps it. Returns false when `emit` stopped it.
 */
export function forEachWord(text: string, emit: (word: string) => unknown): boolean {
  const re = new RegExp(GPT2_PATTERN);
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > end && emit(text.slice(end, m.index)) === false) return false;
    if (emit(m[0]) === false) return false;
    end = m.index + m[0].length;
  }
  return end < text.length ? emit(text.slice(end)) !== false : true;
}

/**
 * How many tokens of each sequence survive "longest_first" truncation to `budget` tokens (the
 * maximum length minus the special tokens), as HF tokenizers computes it: if only the longer
 * sequence has to shrink, it keeps `budget − shorter`; if both do, the shorter keeps ⌊budget/2⌋
 * and the longer ⌈budget/2⌉ (on equal lengths the second sequence counts as the longer).
 *
 * That is the result of removing one token at a time from the longer sequence. HF's Python
 * ("slow") tokenizers break ties the other way, so the two differ by one token per side only when
 * both sequences are cut and `budget` is odd; RoBERTa's 128 gives even budgets (126 and 124).
 */
export function longestFirst(lengthA: number, lengthB: number | undefined, budget: number): [number, number] {
  if (lengthB === undefined) return [Math.min(lengthA, budget), 0];
  if (lengthA + lengthB <= budget) return [lengthA, lengthB];
  const swap = lengthA > lengthB;
  const shorter = swap ? lengthB : lengthA;
  const longer = swap ? lengthA : lengthB;
  let keepShort = shorter;
  let keepLong = Math.max(shorter, budget - shorter);
  if (keepShort + keepLong > budget) {
    keepShort = Math.floor(budget / 2);
    keepLong = keepShort + (budget % 2);
  }
  keepLong = Math.min(keepLong, longer);
  return swap ? [keepLong, keepShort] : [keepShort, keepLong];
}

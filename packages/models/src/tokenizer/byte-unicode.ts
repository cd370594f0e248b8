/**
 * GPT-2's reversible byte ↔ unicode map. Byte-level BPE vocabularies store every token as a
 * string of printable characters, one per byte: bytes that are printable in Latin-1 ('!'..'~',
 * '¡'..'¬', '®'..'ÿ') stand for themselves, and the other 68 bytes (controls, space, soft hyphen...)
 * are shifted to U+0100 upwards in byte order — so a space is 'Ġ' (U+0120) and '\n' is 'Ċ'.
 */

function isSelfMapped(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function buildByteToChar(): readonly string[] {
  const chars: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    chars.push(String.fromCharCode(isSelfMapped(b) ? b : 256 + shifted++));
  }
  return chars;
}

/** `BYTE_TO_CHAR[b]` is the vocabulary character of byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** The inverse: vocabulary character → byte. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * The safetensors format disallows duplicate keys, but `JSON.parse` silently keeps the last one, so
 * a header could name a tensor twice and hide the first range. This scans JSON text that already
 * parsed and reports the first key repeated within one object, compared after unescaping (so
 * "a" and "\u0061" are the same key). One linear pass, no recursion.
 */
export function findDuplicateKey(json: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x22 /* " */) {
      let end = i + 1;
      while (json.charCodeAt(end) !== 0x22) end += json.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const token = json.slice(i, end + 1);
      i = end + 1;
      const keys = stack[stack.length - 1];
      if (!keys) continue;
      let next = i;
      while (next < json.length && /\s/.test(json[next]!)) next++;
      if (json[next] !== ':') continue; // a string value, not a key
      const key = JSON.parse(token) as string;
      if (keys.has(key)) return key;
      keys.add(key);
    } else {
      i++;
    }
  }
  return undefined;
}

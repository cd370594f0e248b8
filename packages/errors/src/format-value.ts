/**
 * Formats any value for an error message, safely: the value may come from a hostile file, so this
 * never calls its `toString`/`valueOf`/`toJSON` (an object whose `toString` is not a function makes
 * `String(x)` throw), never recurses deeper than `maxDepth` (arrays nested thousands deep make
 * `JSON.stringify` overflow the stack) and stops once `maxLength` characters are written (a
 * 10^7-character string or a million-key object costs no more than a short one).
 *
 * The output reads like JSON for JSON values (`"text"`, `[1, 2]`, `{"a": 1}`); what is cut shows
 * as `…`, deeper levels as `[…]` / `{…}`, and non-JSON values by kind (`undefined`, `12n`,
 * `function f`, `Map`).
 */
export interface FormatValueOptions {
  /** Characters at most (an ellipsis marks the cut). Default 80. */
  readonly maxLength?: number;
  /** Levels of arrays/objects shown; deeper ones print as `[…]` or `{…}`. Default 3. */
  readonly maxDepth?: number;
}

export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  const maxLength = Math.max(8, options.maxLength ?? 80);
  const out = new Bounded(maxLength);
  write(value, Math.max(0, options.maxDepth ?? 3), out);
  return out.text();
}

class Bounded {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.length > this.max;
  }
  push(s: string): void {
    if (this.full) return;
    const room = this.max + 1 - this.length;
    const piece = s.length > room ? s.slice(0, room) : s;
    this.parts.push(piece);
    this.length += piece.length;
  }
  text(): string {
    const s = this.parts.join('');
    return s.length > this.max ? `${s.slice(0, this.max - 1)}…` : s;
  }
}

function write(value: unknown, depth: number, out: Bounded): void {
  switch (typeof value) {
    case 'string':
      // quote only what can be shown: JSON.stringify of a short slice is cheap and escapes safely
      out.push(JSON.stringify(value.length > 200 ? value.slice(0, 200) : value));
      return;
    case 'number':
    case 'boolean':
      out.push(Object.is(value, -0) ? '-0' : `${value as number}`);
      return;
    case 'bigint':
      out.push(`${value}n`);
      return;
    case 'undefined':
      out.push('undefined');
      return;
    case 'symbol':
      out.push('symbol');
      return;
    case 'function':
      out.push(`function ${safeName(value)}`.trimEnd());
      return;
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (Array.isArray(value)) {
    if (depth === 0) return out.push(value.length === 0 ? '[]' : '[…]');
    out.push('[');
    for (let i = 0; i < value.length && !out.full; i++) {
      if (i > 0) out.push(', ');
      write(value[i], depth - 1, out);
    }
    out.push(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== null && proto !== Object.prototype) {
    out.push(ArrayBuffer.isView(obj) ? `${constructorName(obj)}(${(obj as { length?: number }).length ?? '?'})` : constructorName(obj));
    return;
  }
  if (depth === 0) {
    let empty = true;
    for (const _ in obj) {
      empty = false;
      break;
    }
    return out.push(empty ? '{}' : '{…}');
  }
  out.push('{');
  let first = true;
  for (const key in obj) {
    if (out.full) break;
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (!first) out.push(', ');
    first = false;
    out.push(`${JSON.stringify(key.length > 200 ? key.slice(0, 200) : key)}: `);
    write(obj[key], depth - 1, out);
  }
  out.push('}');
}

function safeName(fn: unknown): string {
  const name: unknown = Object.getOwnPropertyDescriptor(fn, 'name')?.value;
  return typeof name === 'string' ? name.slice(0, 40) : '';
}

/** The class name of an object, read without running any of its code. */
function constructorName(value: object): string {
  let proto: unknown = Object.getPrototypeOf(value);
  while (proto !== null && typeof proto === 'object') {
    const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    if (typeof ctor === 'function') return safeName(ctor) || 'object';
    proto = Object.getPrototypeOf(proto);
  }
  return 'object';
}

import type { Tensor } from './tensor.js';

/**
 * Memory scopes. Every tensor created while a `tidy` runs is recorded in the innermost scope;
 * when the function returns, everything recorded that is not part of the result (and not `keep`t)
 * is disposed. Returned tensors move to the enclosing scope. Functions passed to `tidy` must be
 * synchronous: ops only enqueue work, so a training step's forward/backward/update fits.
 */
const scopes: Set<Tensor>[] = [];

export function trackTensor(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Removes `t` from every scope so that no `tidy` disposes it (parameters, optimizer state, grads). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>, isTensor: (v: unknown) => v is Tensor): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen, isTensor);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen, isTensor);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen, isTensor);
}

let isTensorFn: ((v: unknown) => v is Tensor) | null = null;
/** @internal set by tensor.ts to avoid an import cycle */
export function setTensorPredicate(f: (v: unknown) => v is Tensor): void {
  isTensorFn = f;
}

export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError('tidy: the function returned a Promise; tidy only takes synchronous functions (ops enqueue, reads are awaited outside)');
  }
  const kept = new Set<Tensor>();
  collect(result, kept, new Set(), isTensorFn!);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Number of open scopes (for tests). */
export function scopeDepth(): number {
  return scopes.length;
}

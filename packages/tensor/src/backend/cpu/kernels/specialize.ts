/**
 * One compiled copy of a kernel's inner loop per op and dtype, from a loop written once.
 *
 * Why: a loop shared by every op calls its element function (`Math.exp`, `(a, b) => a / b`, ...)
 * through one call site and reads Float32Array, Float64Array and Int32Array through the same
 * loads. Once a training process has run a few ops through it, V8 sees that site as megamorphic:
 * every element pays a real call and a type dispatch (a scalar `div` ran at ~12 ns per element
 * against ~1.5 ns for a loop that only ever sees one op and one dtype). Type feedback belongs
 * to a function's source, so each (op, dtypes) gets its own copy compiled from the factory's own
 * source text: V8 then inlines the element function and specializes the loads of that copy. The
 * element functions stay the single definition of each op, so results are the same in every copy.
 *
 * A factory must therefore be self-contained: it may use only its parameters and globals (`Math`),
 * never a module binding, because the copy is compiled outside the module. Where compiling is
 * refused (a Content-Security-Policy without 'unsafe-eval') or the source was rewritten to call
 * outside helpers (a coverage instrumenter), the factory runs as it is: same results, slower.
 */
const compiled = new Map<string, unknown>();

type Factory<A extends unknown[], L> = (...args: A) => L;

/**
 * The loop `factory(...args)` from a private copy of `factory` compiled for `key` (cached per
 * `key`: callers name the op and the dtypes the loop will see, e.g. `unary:exp:float32:float32`).
 */
export function specializedLoop<A extends unknown[], L>(key: string, factory: Factory<A, L>, ...args: A): L {
  let loop = compiled.get(key) as L | undefined;
  if (loop === undefined) {
    const copy = compileCopy(key, factory);
    try {
      loop = copy ? copy(...args) : factory(...args);
    } catch (err) {
      // an instrumented source calls helpers the copy cannot see; the original can
      if (!(err instanceof ReferenceError)) throw err;
      loop = factory(...args);
    }
    compiled.set(key, loop);
  }
  return loop;
}

/**
 * A fresh copy of `factory` compiled from its source, or null where compiling is refused. The key
 * becomes the copy's `sourceURL`: it names the copy in profiles and keeps copies with the same
 * source apart in V8's compilation cache (which would otherwise share their type feedback).
 */
export function compileCopy<A extends unknown[], L>(key: string, factory: Factory<A, L>): Factory<A, L> | null {
  const source = `return (${factory.toString()});\n//# sourceURL=edora-cpu-kernel/${key.replace(/[^\w.:-]/g, '_')}.js`;
  try {
    return new Function(source)() as Factory<A, L>;
  } catch {
    return null;
  }
}

/** What this check needs of the DOM (the package compiles without the DOM's types: it runs in Node too). */
interface CanvasLike {
  getContext(id: 'webgl2'): unknown;
}
interface Globals {
  document?: { createElement(tag: 'canvas'): CanvasLike };
  OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
}

/**
 * Whether this JavaScript context can create a WebGL2 context: a page (a canvas element) or a
 * worker (an OffscreenCanvas). False in Node, where gpu.js runs its WebAssembly kernels instead.
 * Apps use it to offer the backend only where it runs on WebGL2 (EDoRA Studio does).
 */
export function webgl2Available(): boolean {
  const g = globalThis as Globals;
  try {
    if (g.document) return g.document.createElement('canvas').getContext('webgl2') != null;
    if (g.OffscreenCanvas) return new g.OffscreenCanvas(1, 1).getContext('webgl2') != null;
  } catch {
    // a context creation that throws (a blocked GPU process) means no WebGL2 either
  }
  return false;
}

import type { BackendBuffer, BackendV1, OpAttrs, OpName, TensorView } from '../contract.js';
import { bytesPerElement } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import type { CpuBuffer } from '../cpu/buffer.js';
import { runCpuKernel } from '../cpu/kernels/index.js';
import { countFallback } from './fallback-stats.js';
import { byteSpan } from './layout.js';

/**
 * Runs any op of the contract on the cpu kernels, for a backend that has no kernel for it: the
 * bytes every operand touches are read with the backend's own `readSync`, the cpu kernel runs on
 * host copies, and the bytes of the outputs are written back with the backend's `write`. Views
 * that share a backend buffer share one host copy, so in-place ops (`adamw`, a `scatterAddRows`
 * into its own table, a `matmul` with beta ≠ 0) and aliased operands behave exactly as on the cpu
 * backend. Output bytes between a strided output's elements are written back as they were read.
 *
 * It needs a synchronous read: an asynchronous backend (its results only exist after a submit)
 * cannot hand its bytes to a synchronous op, so it must implement the op itself. Each run is
 * counted (`fallbackCounts`).
 */
export function runOnHost<O extends OpName>(
  backend: BackendV1, op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O],
): void {
  if (!backend.readSync) {
    throw new BackendError(
      `${op}: backend "${backend.name}" has no kernel for it, and the host fallback needs readSync, which an ` +
        'asynchronous backend does not have; implement the op in the backend (or report true from supportsOp only for ops it runs)',
    );
  }
  countFallback(backend, 'host', op);
  // one host copy per backend buffer, covering every byte any view of it touches
  const spans = new Map<BackendBuffer, { start: number; end: number; written: boolean }>();
  const note = (v: TensorView, written: boolean): void => {
    const s = byteSpan(v);
    if (!s) return;
    const cur = spans.get(v.buffer);
    if (!cur) spans.set(v.buffer, { start: s.start, end: s.end, written });
    else {
      cur.start = Math.min(cur.start, s.start);
      cur.end = Math.max(cur.end, s.end);
      cur.written ||= written;
    }
  };
  for (const v of inputs) note(v, false);
  for (const v of outputs) note(v, true);
  const hosts = new Map<BackendBuffer, { buffer: CpuBuffer; start: number; end: number; written: boolean }>();
  for (const [buf, span] of spans) {
    // an 8-byte-aligned start keeps every dtype's element offset integral (and float64 views legal)
    const start = span.start - (span.start % 8);
    const end = Math.min(span.end, buf.byteLength);
    const bytes = new Uint8Array(Math.ceil((end - start) / 8) * 8);
    bytes.set(backend.readSync(buf, start, end - start));
    hosts.set(buf, { buffer: { byteLength: bytes.byteLength, bytes }, start, end, written: span.written });
  }
  const onHost = (v: TensorView): TensorView => {
    const h = hosts.get(v.buffer);
    // an empty view touches no bytes: any buffer will do, the kernel reads nothing
    if (!h) return { ...v, buffer: { byteLength: 0, bytes: new Uint8Array(8) } as CpuBuffer, offset: 0 };
    return { buffer: h.buffer, dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset - h.start / bytesPerElement(v.dtype) };
  };
  runCpuKernel(op, inputs.map(onHost), outputs.map(onHost), attrs);
  for (const [buf, h] of hosts) {
    if (h.written) backend.write(buf, h.buffer.bytes.subarray(0, h.end - h.start), h.start);
  }
}

import type { OpAttrs, OpName, TensorView } from '@edora/tensor';
import { runBinary } from './binary.js';
import { runCopy } from './copy.js';
import { runFused } from './fused.js';
import type { ExternalGemm } from './external-gemm.js';
import { gemmUnsupported, type Gemm, type GemmArgs } from './gemm.js';
import type { KernelExports } from './module.js';
import { runReduceSum } from './reduce.js';
import type { RowTasks } from './row-tasks.js';

/**
 * A wasm fast path for one op. It returns false when it has none for these views (a strided or
 * float64 operand, say), and the cpu kernel runs on the same memory instead.
 */
export type WasmKernel<O extends OpName> = (inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]) => boolean;

export interface WasmKernelContext {
  readonly kernels: KernelExports;
  readonly rowTasks: RowTasks;
  readonly gemm: Gemm;
  /** Runs the float32 products it can take instead of `gemm` (a system BLAS in Node), or undefined. */
  readonly externalGemm: ExternalGemm | undefined;
  readonly memory: WebAssembly.Memory;
  /** The backend's own run (a product applies its GELU or tanh through `unary`). */
  readonly run: <O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]) => void;
}

/**
 * Every op of the contract: its wasm kernel, or null where the cpu kernels (`runCpuKernel`, on the
 * same bytes) are all there is. Exhaustive, so a new op of the contract is a type error here.
 */
export function wasmKernels(ctx: WasmKernelContext): { [O in OpName]: WasmKernel<O> | null } {
  const { kernels: k, rowTasks } = ctx;
  const fused = <O extends OpName>(op: O): WasmKernel<O> => (i, o, a) => runFused(k, rowTasks, op, i, o, a);
  return {
    fill: null,
    copy: ([x], [o]) => runCopy(k, x!, o!),
    cast: ([x], [o]) => runCopy(k, x!, o!),
    unary: fused('unary'),
    binary: (i, [o], a) => runBinary(k, i, o!, a),
    where: null,
    reduce: ([x], [o], a) => runReduceSum(k, x!, o!, a),
    matmul: ([a, b], [out], { alpha, beta }) => product(ctx, { a: a!, b: b!, out: out!, alpha, beta, bias: null, relu: false }, 'none'),
    gatherRows: null,
    scatterAddRows: null,
    random: fused('random'),
    softmax: fused('softmax'),
    softmaxBackward: fused('softmaxBackward'),
    logSoftmax: null,
    logSoftmaxBackward: null,
    softmaxCrossEntropy: null,
    softmaxCrossEntropyBackward: null,
    layerNorm: fused('layerNorm'),
    layerNormBackward: fused('layerNormBackward'),
    geluBackward: fused('geluBackward'),
    rowNorm: fused('rowNorm'),
    matmulBiasAct: ([a, b, bias], [out], { activation }) =>
      product(ctx, { a: a!, b: b!, out: out!, alpha: 1, beta: 0, bias: bias!, relu: activation === 'relu' }, activation),
    adamw: fused('adamw'),
    dropout: fused('dropout'),
  };
}

/**
 * The external GEMM where it takes the views (not with a ReLU epilogue), else the SIMD GEMM; GELU
 * and tanh are applied in place over the finished product (GELU in wasm when dense).
 */
function product(ctx: WasmKernelContext, args: GemmArgs, activation: OpAttrs['matmulBiasAct']['activation']): boolean {
  if (gemmUnsupported(args) !== null) return false;
  const external = ctx.externalGemm !== undefined && !args.relu && ctx.externalGemm.run(ctx.memory, args);
  if (!external) ctx.gemm.run(args);
  if (activation === 'gelu' || activation === 'tanh') ctx.run('unary', [args.out], [args.out], { fn: activation });
  return true;
}

import type { Activation, TensorView } from '@edora/tensor';
import { WebGpuOpError } from '../errors.js';
import { WGSL_MATH } from './math.js';
import { ParamBuilder, type Dispatch, type PlanContext } from './program.js';

/**
 * Batched GEMM, out[b] = act(alpha · A[b] B[b] + beta · out[b] + bias).
 *
 * A 16×16 workgroup computes a 64×64 tile of out, each invocation a 4×4 register tile, walking K
 * in steps of 16 through two workgroup-memory tiles stored k-major as vec4s, so the inner loop
 * does two vec4 reads and 16 FMAs. Each operand is read along its contiguous direction (the
 * contract's strides rule: row- or column-major, so transposes are free): the 256 invocations
 * each fetch 4 consecutive elements, as one vec4 load when the shape, offset and strides are
 * multiples of 4 (the shapes we train on always are), else as four bounds-checked scalar loads.
 *
 * Params: 0 M, 1 N, 2 K, 3 alpha, 4 beta, 5-8 A (offset, batch, m, k strides), 9-12 B (offset,
 * batch, k, n strides), 13-16 out (offset, batch, m, n strides), 17 activation, 18-19 bias
 * (offset, stride).
 */
export const TILE = 64;
export const TILE_K = 16;

interface Operand {
  kContig: boolean;
  vec4: boolean;
}

function operand(v: TensorView, outer: number, K: number, outerAxis: 1 | 2, kAxis: 1 | 2): Operand {
  const so = v.strides[outerAxis]!;
  const sk = v.strides[kAxis]!;
  const kContig = sk === 1 && !(so === 1 && K === 1);
  const contigLen = kContig ? K : outer;
  const other = kContig ? so : sk;
  const batch = v.strides[0]!;
  const vec4 = contigLen % 4 === 0 && v.offset % 4 === 0 && (other % 4 === 0 || (kContig ? outer : K) === 1) && batch % 4 === 0 &&
    (kContig ? sk : so) === 1;
  return { kContig, vec4 };
}

/** WGSL loading 4 consecutive elements of one operand into its workgroup tile. */
function loadCode(name: 'A' | 'B', op: Operand, v: number, binding: string): string {
  // for A the outer dim is m (params 7) with bound M; for B it is n (params 12) with bound N
  const base = name === 'A' ? 'aBase' : 'bBase';
  const so = name === 'A' ? 'pi(7u)' : 'pi(12u)';
  const sk = name === 'A' ? 'pi(8u)' : 'pi(11u)';
  const o0 = name === 'A' ? 'm0' : 'n0';
  const bound = name === 'A' ? 'M' : 'N';
  const tile = name === 'A' ? 'As' : 'Bs';
  if (op.kContig) {
    // invocation t: outer index t/4, k offset (t%4)*4
    const head = `{ let r = ${o0} + t / 4u; let kq = (t % 4u) * 4u; let kk = k0 + kq; let cell = (t / 4u) / 4u; let lane = (t / 4u) % 4u;`;
    if (op.vec4) {
      return `${head}
    var q = vec4<f32>(0.0);
    if (r < ${bound} && kk < K) { q = ${binding}[u32(${base} + i32(r) * ${so} + i32(kk)) / 4u]; }
    ${tile}[(kq + 0u) * 16u + cell][lane] = q.x; ${tile}[(kq + 1u) * 16u + cell][lane] = q.y;
    ${tile}[(kq + 2u) * 16u + cell][lane] = q.z; ${tile}[(kq + 3u) * 16u + cell][lane] = q.w; }`;
    }
    return `${head}
    for (var j = 0u; j < 4u; j++) {
      var x = 0.0;
      if (r < ${bound} && kk + j < K) { x = ld${v}(u32(${base} + i32(r) * ${so} + i32(kk + j) * ${sk})); }
      ${tile}[(kq + j) * 16u + cell][lane] = x;
    } }`;
  }
  // invocation t: k index t/16, outer offset (t%16)*4
  const head = `{ let kk = k0 + t / 16u; let rq = ${o0} + (t % 16u) * 4u; let dst = (t / 16u) * 16u + t % 16u;`;
  if (op.vec4) {
    return `${head}
    var q = vec4<f32>(0.0);
    if (rq < ${bound} && kk < K) { q = ${binding}[u32(${base} + i32(kk) * ${sk} + i32(rq)) / 4u]; }
    ${tile}[dst] = q; }`;
  }
  return `${head}
    var q = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j++) {
      if (rq + j < ${bound} && kk < K) { q[j] = ld${v}(u32(${base} + i32(kk) * ${sk} + i32(rq + j) * ${so})); }
    }
    ${tile}[dst] = q; }`;
}

export function matmulDispatch(
  a: TensorView, b: TensorView, out: TensorView, alpha: number, beta: number, bias: TensorView | null, activation: Activation,
  ctx: PlanContext,
): Dispatch | null {
  const [batch, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  if (batch === 0 || M === 0 || N === 0) return null;
  if (batch > 65535) throw new WebGpuOpError(`matmul: at most 65535 batch entries per dispatch; found ${batch} (shape [${a.shape.join(', ')}])`);
  const oa = operand(a, M, K, 1, 2);
  const ob = operand(b, N, K, 2, 1);
  const views = bias ? [a, b, bias, out] : [a, b, out];
  const vo = views.length - 1;
  const p = new ParamBuilder()
    .u(0, M).u(1, N).u(2, K).f(3, alpha).f(4, beta)
    .i(5, a.offset).i(6, a.strides[0]!).i(7, a.strides[1]!).i(8, a.strides[2]!)
    .i(9, b.offset).i(10, b.strides[0]!).i(11, b.strides[1]!).i(12, b.strides[2]!)
    .i(13, out.offset).i(14, out.strides[0]!).i(15, out.strides[1]!).i(16, out.strides[2]!)
;
  if (bias) p.i(18, bias.offset).i(19, bias.strides[0]!);
  const direct = ctx.gemm === 'direct' && oa.vec4 && ob.vec4 && K % 4 === 0;
  const key = `gemm:${direct ? 'direct' : 'tiled'}:${oa.kContig ? 'k' : 'm'}${oa.vec4 ? 4 : 1}:${ob.kContig ? 'k' : 'n'}${ob.vec4 ? 4 : 1}:${bias ? 'bias' : ''}:${beta === 0 ? 'b0' : 'b1'}:${activation}`;
  // the activation is compiled in (not a runtime switch): erf's loops would otherwise be in every GEMM
  const actExpr = activation === 'relu' ? 'v = max(v, 0.0);' : activation === 'gelu' ? 'v = gelu_(v);' : activation === 'tanh' ? 'v = tanh_(v);' : '';
  const epilogue = `
  let alpha = pf(3u); let beta = pf(4u);
  let oBase = pi(13u) + bz * pi(14u);
  for (var i = 0u; i < 4u; i++) {
    let m = mr + i;
    if (m >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = nc + j;
      if (n >= N) { break; }
      let po = u32(oBase + i32(m) * pi(15u) + i32(n) * pi(16u));
      var v = alpha * acc[i][j];
      ${beta === 0 ? '' : `v += beta * ld${vo}(po);`}
      ${bias ? 'v += ld2(u32(pi(18u) + i32(n) * pi(19u)));' : ''}
      ${actExpr}
      st${vo}(po, v);
    }
  }`;
  const prologue = `
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let bz = i32(wid.z);
  let aBase = pi(5u) + bz * pi(6u);
  let bBase = pi(9u) + bz * pi(10u);`;
  const wgsl = (h: { name: readonly string[] }): string =>
    `${activation === 'none' ? '' : WGSL_MATH}\n${direct ? directBody(oa, ob, h, prologue, epilogue) : tiledBody(oa, ob, h, prologue, epilogue)}`;
  return {
    op: bias ? 'matmulBiasAct' : 'matmul',
    key,
    views,
    writes: views.map((_, k) => k === vo),
    vec4: views.map((_, k) => (k === 0 ? oa.vec4 : k === 1 ? ob.vec4 : false)),
    wgsl,
    params: p,
    grid: direct ? [Math.ceil(N / DIRECT_TILE), Math.ceil(M / DIRECT_TILE), batch] : [Math.ceil(N / TILE), Math.ceil(M / TILE), batch],
  };
}

function tiledBody(oa: Operand, ob: Operand, h: { name: readonly string[] }, prologue: string, epilogue: string): string {
  return `var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  ${prologue}
  let m0 = wid.y * ${TILE}u; let n0 = wid.x * ${TILE}u;
  let tx = lid.x; let ty = lid.y;
  let mr = m0 + ty * 4u; let nc = n0 + tx * 4u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += ${TILE_K}u) {
    ${loadCode('A', oa, 0, h.name[0]!)}
    ${loadCode('B', ob, 1, h.name[1]!)}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      let av = As[kk * 16u + ty];
      let bv = Bs[kk * 16u + tx];
      acc[0] += av.x * bv; acc[1] += av.y * bv; acc[2] += av.z * bv; acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  ${epilogue}
}`;
}

/**
 * The variant for CPU-emulated adapters (lavapipe, SwiftShader): no workgroup memory and no
 * barriers — an emulator runs a workgroup as batches of SIMD lanes and must save every live value
 * at each barrier, while its caches already share the operands between invocations. Each
 * invocation loads 4×4 blocks of A and B as vec4s in whichever layout they have, turns them into
 * A-rows-over-k and B-rows-over-n with transpose(), and accumulates acc += B·A as mat4x4s
 * (column i of acc is output row i). Needs vec4-eligible operands and K % 4 = 0.
 */
export const DIRECT_TILE = 32;

function directBody(oa: Operand, ob: Operand, h: { name: readonly string[] }, prologue: string, epilogue: string): string {
  const A = h.name[0]!;
  const B = h.name[1]!;
  const loadA = oa.kContig
    ? `let ma = mat4x4<f32>(ra(mr, k), ra(mr + 1u, k), ra(mr + 2u, k), ra(mr + 3u, k));`
    : `let ma = transpose(mat4x4<f32>(ca(k), ca(k + 1u), ca(k + 2u), ca(k + 3u)));`;
  const loadB = ob.kContig
    ? `let mb = transpose(mat4x4<f32>(cb(nc, k), cb(nc + 1u, k), cb(nc + 2u, k), cb(nc + 3u, k)));`
    : `let mb = mat4x4<f32>(rb(k), rb(k + 1u), rb(k + 2u), rb(k + 3u));`;
  // ra/ca/cb/rb below expand to guarded vec4 loads: a row of A over k, a column of A over m, a
  // column of B over k, a row of B over n (reads past the guard are discarded by select, and
  // WebGPU's bounds robustness keeps them inside the buffer)
  return `
@compute @workgroup_size(8, 8)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  ${prologue}
  let mr = wid.y * ${DIRECT_TILE}u + lid.y * 4u; let nc = wid.x * ${DIRECT_TILE}u + lid.x * 4u;
  let sam = pi(7u); let sak = pi(8u); let sbk = pi(11u); let sbn = pi(12u);
  var acc = mat4x4<f32>();
  for (var k = 0u; k < K; k += 4u) {
    ${loadA}
    ${loadB}
    acc += mb * ma;
  }
  ${epilogue}
}`
    .replace(/ra\((.*?), k\)/g, (_m, row: string) => `select(vec4<f32>(0.0), ${A}[u32(aBase + i32(${row}) * sam + i32(k)) / 4u], ${row} < M)`)
    .replace(/ca\((.*?)\)/g, (_m, kk: string) => `select(vec4<f32>(0.0), ${A}[u32(aBase + i32(${kk}) * sak + i32(mr)) / 4u], mr < M)`)
    .replace(/cb\((.*?), k\)/g, (_m, col: string) => `select(vec4<f32>(0.0), ${B}[u32(bBase + i32(${col}) * sbn + i32(k)) / 4u], ${col} < N)`)
    .replace(/rb\((.*?)\)/g, (_m, kk: string) => `select(vec4<f32>(0.0), ${B}[u32(bBase + i32(${kk}) * sbk + i32(nc)) / 4u], nc < N)`);
}

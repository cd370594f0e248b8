import { wgslType, type BindWindow, type Dispatch } from './kernels/program.js';
import type { DType } from '@edora/tensor';
import { SHADER_STAGE_COMPUTE } from './flags.js';
import { faultWgsl } from './fault.js';

/**
 * Binding plans and the pipeline cache. A plan maps each view of a dispatch to a binding: views
 * on the same buffer with the same element kind share one (read_write if any of them is
 * written), which is both required (WebGPU rejects a writable binding aliased by another) and how
 * in-place ops such as AdamW work. Pipelines are cached by the kernel's variant key plus the
 * plan's signature, so a training step compiles nothing after its first iteration.
 */
export interface BindingPlan {
  buffers: GPUBuffer[];
  windows: (BindWindow | null)[];
  writable: boolean[];
  vec4: boolean[];
  /** binding index (0-based among storage bindings) of each view */
  slot: number[];
  dtypes: DType[];
  /** The fault buffer is bound after the views (binding buffers.length + 1). */
  faults: boolean;
  signature: string;
}

export function planBindings(d: Dispatch, gpuOf: (k: number) => GPUBuffer): BindingPlan {
  const buffers: GPUBuffer[] = [];
  const windows: (BindWindow | null)[] = [];
  const writable: boolean[] = [];
  const vec4: boolean[] = [];
  const slot: number[] = [];
  d.views.forEach((_, k) => {
    const buf = gpuOf(k);
    const v4 = d.vec4?.[k] ?? false;
    const w = d.windows?.[k] ?? null;
    let j = buffers.findIndex((b, i) => b === buf && vec4[i] === v4 && windows[i]?.byteOffset === w?.byteOffset);
    if (j < 0) {
      j = buffers.length;
      buffers.push(buf);
      windows.push(w);
      writable.push(false);
      vec4.push(v4);
    }
    if (d.writes[k]) writable[j] = true;
    slot.push(j);
  });
  const dtypes = d.views.map((v) => v.dtype);
  const faults = d.faults === true;
  const signature =
    `${slot.join(',')}|${writable.map((w, j) => `${w ? 'w' : 'r'}${vec4[j] ? '4' : ''}`).join(',')}|${dtypes.join(',')}${faults ? '|f' : ''}`;
  return { buffers, windows, writable, vec4, slot, dtypes, faults, signature };
}

/**
 * `enable` directives (they must open the module), binding declarations, params readers, one typed
 * load/store pair per view, and the fault binding with `reportBadIndex` when the kernel reports.
 */
export function header(plan: BindingPlan, d: Pick<Dispatch, 'enables'>): { text: string; names: string[] } {
  const lines = [
    ...(d.enables ?? []).map((e) => `enable ${e};`),
    'struct Params { v: array<vec4<u32>, 16> }',
    '@group(0) @binding(0) var<uniform> P: Params;',
    'fn pu(i: u32) -> u32 { return P.v[i / 4u][i % 4u]; }',
    'fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }',
    'fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }',
  ];
  plan.buffers.forEach((_, j) => {
    const access = plan.writable[j] ? 'read_write' : 'read';
    const elem = plan.vec4[j] ? 'vec4<f32>' : 'u32';
    lines.push(`@group(0) @binding(${j + 1}) var<storage, ${access}> b${j}: array<${elem}>;`);
  });
  plan.slot.forEach((j, k) => {
    const t = wgslType(plan.dtypes[k]!);
    if (plan.vec4[j]) {
      lines.push(`fn ld${k}(i: u32) -> f32 { return b${j}[i / 4u][i % 4u]; }`);
      if (plan.writable[j]) lines.push(`fn st${k}(i: u32, v: f32) { b${j}[i / 4u][i % 4u] = v; }`);
      return;
    }
    lines.push(`fn ld${k}(i: u32) -> ${t} { return bitcast<${t}>(b${j}[i]); }`);
    if (plan.writable[j]) lines.push(`fn st${k}(i: u32, v: ${t}) { b${j}[i] = bitcast<u32>(v); }`);
  });
  if (plan.faults) lines.push(faultWgsl(plan.buffers.length + 1));
  return { text: lines.join('\n'), names: plan.slot.map((j) => `b${j}`) };
}

export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class PipelineCache {
  private pipelines = new Map<string, CachedPipeline>();
  private layouts = new Map<string, GPUBindGroupLayout>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(d: Dispatch, plan: BindingPlan): CachedPipeline {
    const key = `${d.key}#${plan.signature}`;
    let hit = this.pipelines.get(key);
    if (hit) return hit;
    const h = header(plan, d);
    const code = `${h.text}\n${d.wgsl({ name: h.names })}`;
    const module = this.device.createShaderModule({ label: `edora ${d.op} [${d.key}]`, code });
    const layout = this.layout(plan);
    const pipeline = this.device.createComputePipeline({
      label: `edora ${d.op} [${d.key}]`,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    hit = { pipeline, layout };
    this.pipelines.set(key, hit);
    return hit;
  }

  private layout(plan: BindingPlan): GPUBindGroupLayout {
    const kinds = plan.faults ? [...plan.writable, true] : plan.writable;
    const sig = kinds.map((w) => (w ? 'w' : 'r')).join('');
    let l = this.layouts.get(sig);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform' } }];
      kinds.forEach((w, j) =>
        entries.push({ binding: j + 1, visibility: SHADER_STAGE_COMPUTE, buffer: { type: w ? 'storage' : 'read-only-storage' } }),
      );
      l = this.device.createBindGroupLayout({ entries });
      this.layouts.set(sig, l);
    }
    return l;
  }
}

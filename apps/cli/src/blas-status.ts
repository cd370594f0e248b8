/**
 * What `edora backends` says about backend-wasm's products in Node: which BLAS runs them, or that
 * the wasm GEMM does, what was searched and how to install one. Null when backend-wasm is absent.
 */
export interface BlasStatus {
  found: boolean;
  text: string;
}

export async function blasStatus(wasmDevice: string): Promise<BlasStatus | null> {
  // the backend names the BLAS it loaded in its device string ("…; GEMM: OpenBLAS 0.3.21 (…))")
  const loaded = /; GEMM: (.*)\)$/.exec(wasmDevice);
  if (loaded) return { found: true, text: `on ${loaded[1]}` };
  let wasm: typeof import('@edora/backend-wasm/node');
  try {
    wasm = await import('@edora/backend-wasm/node');
  } catch {
    return null;
  }
  if (process.env['EDORA_BLAS'] === 'off') return { found: false, text: 'on the wasm GEMM (EDORA_BLAS=off)' };
  // not loaded: search again, for what was searched and why it failed
  const r = wasm.loadBlas();
  if (r.ok) return { found: true, text: `on ${r.gemm.description}` };
  const searched = r.searched.length > 0 ? `; searched ${r.searched.join(', ')}` : '';
  return { found: false, text: `on the wasm GEMM, 2-4x slower: no system BLAS (${r.reason}${searched}); ${wasm.blasInstallHint()}` };
}

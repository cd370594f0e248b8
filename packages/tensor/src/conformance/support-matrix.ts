import type { BackendV1, OpName } from '../backend/contract.js';
import { TIER0_OPS, TIER1_OPS } from '../backend/contract.js';
import type { DType } from '../dtype.js';

/** Prints which ops and dtypes the backend claims, as a table (the suite's first output). */
export function supportMatrix(backend: BackendV1): string {
  const dtypes: DType[] = ['float32', 'int32', 'float64'];
  const rows = [...TIER0_OPS, ...TIER1_OPS].map((op: OpName) => {
    const tier = (TIER0_OPS as readonly string[]).includes(op) ? '0' : '1';
    return [op, tier, ...dtypes.map((d) => (backend.supportsOp(op, [d]) ? 'yes' : '—'))];
  });
  const header = ['op', 'tier', ...dtypes];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [`support matrix of backend "${backend.name}" (${backend.capabilities.device})`, line(header), ...rows.map(line)].join('\n');
}

export function printSupportMatrix(backend: BackendV1): void {
  console.log(supportMatrix(backend));
}

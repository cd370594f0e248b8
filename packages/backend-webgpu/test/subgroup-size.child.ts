import { createNodeWebGpuBackend } from '../src/node.js';
import { rowReductionChecks } from './row-reductions.js';

// Run by subgroups.test.ts in a fresh process whose environment picks llvmpipe's vector width
// (LP_NATIVE_VECTOR_WIDTH=128 gives subgroups of 4, 512 of 16): the row-reduction checks with
// subgroups on, printed as one JSON line for the parent to assert on.
const b = await createNodeWebGpuBackend({ features: { subgroups: true } });
try {
  const results = await rowReductionChecks(b);
  console.log(JSON.stringify({ features: b.features, device: b.capabilities.device, results }));
} finally {
  b.dispose();
}

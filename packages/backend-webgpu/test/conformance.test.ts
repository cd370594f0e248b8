import { describe } from 'vitest';
import { runConformance } from '@edora/tensor/conformance';
import { adapterHasSubgroups, createTestBackend, noGpuReason } from './gpu.js';

// The suite every backend runs, on Dawn (lavapipe on CI), with the cpu backend's tolerances, once
// with the subgroup reductions and once with the workgroup-memory trees they replace.
const variants = [
  { title: 'subgroup reductions', subgroups: true, skip: adapterHasSubgroups ? null : 'the adapter has no subgroups feature' },
  { title: 'tree reductions (subgroups off)', subgroups: false, skip: null },
];

for (const v of variants) {
  const reason = noGpuReason ?? v.skip;
  describe.skipIf(reason !== null)(`webgpu conformance, ${v.title}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    runConformance({
      name: `webgpu (${v.title})`,
      create: async () => {
        const b = await createTestBackend({ features: { subgroups: v.subgroups } });
        if (b.features.subgroups !== v.subgroups) throw new Error(`expected subgroups ${v.subgroups}, the backend has ${b.features.subgroups}`);
        return b;
      },
    });
  });
}

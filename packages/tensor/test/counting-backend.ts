import { CpuBackend } from '@edora/tensor';

/** A cpu backend that records the name of every op the core hands it, for tests that count work. */
export function countingBackend(): { backend: CpuBackend; ops: string[] } {
  const backend = new CpuBackend('counting');
  const ops: string[] = [];
  const run = backend.run.bind(backend);
  backend.run = ((op, inputs, outputs, attrs) => {
    ops.push(op);
    run(op, inputs, outputs, attrs);
  }) as CpuBackend['run'];
  return { backend, ops };
}

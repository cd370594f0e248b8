import { runConformance } from '@edora/tensor/conformance';
import { CpuBackend } from '@edora/tensor';

// The reference backend runs the same suite every third-party backend runs.
runConformance({ name: 'cpu', create: () => new CpuBackend('cpu-conformance') });

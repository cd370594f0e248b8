/**
 * The end-to-end scenario (tiny-roberta-edora.ts) in the page, on the best backend the page has:
 * webgpu when navigator.gpu gives an adapter, else wasm, else cpu.
 */
import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
import { initBackend, type BackendV1 } from '@edora/tensor';
import { expose } from './expose.js';
import { tinyRobertaEdoraSteps, type EdoraStepsOptions, type EdoraStepsResult } from './tiny-roberta-edora.js';

export interface RobertaPageResult extends EdoraStepsResult {
  backend: string;
  device: string;
  /** Why each better backend could not be created. */
  unavailable: string[];
}

async function bestBackend(unavailable: string[]): Promise<BackendV1> {
  for (const name of ['webgpu', 'wasm']) {
    try {
      return await initBackend(name);
    } catch (err) {
      unavailable.push(`${name}: ${(err as Error).message}`);
    }
  }
  return initBackend('cpu');
}

expose(async (options: EdoraStepsOptions): Promise<RobertaPageResult> => {
  const unavailable: string[] = [];
  const backend = await bestBackend(unavailable);
  try {
    const result = await tinyRobertaEdoraSteps(backend, options);
    return { ...result, backend: backend.name, device: backend.capabilities.device, unavailable };
  } finally {
    await backend.dispose();
  }
});

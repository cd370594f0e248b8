// @edora/models benchmarks: pnpm --filter @edora/models bench (or pnpm bench at the root).
import { main as roberta } from './roberta.js';
import { main as robertaLoad } from './roberta-load.js';

await roberta();
await robertaLoad();

// @edora/models benchmarks: pnpm --filter @edora/models bench (or pnpm bench at the root).
import { main as roberta } from './roberta.js';
import { main as robertaLoad } from './roberta-load.js';
import { main as tokenizer } from './tokenizer.js';

await roberta();
await robertaLoad();
await tokenizer();

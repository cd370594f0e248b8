import type { Page } from 'playwright-core';

/** A short demo run as the form takes it (the e2e test and the tokens/s benchmark fill the same fields). */
export interface DemoRunForm {
  pretrainEpochs: number;
  pretrainSentences: number;
  trainSize: number;
  validationSize: number;
  method: 'edora' | 'dora' | 'lora' | 'lora-xs';
  rank: number;
  epochs: number;
  batchSize: number;
}

/** Fills the model, data and training fields as a person would (the pretraining options sit in a closed <details>). */
export async function fillDemoRun(page: Page, f: DemoRunForm): Promise<void> {
  if (!(await page.$eval('#demo-options', (d) => (d as HTMLDetailsElement).open))) await page.click('#demo-options summary');
  await page.fill('#pretrain-epochs', String(f.pretrainEpochs));
  await page.fill('#pretrain-sentences', String(f.pretrainSentences));
  await page.fill('#train-size', String(f.trainSize));
  await page.fill('#validation-size', String(f.validationSize));
  await page.selectOption('#method', f.method);
  await page.fill('#rank', String(f.rank));
  await page.fill('#epochs', String(f.epochs));
  await page.fill('#batch-size', String(f.batchSize));
}

/** Opens the studio with a backend preference and waits until the worker has started it. */
export async function openStudio(page: Page, origin: string, backend?: string): Promise<string> {
  await page.goto(`${origin}/${backend ? `?backend=${backend}` : ''}`);
  await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.backend !== undefined, null, { timeout: 60_000 });
  return (await page.getAttribute('#backend-status', 'data-backend')) ?? '';
}

/**
 * The screenshots in docs/: the studio as a newcomer meets it (nothing changed, auto backend),
 * before and after pressing Start training, at desktop width, and the finished page at phone
 * width (390 px). Run: pnpm --filter @edora/studio screenshots [out-dir, default docs/ at the repo root]
 */
import { resolve } from 'node:path';
import { launchChromium } from '@edora/browser-tests/chromium';
import { openStudio } from './drive-page.js';
import { serveBuild } from './served-build.js';

const out = resolve(process.argv[2] ?? new URL('../../../docs', import.meta.url).pathname);
const served = await serveBuild();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const backend = await openStudio(page, served.origin);
  await page.screenshot({ path: `${out}/studio-before.png`, fullPage: true });
  const started = Date.now();
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('progress-text')?.textContent?.startsWith('done'), null, { timeout: 1_800_000 });
  await page.waitForFunction(() => document.getElementById('predictions')?.dataset.predictions, null, { timeout: 60_000 });
  const seconds = (Date.now() - started) / 1000;
  await page.screenshot({ path: `${out}/studio-after.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500); // the charts follow their container's width
  await page.screenshot({ path: `${out}/studio-phone.png`, fullPage: true });
  console.log(`backend ${backend}; ${await page.textContent('#metric-result')}`);
  console.log(`${await page.textContent('#progress-text')}; ${seconds.toFixed(0)} s from Start (pretraining the base included)`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  console.log(`horizontal overflow at 390 px: ${overflow} px`);
} finally {
  await browser.close();
  await served.close();
}

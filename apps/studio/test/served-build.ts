import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServedBuild {
  origin: string;
  close(): Promise<void>;
}

/** Builds the studio into a temporary folder and serves that folder with `vite preview` (COOP/COEP headers from vite.config.ts). */
export async function serveBuild(): Promise<ServedBuild> {
  const outDir = await mkdtemp(join(tmpdir(), 'edora-studio-'));
  await build({ root: APP_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root: APP_ROOT, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } });
  const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!origin) throw new Error('vite preview printed no local URL');
  return {
    origin,
    async close() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

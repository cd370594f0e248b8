import { defineConfig } from 'vite';

/**
 * COOP + COEP make the page cross-origin isolated: the wasm backend then shares its memory with
 * Web Workers (SharedArrayBuffer) and trains on every core. Any static host serving dist/ should
 * send the same two headers (dist/_headers says so for hosts that read it); without them the
 * studio still runs, on one wasm thread.
 */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  base: './',
  resolve: { conditions: ['@edora/source', 'browser', 'module', 'import', 'default'] },
  worker: { format: 'es' },
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
  build: { target: 'es2022', outDir: 'dist', chunkSizeWarningLimit: 2000 },
});

// Builds the console into dist/ for the gateway to serve at /console/
// (relative asset URLs, hashed file names, no source maps shipped).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 200 },
});

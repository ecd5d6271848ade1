import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The front end: plain Preact + TypeScript, built to dist/ and served by src/server. */
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Keep CSP strict: no inline module-preload polyfill script.
    modulePreload: { polyfill: false },
  },
  server: {
    // `pnpm --filter @samtal/web dev`: the same /api/<service> layout as the Fastify server.
    proxy: {
      '/api/intake': { target: 'http://127.0.0.1:3000', rewrite: (p) => p.replace(/^\/api\/intake/, '') },
      '/api/desk': {
        target: 'http://127.0.0.1:3002',
        ws: true,
        rewrite: (p) => p.replace(/^\/api\/desk/, ''),
      },
      '/api/dialogue': { target: 'http://127.0.0.1:3003', rewrite: (p) => p.replace(/^\/api\/dialogue/, '') },
      '/api/insights': {
        target: 'http://127.0.0.1:3004',
        ws: true,
        rewrite: (p) => p.replace(/^\/api\/insights/, ''),
      },
    },
  },
});

import { defineConfig } from 'vite';

/** The web app is built into apps/web/dist, which the server serves on the same origin as the API. */
export default defineConfig({
  root: 'src',
  publicDir: '../public',
  build: { outDir: '../dist', emptyOutDir: true, sourcemap: true },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});

import { defineConfig } from 'vite';

/** The web app is built into apps/web/dist, which the server serves on the same origin as the API. */
export default defineConfig({
  root: 'src',
  publicDir: '../public',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: true,
    // Libraries in chunks of their own: each stays cached across releases of the app, and no chunk is huge.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'phone-numbers', test: /node_modules[\\/]libphonenumber-js[\\/]/ },
          ],
        },
      },
    },
  },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});

// Builds the renderer: a static bundle that Electron loads from file:// and the headless shell serves over HTTP.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs, because Electron loads the page from file:// rather than from a server root.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 and current browsers: no legacy transforms.
    target: 'es2022',
    // One bundle read from disk or localhost; splitting it would buy nothing but more requests.
    chunkSizeWarningLimit: 1024,
  },
});

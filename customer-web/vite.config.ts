import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** Where `npm run dev` forwards API and realtime calls (the hub started with `npm run start:hub`). */
const hubUrl = process.env.HUB_URL ?? 'http://127.0.0.1:3000';

// The hub serves this build at `/` (customer site); assets go under /assets/.
export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': hubUrl,
      '/socket.io': { target: hubUrl, ws: true },
    },
  },
});

import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** Where `npm run dev` forwards API and realtime calls (the hub started with `npm run start:hub`). */
const hubUrl = process.env.HUB_URL ?? 'http://127.0.0.1:3000';

// In production the hub serves this app's index.html at /kitchen, /courier, /manager and /login, and its
// assets under /staff/, so the build uses base '/staff/'. The router itself works on '/' (see router.ts).
// The dev server keeps base '/' so that http://localhost:5173/kitchen opens the kitchen screen directly.
export default defineConfig(({ command }) => ({
  base: command === 'build' ? '/staff/' : '/',
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
}));

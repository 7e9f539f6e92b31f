import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** Where `npm run dev` forwards API calls (the hub started with `npm run start:hub`). */
const hubUrl = process.env.HUB_URL ?? 'http://127.0.0.1:3000';

// The hub serves this app only under SECRET_ADMIN_URL, a path known at run time, not at build time:
// the build uses relative URLs (base './') and the hub adds a <base href="<secret path>/"> to the
// page, which the assets and the router both resolve against. The dev server keeps base '/'.
export default defineConfig(({ command }) => ({
  base: command === 'build' ? './' : '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    port: 5174,
    proxy: { '/api': hubUrl },
  },
}));

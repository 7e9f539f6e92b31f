/// <reference types="vite/client" />

// vue-tsc and Vite understand .vue files natively; this shim is for tools that only run plain `tsc`.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare module 'vue-router' {
  interface RouteMeta {
    /** The i18n key of the page title, shown in the browser tab. */
    titleKey?: string;
  }
}

export {};

declare module '*.svelte' {
  import type { Component } from 'svelte';
  // TypeScript sees components only through this declaration (tsc does not read .svelte files), so
  // their props are left open here; each component's props are typed and checked inside it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const component: Component<any>;
  export default component;
}

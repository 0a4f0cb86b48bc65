// Svelte components are default exports by nature; this re-export gives them a named one.
export { default as App } from './App.svelte';

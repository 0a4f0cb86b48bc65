import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Svelte components are compiled for the browser build; their tests run in jsdom.
  plugins: [svelte({ compilerOptions: { css: 'injected' } }), svelteTesting()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/webview/**/*.test.ts', 'test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});

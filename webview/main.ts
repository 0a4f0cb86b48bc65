// First, before any zod schema is built (see the module).
import './lib/zodJitless';
// Registers only the VS Code elements the dashboard uses (each module defines its custom element).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import { mount } from 'svelte';
import { App } from './app';
import { HostBridge } from './lib/hostBridge';

const target = document.getElementById('app');
if (target) {
  // acquireVsCodeApi may be called once per page; the bridge owns the result.
  const bridge = new HostBridge({ api: acquireVsCodeApi(), source: window });
  mount(App, { target, props: { bridge } });
}

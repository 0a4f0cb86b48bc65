// `vscode-test --config bench/host/vscodeTest.config.mjs`: the activation timing suite alone, in the
// same real VS Code host (code-server) and with the same fixtures as the host tests (.vscode-test.mjs).
import { defineConfig } from '@vscode/test-cli';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareStandInKilo, prepareWorkspace, sessionFolder } from '../../test/vscode/hostFixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const session = sessionFolder(root);

export default defineConfig({
  tests: [
    {
      label: 'activation',
      files: [path.join(root, 'out', 'bench-host', 'activationTiming.test.js')],
      useInstallation: { fromPath: path.join(root, 'scripts', 'vscodeHost', 'codeShim.mjs') },
      extensionDevelopmentPath: [root, prepareStandInKilo(root, session)],
      workspaceFolder: prepareWorkspace(root, session),
      skipExtensionDependencies: true,
      env: { CODE_SHIM_STATE_DIR: session, BENCH_ACTIVATION_OUT: process.env.BENCH_ACTIVATION_OUT ?? '' },
      mocha: { ui: 'tdd', timeout: 120_000 },
    },
  ],
});

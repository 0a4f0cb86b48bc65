// `npx vscode-test`: the host tests (test/vscode/suite, built to out/vscode-test by
// scripts/vscodeHost/buildSuite.mjs) in a real VS Code, which is code-server driven by
// scripts/vscodeHost/codeShim.mjs (provisioned by scripts/vscodeHost/setup.sh).
import { defineConfig } from '@vscode/test-cli';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareKiloHome, prepareStandInKilo, prepareWorkspace, sessionFolder } from './test/vscode/hostFixtures.mjs';
import { prepareInterruptedWorkspace } from './test/vscode/interruptedRunFixture.mjs';
import { prepareTypeScriptWorkspace } from './test/vscode/typeScriptWorkspaceFixture.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const session = sessionFolder(root);
const suite = (name) => path.join(root, 'out', 'vscode-test', 'suite', `${name}.test.js`);

export default defineConfig({
  tests: [
    {
      label: 'host',
      // In this order: the commands run in the no-run state before the full run starts one, and
      // the views' test seeds and resumes a run of its own after it.
      files: ['activation', 'commands', 'dashboard', 'orchestratedRun', 'runSummary', 'views', 'firstRun', 'talkToTeam'].map(suite),
      useInstallation: { fromPath: path.join(root, 'scripts', 'vscodeHost', 'codeShim.mjs') },
      // Ours and the stand-in for the Kilo Code extension it depends on.
      extensionDevelopmentPath: [root, prepareStandInKilo(root, session)],
      workspaceFolder: prepareWorkspace(root, session),
      // The dependency is the stand-in above; test-cli would otherwise try to download it.
      skipExtensionDependencies: true,
      env: {
        // The launcher keeps this run's VS Code profile in the run's own folder.
        CODE_SHIM_STATE_DIR: session,
        // Reaches the extension host through code-server's environment.
        KILO_ORCHESTRA_KILO_HOME: prepareKiloHome(session),
      },
      mocha: {
        ui: 'tdd',
        timeout: 120_000,
        reporter: path.join(root, 'test', 'vscode', 'resultsReporter.cjs'),
        reporterOption: { output: path.join(root, 'test-results', 'vscode.json') },
      },
    },
    {
      // A second window, on a workspace where a CLI run was killed with SIGKILL before VS Code started.
      label: 'interrupted',
      files: ['interruptedRun'].map(suite),
      useInstallation: { fromPath: path.join(root, 'scripts', 'vscodeHost', 'codeShim.mjs') },
      extensionDevelopmentPath: [root, prepareStandInKilo(root, session)],
      workspaceFolder: (await prepareInterruptedWorkspace(root, session)).workspace,
      skipExtensionDependencies: true,
      env: { CODE_SHIM_STATE_DIR: session },
      mocha: {
        ui: 'tdd',
        timeout: 120_000,
        reporter: path.join(root, 'test', 'vscode', 'resultsReporter.cjs'),
        // Added to the first window's counts (scripts/test.mjs removes the file before the host tests).
        reporterOption: { output: path.join(root, 'test-results', 'vscode.json'), append: true },
      },
    },
    {
      // A third window, on a TypeScript project: the diagnostics gate with VS Code's own TypeScript extension.
      label: 'diagnostics',
      files: ['diagnosticsGate'].map(suite),
      useInstallation: { fromPath: path.join(root, 'scripts', 'vscodeHost', 'codeShim.mjs') },
      extensionDevelopmentPath: [root, prepareStandInKilo(root, session)],
      workspaceFolder: prepareTypeScriptWorkspace(session),
      skipExtensionDependencies: true,
      env: { CODE_SHIM_STATE_DIR: session, KILO_ORCHESTRA_KILO_HOME: prepareKiloHome(path.join(session, 'typescript')) },
      mocha: {
        ui: 'tdd',
        timeout: 120_000,
        reporter: path.join(root, 'test', 'vscode', 'resultsReporter.cjs'),
        reporterOption: { output: path.join(root, 'test-results', 'vscode.json'), append: true },
      },
    },
  ],
});

// A small TypeScript project as the opened folder of the "diagnostics" host tests
// (test/vscode/suite/diagnosticsGate.test.ts): VS Code's own TypeScript extension checks it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What the project holds before the run; the run's coders add the planned files under src/. */
const FILES = {
  'package.json': `${JSON.stringify({ name: 'library-fines', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  // `types: []`: nothing to find in node_modules, so the bundled TypeScript of VS Code needs no install.
  'tsconfig.json': `${JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', types: [], skipLibCheck: true }, include: ['src'] }, null, 2)}\n`,
  'src/index.ts': "export const LIBRARY = 'Overdue loans';\n",
  'README.md': '# Library fines\n\nA small TypeScript library.\n',
};

/**
 * A fresh TypeScript project in `<session>/typescript/workspace`, committed in its own git
 * repository (Kilo needs a git root). Recreated on each run: the run writes into it.
 */
export function prepareTypeScriptWorkspace(session) {
  const workspace = path.join(session, 'typescript', 'workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  for (const [name, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), text);
  }
  const git = (...args) => {
    const result = spawnSync('git', args, { cwd: workspace, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${workspace}: ${result.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=Host Tests', '-c', 'user.email=host-tests@localhost', 'commit', '-qm', 'typescript sample');
  return workspace;
}

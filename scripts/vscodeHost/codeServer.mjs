// code-server as the VS Code the host tests run in: started on a free loopback port, offline, in a
// process group of its own so one signal ends it with every extension host and Kilo server under it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** User settings that keep the workbench from reaching out or putting pages in front of the tests. */
const OFFLINE_SETTINGS = {
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'git.autoRepositoryDetection': false,
};

/**
 * Where the host lives: the paths setup.sh wrote to .vscode-host/env.sh, unless the environment
 * already names them (`source .vscode-host/env.sh`, or a machine with its own code-server).
 */
export function hostSettings(root) {
  const fromFile = {};
  const envFile = path.join(process.env.VSCODE_HOST_DIR ?? path.join(root, '.vscode-host'), 'env.sh');
  if (fs.existsSync(envFile)) {
    for (const match of fs.readFileSync(envFile, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)) fromFile[match[1]] = match[2];
  }
  const pick = (name) => process.env[name] || fromFile[name];
  const settings = { node: pick('CODE_SERVER_NODE'), entry: pick('CODE_SERVER_ENTRY'), chromium: pick('CHROMIUM') || '/usr/bin/chromium' };
  if (!settings.node || !settings.entry) {
    throw new Error(`No code-server found: run "bash scripts/vscodeHost/setup.sh" first (it writes ${envFile}).`);
  }
  return settings;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/**
 * Starts code-server and resolves once it answers /healthz. `dirs` holds userData, extensions and a
 * scratch folder for TMPDIR and XDG homes, so nothing lands in the user's home.
 */
export async function startCodeServer({ host, port, dirs, log }) {
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensions, { recursive: true });
  fs.mkdirSync(path.join(dirs.scratch, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(OFFLINE_SETTINGS, null, 2));
  const args = [
    host.entry, '--config', '/dev/null', '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    // The packaged workbench reads extensionDevelopmentPath/extensionTestsPath from its URL only with this on.
    '--vscode-option', 'enable-smoke-test-driver',
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
  ];
  const child = spawn(host.node, args, {
    // The test runner's options (VSCODE_TEST_OPTIONS) reach the extension host through this environment.
    env: {
      ...process.env,
      TMPDIR: path.join(dirs.scratch, 'tmp'),
      XDG_DATA_HOME: path.join(dirs.scratch, 'xdg-data'),
      XDG_CONFIG_HOME: path.join(dirs.scratch, 'xdg-config'),
      // A gallery on loopback that does not exist: the server never asks the marketplace.
      EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: `http://127.0.0.1:${port}/no-gallery` }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    log?.(String(chunk));
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  let stopped = false;
  const server = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    /** Ends the server's whole process group (extension hosts and their children included). */
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited'), fetch(`${server.url}/healthz`).then((r) => (r.ok ? 'ready' : 'waiting'), () => 'waiting')]);
    if (state === 'ready') return server;
    if (state === 'exited') throw new Error(`code-server exited before it was ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

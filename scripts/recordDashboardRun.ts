// Records what the dashboard is sent during a real orchestrated run, for the browser tests:
// an OrchestrationRun on the simulated backend (deterministic, on a fixed clock) in a temporary
// git workspace, with the host's DashboardModel attached. Writes
//   test/fixtures/dashboard/recordedRun.json  the whole run: state/reset, roles/didChange, every delta
//   test/fixtures/dashboard/midRun.json       the same, cut where the run enters CODE_IMPLEMENTATION
// Run it with `node scripts/recordDashboardRun.mjs` after a change to the model or the protocol.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MementoLike } from '../extension/config/mementoStore';
import { OrchestrationConfigManager } from '../extension/config/orchestrationConfigManager';
import { RolesTab } from '../extension/config/rolesController';
import { DashboardModel } from '../extension/dashboard/dashboardModel';
import { SimulatedBackend } from '../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../extension/engine/roles/roleValidation';
import type { RolesConfig } from '../extension/engine/roles/roleSchema';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { parseHostMessage, type HostSingleMessage } from '../extension/protocol/dashboardProtocol';
import type { DiscoveredModel, RolesView } from '../extension/protocol/rolesView';

const TASK = 'Add overdue-loan tracking to the library service: a daily job flags loans past due, and members get a reminder';
const FILES = 6;
const BUDGET_USD = 2;
/**
 * As the extension runs. With several agents at once, file I/O decides which coder finishes first,
 * so two recordings may order the coders' work differently; everything else repeats exactly.
 */
const MAX_ACTIVE = 4;
/** 2026-11-23 09:00 UTC; the clock moves 150 ms each time anything reads it, so durations are real but repeatable. */
const CLOCK_START = Date.UTC(2026, 10, 23, 9, 0, 0);
const CLOCK_STEP_MS = 150;
/** The required role the roles tab shows without a profile. */
const UNASSIGNED_REQUIRED_ROLE = 'secondary-coder';

const outDir = path.resolve(process.argv[2] ?? path.join('test', 'fixtures', 'dashboard'));

async function main(): Promise<void> {
  const workspace = gitWorkspace();
  let now = CLOCK_START;
  const clock = (): number => (now += CLOCK_STEP_MS);

  const runRoles = resolveRoles(simulatedRolesConfig());
  const backend = new SimulatedBackend({ files: FILES });
  const run = await OrchestrationRun.create({ workspace, task: TASK, roles: runRoles, backend, maxActive: MAX_ACTIVE, onAttention: 'fail', runId: 'run-20261123-recorded', clock });
  const model = new DashboardModel({ budgetUsd: BUDGET_USD, now: clock });
  const attached = model.attach(run, { roles: runRoles, canRollBack: () => true, backend: backend.kind });

  const roles = await rolesViewWithUnassigned(UNASSIGNED_REQUIRED_ROLE);
  const messages: HostSingleMessage[] = [
    { type: 'state/reset', state: model.state() },
    { type: 'roles/didChange', roles },
  ];
  const listening = model.onMessage((message) => messages.push(onFixedClock(structuredClone(message), now)));
  const report = await run.start();
  listening.dispose();
  attached.dispose();
  fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  if (report.status !== 'COMPLETED') throw new Error(`The recorded run ended ${report.status}: ${report.reason ?? 'no reason'}`);

  for (const message of messages) {
    const parsed = parseHostMessage(message);
    if (!parsed.ok) throw new Error(`The model emitted a message the protocol refuses: ${parsed.problem}`);
  }
  const midIndex = messages.findIndex((message) => message.type === 'run/didChange' && message.run.phase === 'CODE_IMPLEMENTATION');
  if (midIndex < 0) throw new Error('The run never entered CODE_IMPLEMENTATION.');

  const recordedWith = { script: 'scripts/recordDashboardRun.ts', backend: 'simulated', files: FILES, maxActive: MAX_ACTIVE, budgetUsd: BUDGET_USD, task: TASK, unassignedRequiredRole: UNASSIGNED_REQUIRED_ROLE };
  write('recordedRun.json', { recordedWith, messages });
  write('midRun.json', { recordedWith: { ...recordedWith, cutAt: 'the first run/didChange into CODE_IMPLEMENTATION' }, messages: messages.slice(0, midIndex + 1) });
}

/**
 * The artifact store stamps `updatedAt` with the real time; the recording takes the run's fixed
 * clock instead, so recording twice gives the same file.
 */
function onFixedClock(message: HostSingleMessage, now: number): HostSingleMessage {
  if (message.type === 'artifacts/didChange') {
    for (const artifact of message.artifacts) artifact.updatedAt = new Date(now).toISOString();
  }
  return message;
}

/**
 * The roles tab's data for a configuration the user is editing: the simulated one with a required
 * role's profile removed, stored in the extension's config manager (over in-memory stand-ins for
 * VS Code's storage) and read back through the roles tab's host side, so the issues, templates and
 * cost preview are the extension's own. Discovery finds the simulated models, which have no price.
 */
async function rolesViewWithUnassigned(roleId: string): Promise<RolesView> {
  const config = new OrchestrationConfigManager({ globalState: fakeMemento(), workspaceState: fakeMemento() });
  const edited: RolesConfig = simulatedRolesConfig();
  delete edited.assignments[roleId];
  await config.store(edited);
  const discovered: DiscoveredModel[] = edited.profiles.map((profile) => ({ providerID: profile.providerID, modelID: profile.modelID, label: profile.label, connected: true }));
  const discovery = { models: discovered };
  const rolesTab = new RolesTab({
    config,
    discovery: { cached: () => discovery, models: async () => discovery, refresh: async () => discovery },
    dialogs: { pickFolder: async () => undefined, pickFiles: async () => undefined, showInfo: () => undefined },
    isRunLive: () => false,
  });
  return rolesTab.view();
}

/** An in-memory stand-in for VS Code's Memento. */
function fakeMemento(): MementoLike {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: async (key: string, value: unknown) => {
      values.set(key, value);
    },
  };
}

/** A workspace under git with one commit, as a user's project would be. */
function gitWorkspace(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'record-dashboard-'));
  const workspace = path.join(parent, 'library-service');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'README.md'), '# Library service\n');
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=Recorder', '-c', 'user.email=recorder@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: workspace, stdio: 'ignore' });
  };
  git('init', '-q');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'Initial commit');
  return workspace;
}

function write(name: string, value: unknown): void {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  const text = `${JSON.stringify(value, null, 1)}\n`;
  fs.writeFileSync(file, text);
  console.log(`${path.relative(process.cwd(), file)}: ${(value as { messages: unknown[] }).messages.length} messages, ${(text.length / 1024).toFixed(0)} KiB`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

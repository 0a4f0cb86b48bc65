import { describe, expect, it, vi } from 'vitest';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import { WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import { RunLog } from '../../../extension/run/runLog';
import { quietSink } from './sessionFixtures';
import { aRun, aWorkspace } from './unfinishedFixtures';

/** A fake of the few `vscode` parts the offer touches: the open folder, notifications and commands, all recorded. */
const fakeVscode = vi.hoisted(() => ({
  workspace: { workspaceFolders: undefined as Array<{ uri: { scheme: string; fsPath: string } }> | undefined },
  window: {
    shown: [] as string[],
    showInformationMessage: (message: string) => (fakeVscode.window.shown.push(`info: ${message}`), Promise.resolve(undefined)),
    showErrorMessage: (message: string) => (fakeVscode.window.shown.push(`error: ${message}`), Promise.resolve(undefined)),
    showWarningMessage: (message: string) => (fakeVscode.window.shown.push(`warning: ${message}`), Promise.resolve(undefined)),
  },
  commands: { executed: [] as string[], executeCommand: (id: string) => (fakeVscode.commands.executed.push(id), Promise.resolve(undefined)) },
}));
vi.mock('vscode', () => fakeVscode);
const { ResumeOffers } = await import('../../../extension/run/resumeOffer');
type Ask = NonNullable<ConstructorParameters<typeof ResumeOffers>[0]['ask']>;

/** A workspaceState that keeps what it is given, like VS Code's across window reloads. */
function aMemento() {
  const values = new Map<string, unknown>();
  return { keys: () => [...values.keys()], get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback), update: async (key: string, value: unknown) => void values.set(key, value) };
}

/** A fake controller that records what it was asked to start or show. */
function aFakeController() {
  return {
    live: false,
    started: [] as Array<{ task: string; runId: string; simulated: boolean }>,
    shown: [] as string[],
    async start(task: string, _roles: unknown, resume?: { snapshot: { runId: string }; runtime?: unknown }) {
      this.started.push({ task, runId: resume!.snapshot.runId, simulated: resume?.runtime !== undefined });
      return {} as never;
    },
    async showRunFolder(runDir: string) {
      this.shown.push(runDir);
    },
    source: () => ({ state: () => ({ run: undefined }) }),
  };
}

function anOffer(workspace: string, ask: Ask, workspaceState = aMemento()) {
  fakeVscode.workspace.workspaceFolders = [{ uri: { scheme: 'file', fsPath: workspace } }];
  const controller = aFakeController();
  const offers = new ResumeOffers({ workspaceState, ask, log: new RunLog(quietSink), actions: { controller: controller as never, log: new RunLog(quietSink), roles: { resolution: () => ({}) as never } } });
  return { offers, controller, workspaceState };
}

describe('the offer of an unfinished run at activation', () => {
  it('offers the newest run that stopped, once: a second activation with the same workspace state offers nothing', async () => {
    const workspace = aWorkspace();
    await aRun('run-old', '2026-01-01T00:00:01.000Z').paused().writtenIn(workspace);
    await aRun('run-new', '2026-01-01T00:00:02.000Z').interrupted('SIGTERM').writtenIn(workspace);
    const asked: Array<{ message: string; choices: readonly string[] }> = [];
    const ask: Ask = async (message, choices) => (asked.push({ message, choices }), undefined);
    const { offers, workspaceState } = anOffer(workspace, ask);

    await offers.offerAtActivation(workspace);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.choices).toEqual(['Resume', 'Show', 'Discard']);
    expect(asked[0]!.message).toContain('Run run-new ("Add overdue-loan tracking") was interrupted (SIGTERM)');
    expect(asked[0]!.message).toContain('1 more unfinished');
    expect(offers.offers()).toEqual([{ runId: 'run-new', message: asked[0]!.message, answer: 'dismissed' }]);

    const again = anOffer(workspace, ask, workspaceState);
    await again.offers.offerAtActivation(workspace);
    expect(asked).toHaveLength(1);
    expect(again.offers.offers()).toEqual([]);
  });

  it('offers nothing for a finished run or one a live process holds, and starts nothing', async () => {
    const workspace = aWorkspace();
    await aRun('run-done').finished().writtenIn(workspace);
    await aRun('run-live', '2026-01-01T00:00:20.000Z').writtenIn(workspace);
    const held = await WorkspaceLock.acquire(workspace, { runId: 'run-live', by: 'run' });
    const ask = vi.fn<Ask>(async () => undefined);
    const { offers, controller } = anOffer(workspace, ask);
    await offers.offerAtActivation(workspace);
    expect(ask).not.toHaveBeenCalled();
    expect(controller.started).toEqual([]);
    await held.release();
  });

  it('Resume continues the run on the runtime it ran on, Show opens its folder, Discard ends it on disk', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-1').writtenIn(workspace);
    const resumed = anOffer(workspace, async () => 'Resume');
    await resumed.offers.offerAtActivation(workspace);
    expect(resumed.controller.started).toEqual([{ task: 'Add overdue-loan tracking\nwith a second line', runId: 'run-1', simulated: true }]);
    expect(fakeVscode.commands.executed).toContain('kiloOrchestra.openDashboard');

    const shown = anOffer(workspace, async () => 'Show');
    await shown.offers.offerAtActivation(workspace);
    expect(shown.controller.shown).toEqual([runDir]);

    const discarded = anOffer(workspace, async () => 'Discard');
    await discarded.offers.offerAtActivation(workspace);
    expect((await RunStateStore.load(runDir)).workflow.phase).toBe('CANCELLED');
    expect(fakeVscode.window.shown.at(-1)).toMatch(/^info: Run run-1 was discarded/);
  });

  it('an answer given through the test API while the notification is open acts like a click', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-2').writtenIn(workspace);
    const { offers, controller } = anOffer(workspace, () => new Promise(() => undefined));
    const offered = offers.offerAtActivation(workspace);
    const offer = await offers.whenOffered();
    expect(offer.runId).toBe('run-2');
    expect(offers.answer('run-other', 'Show')).toBe(false);
    expect(offers.answer('run-2', 'Show')).toBe(true);
    await offered;
    expect(controller.shown).toEqual([runDir]);
    expect(offers.offers()[0]!.answer).toBe('Show');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import { isResumableEntry, redrawsRuns, runEntry, runItem, runStatusWords, type RunEntry } from '../../../extension/views/runsTree';
import { WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import type { TreeItem } from '../fakes/fakeVscode';
import { aRun as aSnapshot } from '../run/unfinishedFixtures';

vi.mock('vscode', () => import('../fakes/fakeVscode'));
const { RunsTreeProvider } = await import('../../../extension/views/runsView');

/** A run folder as a run leaves it (see unfinishedFixtures), with a two-line task and $0.4567 spent. */
const aRun = (runId: string, second: number) => aSnapshot(runId, `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`).about(`Task of ${runId}\nwith details on a second line`, 0.4567);
const aWorkspace = () => fs.mkdtempSync(path.join(os.tmpdir(), 'runs-view-'));

function anEntry(patch: Partial<RunEntry> = {}): RunEntry {
  return { runId: 'r1', runDir: '/ws/.kilo-orchestra/runs/r1', task: 'Add a report', phase: 'COMPLETED', resumable: false, costUsd: 1.5, startedAt: 's', savedAt: 's', ...patch };
}

describe('runsTree', () => {
  it('says how each run ended or stopped', () => {
    expect(runStatusWords(anEntry())).toBe('Completed');
    expect(runStatusWords(anEntry({ phase: 'FAILED' }))).toBe('Failed');
    expect(runStatusWords(anEntry({ phase: 'PAUSED', pausedFrom: 'PLANNING', interruptedBy: 'SIGTERM' }))).toBe('Interrupted (SIGTERM)');
    expect(runStatusWords(anEntry({ phase: 'PAUSED', pausedFrom: 'PLANNING' }))).toBe('Paused');
    expect(runStatusWords(anEntry({ phase: 'CODE_IMPLEMENTATION' }))).toBe('Stopped in writing the code');
    expect(runStatusWords(anEntry({ phase: 'CODE_IMPLEMENTATION', lockedBy: 'elsewhere' }))).toBe('Running elsewhere · writing the code');
    expect(runStatusWords(anEntry({ phase: 'CODE_IMPLEMENTATION', lockedBy: 'this-window' }))).toBe('Running · writing the code');
    expect(runStatusWords(anEntry({ phase: 'CODE_IMPLEMENTATION' }), { runId: 'r1', live: true, canRollBack: true })).toBe('Running · writing the code');
  });

  it('offers Resume only for a run that stopped before the end and is not running in this window', async () => {
    const workspace = aWorkspace();
    await aRun('paused', 1).paused().writtenIn(workspace);
    await aRun('cut-off', 2).writtenIn(workspace);
    await aRun('done', 3).finished().writtenIn(workspace);
    const load = async (runId: string) => runEntry(await RunStateStore.load(path.join(workspace, '.kilo-orchestra', 'runs', runId)), 'dir');
    expect(isResumableEntry(await load('paused'))).toBe(true);
    expect(isResumableEntry(await load('cut-off'))).toBe(true);
    expect(isResumableEntry(await load('done'))).toBe(false);
    expect(isResumableEntry(await load('cut-off'), { runId: 'cut-off', live: true, canRollBack: false })).toBe(false);
    expect(isResumableEntry(await load('cut-off'), { runId: 'cut-off', live: false, canRollBack: false })).toBe(true);
  });

  it('offers Roll back only on this window’s run once it has a checkpoint', () => {
    expect(runItem(anEntry(), { runId: 'r1', live: false, canRollBack: true }).contextValue).toBe('run rollback');
    expect(runItem(anEntry(), { runId: 'r1', live: false, canRollBack: false }).contextValue).toBe('run');
    expect(runItem(anEntry(), { runId: 'other', live: true, canRollBack: true }).contextValue).toBe('run');
    expect(runItem(anEntry({ phase: 'PAUSED', pausedFrom: 'PLANNING', resumable: true })).contextValue).toBe('run resumable');
  });

  it('redraws for the store, a run folder or a state.json coming and going, soon for the state journal, not for the event log a run appends to', () => {
    expect(redrawsRuns('created', '.kilo-orchestra')).toBe('now');
    expect(redrawsRuns('created', '.kilo-orchestra/runs')).toBe('now');
    expect(redrawsRuns('created', '.kilo-orchestra/runs/r1')).toBe('now');
    expect(redrawsRuns('deleted', '.kilo-orchestra/runs/r1')).toBe('now');
    expect(redrawsRuns('changed', '.kilo-orchestra/runs/r1/state.json')).toBe('now');
    expect(redrawsRuns('created', '.kilo-orchestra/runs/r1/state.json')).toBe('now');
    expect(redrawsRuns('changed', '.kilo-orchestra/runs/r1/events.jsonl')).toBe(false);
    // A live run appends its state journal after every step: the view redraws for it, at most once a second.
    expect(redrawsRuns('changed', '.kilo-orchestra/runs/r1/state.journal.jsonl')).toBe('soon');
    expect(redrawsRuns('created', '.kilo-orchestra/runs/r1/state.json.tmp')).toBe(false);
    expect(redrawsRuns('created', '.kilo-orchestra/checkpoints.git')).toBe(false);
    expect(redrawsRuns('changed', '.kilo-orchestra/runs/r1')).toBe(false);
    expect(redrawsRuns('created', 'src/state.json')).toBe(false);
  });

  it('shows a run by the first line of its task, with status and cost, and opens it on click', () => {
    const item = runItem(anEntry({ task: 'Add overdue-loan tracking\nand more' }));
    expect(item).toMatchObject({ label: 'Add overdue-loan tracking', description: 'Completed · $1.50', command: { command: 'kiloOrchestra.openRun', arguments: ['r1'] } });
  });
});

describe('RunsTreeProvider', () => {
  it('lists the workspace’s run folders newest first, with status, task and cost, and the flags their menus read', async () => {
    const workspace = aWorkspace();
    await aRun('run-done', 1).finished().writtenIn(workspace);
    await aRun('run-signalled', 2).interrupted('SIGTERM').writtenIn(workspace);
    await aRun('run-mine', 3).paused().writtenIn(workspace);
    const provider = new RunsTreeProvider({ workspace: () => workspace, windowRun: () => ({ runId: 'run-mine', live: true, canRollBack: true }), warn: () => undefined });

    const ids = await provider.getChildren();
    expect(ids).toEqual(['run-mine', 'run-signalled', 'run-done']);
    const items = ids.map((id) => provider.getTreeItem(id) as unknown as TreeItem);
    expect(items.map((item) => [item.label, item.description, item.contextValue])).toEqual([
      ['Task of run-mine', 'Paused · $0.46', 'run rollback'],
      ['Task of run-signalled', 'Interrupted (SIGTERM) · $0.46', 'run resumable'],
      ['Task of run-done', 'Completed · $0.46', 'run'],
    ]);
    expect(await provider.getChildren('run-done')).toEqual([]);
  });

  it('does not offer Resume for a run whose lock a live process holds (the CLI in a terminal), and says it runs elsewhere', async () => {
    const workspace = aWorkspace();
    await aRun('run-cli', 1).writtenIn(workspace);
    // Another process's lock: a pid other than this one's, alive (the test runner's parent).
    const lock = await WorkspaceLock.acquire(workspace, { runId: 'run-cli', by: 'cli', pid: process.ppid });
    try {
      const provider = new RunsTreeProvider({ workspace: () => workspace, windowRun: () => undefined, warn: () => undefined });
      const [id] = await provider.getChildren();
      expect(provider.getTreeItem(id!) as unknown as TreeItem).toMatchObject({ description: 'Running elsewhere · writing the code · $0.46', contextValue: 'run' });
    } finally {
      await lock.release();
    }
  });

  it('tells a run this process holds the lock of (a window starting it) from one held elsewhere, and offers Resume for neither', async () => {
    const workspace = aWorkspace();
    await aRun('run-starting', 1).interrupted('SIGTERM').writtenIn(workspace);
    const lock = await WorkspaceLock.acquire(workspace, { runId: 'run-starting', by: 'vscode' });
    try {
      const provider = new RunsTreeProvider({ workspace: () => workspace, windowRun: () => undefined, warn: () => undefined });
      const [id] = await provider.getChildren();
      expect(provider.getTreeItem(id!) as unknown as TreeItem).toMatchObject({ description: 'Running · paused · $0.46', contextValue: 'run' });
    } finally {
      await lock.release();
    }
  });

  it('is empty in a workspace without runs (the view shows its welcome) and without a folder', async () => {
    expect(await new RunsTreeProvider({ workspace: () => aWorkspace(), windowRun: () => undefined, warn: () => undefined }).getChildren()).toEqual([]);
    expect(await new RunsTreeProvider({ workspace: () => undefined, windowRun: () => undefined, warn: () => undefined }).getChildren()).toEqual([]);
  });

  it('skips a run folder whose state it cannot read, and says which', async () => {
    const workspace = aWorkspace();
    await aRun('run-good', 1).finished().writtenIn(workspace);
    const bad = path.join(workspace, '.kilo-orchestra', 'runs', 'run-bad');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'state.json'), JSON.stringify({ formatVersion: 99, savedAt: '2026-01-01T00:00:09.000Z', workflow: { phase: 'PLANNING' } }));
    const warnings: string[] = [];
    const provider = new RunsTreeProvider({ workspace: () => workspace, windowRun: () => undefined, warn: (line) => warnings.push(line) });
    expect(await provider.getChildren()).toEqual(['run-good']);
    expect(warnings).toEqual([expect.stringMatching(/run-bad.*format version 99/)]);
  });

  it('redraws on refresh() and then lists a run written since', async () => {
    const workspace = aWorkspace();
    const provider = new RunsTreeProvider({ workspace: () => workspace, windowRun: () => undefined, warn: () => undefined });
    const fired = vi.fn();
    provider.onDidChangeTreeData(fired);
    expect(await provider.getChildren()).toEqual([]);
    await aRun('run-new', 1).writtenIn(workspace);
    provider.refresh();
    expect(fired).toHaveBeenCalledTimes(1);
    expect(await provider.getChildren()).toEqual(['run-new']);
    expect(provider.entry('run-new')).toMatchObject({ phase: 'CODE_IMPLEMENTATION', costUsd: 0.4567 });
  });
});

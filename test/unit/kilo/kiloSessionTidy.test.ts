import { describe, expect, it } from 'vitest';
import { findReattachable } from '../../../extension/kilo/kiloSessionReattach';
import { archiveRunSessions, sessionMarkOf, sessionMetadata, sessionTitle } from '../../../extension/kilo/kiloSessionTidy';

/** A named fake of the two calls archiving makes: a stored session list and a record of archive calls. */
function aFakeSessionServer(listed: unknown[] | Error, failing: string[] = []) {
  const archived: Array<[string, number]> = [];
  return {
    archived,
    listSessions: (search: string) => (listed instanceof Error ? Promise.reject(listed) : Promise.resolve(listed.filter((s) => JSON.stringify(s).includes(search)))),
    archiveSession: (id: string, atMs: number) => {
      if (failing.includes(id)) return Promise.reject(new Error('HTTP 500'));
      archived.push([id, atMs]);
      return Promise.resolve({ id, cost: 0, tokens: { input: 0, output: 0 } });
    },
  };
}

const ours = (id: string, runId: string, extra: Record<string, unknown> = {}) => ({ id, title: `Orchestra ${runId} · X`, metadata: sessionMetadata(runId, 'architect-1'), time: { created: 1, updated: 1 }, ...extra });

describe('Kilo session titles and archiving', () => {
  it('titles a session with the run and the role name, numbered from the second instance', () => {
    // The names every other surface uses (protocol/vocabulary.ts), a user's own role name first.
    expect(sessionTitle('run-1', { id: 'architect', name: 'Architect' }, 'architect-1')).toBe('Orchestra run-1 · Architect');
    expect(sessionTitle('run-1', { id: 'secondary-coder', name: 'Secondary Coder' }, 'secondary-coder-2')).toBe('Orchestra run-1 · Coder 2');
    expect(sessionTitle('run-1', { id: 'auditor', name: 'Security Auditor' }, 'auditor-1')).toBe('Orchestra run-1 · Security Auditor');
    expect(sessionTitle(undefined, { id: 'organiser', name: 'Organiser' }, 'organiser-1')).toBe('Orchestra · Organiser');
  });

  it('reads back the mark it writes, and nothing from a session that is not ours or is malformed', () => {
    expect(sessionMarkOf({ metadata: sessionMetadata('run-1', 'coder-1') })).toEqual({ runId: 'run-1', agentId: 'coder-1' });
    expect(sessionMarkOf({ title: 'coder-1' })).toBeUndefined();
    expect(sessionMarkOf({ metadata: { kiloOrchestra: { agentId: 42 } } })).toBeUndefined();
  });

  it("archives the sessions this process opened and the run's others the server lists, but not another run's, an archived one or a look-alike", async () => {
    const server = aFakeSessionServer([
      ours('ses_earlier', 'run-1'),
      ours('ses_done', 'run-1', { time: { created: 1, archived: 5 } }),
      ours('ses_other', 'run-10'),
      { id: 'ses_lookalike', title: 'Orchestra run-1 · Architect' },
      { id: 'not a session id', metadata: sessionMetadata('run-1', 'architect-1') },
    ]);
    const count = await archiveRunSessions(server, 'run-1', ['ses_mine'], undefined, () => 77);
    expect(server.archived.sort()).toEqual([
      ['ses_earlier', 77],
      ['ses_mine', 77],
    ]);
    expect(count).toBe(2);
  });

  it('never throws: a list that fails still archives the known sessions, and one that cannot be archived is logged', async () => {
    const lines: string[] = [];
    const server = aFakeSessionServer(new Error('HTTP 404'), ['ses_b']);
    const count = await archiveRunSessions(server, 'run-1', ['ses_a', 'ses_b'], (line) => lines.push(line));
    expect(server.archived.map(([id]) => id)).toEqual(['ses_a']);
    expect(count).toBe(1);
    expect(lines).toEqual([expect.stringContaining('Could not list the Kilo sessions of run run-1'), expect.stringContaining('ses_b of run run-1 was not archived: HTTP 500')]);
  });

  it('a resume re-attaches a session by the agent id in its mark, whatever its title, and not one marked for another agent', async () => {
    const stored: Record<string, unknown> = {
      ses_a: { directory: '/ws', title: sessionTitle('run-1', { id: 'architect', name: 'Architect' }, 'architect-1'), metadata: sessionMetadata('run-1', 'architect-1') },
      ses_b: { directory: '/ws', title: sessionTitle('run-1', { id: 'architect', name: 'Architect' }, 'architect-1'), metadata: sessionMetadata('run-1', 'someone-else') },
    };
    const summary = await findReattachable({ findSession: (id: string) => Promise.resolve(stored[id] as never) }, '/ws', [
      { agentId: 'architect-1', sessionId: 'ses_a' },
      { agentId: 'code-sceptic-1', sessionId: 'ses_b' },
    ]);
    expect([...summary.reattached]).toEqual([['architect-1', 'ses_a']]);
    expect(summary.fresh.map((entry) => entry.agentId)).toEqual(['code-sceptic-1']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseHostMessage } from '../../extension/protocol/dashboardProtocol';
import { finalState, readRecording } from './recording';

// The browser tests replay these recordings; they must still be what the protocol accepts, or the
// dashboard would drop them and the browser tests would fail for the wrong reason.
describe.each(['recordedRun', 'midRun'] as const)('the %s recording', (name) => {
  const recording = readRecording(name);

  it('holds only messages the dashboard protocol accepts', () => {
    const problems = recording.messages.map(parseHostMessage).flatMap((result) => (result.ok ? [] : [result.problem]));
    expect(problems).toEqual([]);
  });

  it('starts with the handshake answer: state/reset, then roles/didChange', () => {
    expect(recording.messages.slice(0, 2).map((message) => message.type)).toEqual(['state/reset', 'roles/didChange']);
  });

  it('carries the config check’s own issue for the required role left without a profile', () => {
    const { roles } = finalState(recording);
    const roleId = recording.recordedWith.unassignedRequiredRole;
    expect(roles.issues).toContainEqual(expect.objectContaining({ code: 'required-unassigned', roleId, severity: 'error' }));
    expect(roles.config.assignments[roleId as string]).toBeUndefined();
  });
});

describe('the recordings', () => {
  it('show the whole run completed in recordedRun and the run in CODE_IMPLEMENTATION in midRun', () => {
    expect(finalState(readRecording('recordedRun')).state.run).toMatchObject({ phase: 'COMPLETED', live: true });
    expect(finalState(readRecording('midRun')).state.run).toMatchObject({ phase: 'CODE_IMPLEMENTATION', live: true });
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_ROLE_INSTANCES, queueNote, scaleTeam, scaledInstances } from '../../../extension/protocol/teamScaling';

describe('the team scales the roles that work on the coders’ files with its coders', () => {
  it('gives the Code Sceptic one agent per coder, never fewer than set, within the role limit and the provider cap', () => {
    expect(scaledInstances('code-sceptic', 1, 4)).toBe(4);
    expect(scaledInstances('code-sceptic', 5, 2)).toBe(5);
    expect(scaledInstances('code-sceptic', 1, 12)).toBe(MAX_ROLE_INSTANCES);
    expect(scaledInstances('code-sceptic', 1, 6, 2)).toBe(2);
    expect(scaledInstances('code-sceptic', 1, 6, 0.5)).toBe(1);
  });

  it('scales the scaffolding, reviews and documentation; leaves switched-off roles and the rest alone', () => {
    expect(scaledInstances('code-sceptic', 0, 4)).toBe(0);
    expect(scaleTeam({ 'secondary-coder': 4, 'code-sceptic': 1, 'primary-coder': 1, 'documentation-writer': 2, architect: 1, debugger: 1 })).toEqual({
      'secondary-coder': 4,
      'code-sceptic': 4,
      'primary-coder': 4,
      'documentation-writer': 4,
      architect: 1,
      debugger: 1,
    });
    expect(scaleTeam({ 'secondary-coder': 4 })).toEqual({ 'secondary-coder': 4 });
  });

  it('uses each role’s own cap', () => {
    expect(scaleTeam({ 'secondary-coder': 6, 'code-sceptic': 1 }, (role) => (role === 'code-sceptic' ? 3 : undefined))['code-sceptic']).toBe(3);
  });

  it('says under the Sceptic that its reviews would queue, and what the run does about it, only when it has fewer agents than coders', () => {
    const team = (sceptics: number, coders: number, active = true) => [
      { id: 'secondary-coder', name: 'Secondary Coder', active: true, instances: coders },
      { id: 'code-sceptic', name: 'Code Sceptic', active, instances: sceptics },
    ];
    expect(queueNote(team(1, 4)[1]!, team(1, 4))).toBe("1 Code Sceptic for 4 coders would make reviews queue: runs use 4 (one per coder, within the provider's limit).");
    expect(queueNote(team(4, 4)[1]!, team(4, 4))).toBeUndefined();
    expect(queueNote(team(1, 4, false)[1]!, team(1, 4, false))).toBeUndefined();
    expect(queueNote(team(1, 4)[0]!, team(1, 4))).toBeUndefined();
    const writer = { id: 'documentation-writer', name: 'Documentation Writer', active: true, instances: 1 };
    expect(queueNote(writer, [...team(4, 2), writer])).toBe("1 Documentation Writer for 2 coders would make documentation queue: runs use 2 (one per coder, within the provider's limit).");
  });
});

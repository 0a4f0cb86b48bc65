import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { nearest } from '../../../extension/engine/util/nearestName';

function problem(raw: unknown): string {
  try {
    parseRolesConfig(raw, 'roles.json');
  } catch (error) {
    expect(isOrchestraError(error, 'invalid-config')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

const profile = { id: 'p1', label: 'P1', providerID: 'anthropic', modelID: 'claude' };

describe('a strict roles file', () => {
  it('refuses an unknown key in a role with the nearest valid name', () => {
    expect(problem({ roles: [{ id: 'architect' }, { id: 'debugger', instance: 2 }] })).toBe('roles.json: roles[1].instance: unknown key; did you mean "instances"?');
  });

  it('refuses unknown keys at the top, in a profile and in its cost, suggesting the nearest name', () => {
    expect(problem({ profile: [] })).toBe('roles.json: profile: unknown key; did you mean "profiles"?');
    expect(problem({ profiles: [{ ...profile, modelId: 'x' }] })).toBe('roles.json: profiles[0].modelId: unknown key; did you mean "modelID"?');
    expect(problem({ profiles: [{ ...profile, cost: { input: 1, ouput: 2 } }] })).toBe('roles.json: profiles[0].cost.ouput: unknown key; did you mean "output"?');
  });

  it('lists the valid keys when nothing is close', () => {
    expect(problem({ zzzzzzzz: 1 })).toMatch(/^roles\.json: zzzzzzzz: unknown key; the keys here are profiles, roles, assignments/);
  });

  it('keeps the testCommand and allowedCommands keys allowed', () => {
    expect(() => parseRolesConfig({ testCommand: 'npm test', allowedCommands: ['npm run lint'] }, 'roles.json')).not.toThrow();
  });

  it('keeps allowControlFiles: exact, workspace-relative control files, the nearest name for a typo', () => {
    expect(parseRolesConfig({ allowControlFiles: ['kilo.json', '.kilo/agent/code.md', '.vscode/settings.json'] }, 'roles.json').allowControlFiles).toEqual(['kilo.json', '.kilo/agent/code.md', '.vscode/settings.json']);
    expect(problem({ allowControlFile: ['kilo.json'] })).toBe('roles.json: allowControlFile: unknown key; did you mean "allowControlFiles"?');
  });

  it('refuses an allowControlFiles entry that is not an exact control file inside the workspace, in one line', () => {
    expect(problem({ allowControlFiles: ['.git/hooks/pre-commit'] })).toBe('roles.json: allowControlFiles[0]: Files under .git/ and .kilo-orchestra/ are never written by agents.');
    expect(problem({ allowControlFiles: ['kilo.json', '.kilo-orchestra/state.json'] })).toMatch(/^roles\.json: allowControlFiles\[1\]: Files under \.git\/ and \.kilo-orchestra\/ are never/);
    expect(problem({ allowControlFiles: ['src/app.js'] })).toMatch(/^roles\.json: allowControlFiles\[0\]: Only control files .* need allowing/);
    for (const name of ['/etc/kilo.json', '../kilo.json', './kilo.json', '.kilo/*', 'C:/kilo.json', '.kilo\\agent.md', '', 'x'.repeat(301)]) {
      expect(problem({ allowControlFiles: [name] }), name).toMatch(/^roles\.json: allowControlFiles\[0\]: [^\n]+$/);
    }
    expect(problem({ allowControlFiles: 'kilo.json' })).toMatch(/^roles\.json: allowControlFiles: /);
  });

  it('refuses a role id or a profile id given twice', () => {
    expect(problem({ roles: [{ id: 'debugger', active: true }, { id: 'architect' }, { id: 'debugger', active: false }] })).toBe(
      'roles.json: roles[2].id: "debugger" is already defined at roles[0]; put all changes to a role in one entry.',
    );
    expect(problem({ profiles: [profile, { ...profile, label: 'again' }] })).toBe('roles.json: profiles[1].id: "p1" is already defined at profiles[0]; give each profile its own id.');
  });

  it('refuses an assignment to an unknown role or profile when resolved, naming the nearest', () => {
    const unknownRole = resolveRoles(parseRolesConfig({ profiles: [profile], assignments: { architekt: 'p1' } }, 'roles.json'));
    expect(unknownRole.errors.map((e) => e.message)).toContain('The assignment for "architekt" names a role that does not exist; did you mean "architect"? Otherwise remove it or define the role under "roles".');
    const unknownProfile = resolveRoles(parseRolesConfig({ profiles: [profile], assignments: { architect: 'p2' } }, 'roles.json'));
    expect(unknownProfile.errors.some((e) => e.code === 'unknown-profile' && e.message.includes('did you mean "p1"?'))).toBe(true);
  });
});

describe('nearest', () => {
  it('finds a typo and ignores what is too far away', () => {
    expect(nearest('instnaces', ['instances', 'active'])).toBe('instances');
    expect(nearest('PROMPT', ['prompt'])).toBe('prompt');
    expect(nearest('colour', ['instances', 'active'])).toBeUndefined();
  });
});

describe('the roles file, fuzzed', () => {
  const keys = fc.constantFrom('profiles', 'roles', 'assignments', 'testCommand', 'allowedCommands', 'id', 'instances', 'active', 'prompt', 'label', 'providerID', 'modelID', 'cost', 'input', 'x', '__proto__', 'constructor');
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(keys, tie('value'), { maxKeys: 5 })),
  })).value;

  it('never crashes on random values: either a config or one invalid-config line', () => {
    fc.assert(
      fc.property(json, (raw) => {
        try {
          const config = parseRolesConfig(raw, 'roles.json');
          resolveRoles(config);
        } catch (error) {
          expect(isOrchestraError(error, 'invalid-config')).toBe(true);
          expect((error as Error).message).not.toContain('\n');
          expect((error as Error).message.startsWith('roles.json: ')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never crashes on random JSON text either', async () => {
    const { loadRolesConfigFile } = await import('../../../extension/engine/roles/rolesConfigFile');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-fuzz-'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), json.map((v) => JSON.stringify(v) ?? 'null'), fc.json()), async (text) => {
        const file = path.join(dir, 'roles.json');
        fs.writeFileSync(file, text);
        try {
          await loadRolesConfigFile(file);
        } catch (error) {
          expect(isOrchestraError(error, 'invalid-config')).toBe(true);
          expect((error as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 300 },
    );
  });
});

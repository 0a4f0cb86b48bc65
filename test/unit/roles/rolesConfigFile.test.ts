import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { loadRolesConfigFile, parseRolesConfig, simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { RolesConfigSchema } from '../../../extension/engine/roles/roleSchema';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestraError } from '../../../extension/engine/util/errors';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-file-'));
});

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function loadError(file: string): Promise<OrchestraError> {
  const error = await loadRolesConfigFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestraError);
  expect((error as OrchestraError).reason).toBe('invalid-config');
  expect((error as OrchestraError).message).not.toContain('\n');
  return error as OrchestraError;
}

describe('loadRolesConfigFile', () => {
  it('reads a valid file', async () => {
    const file = writeFile(
      'roles.json',
      JSON.stringify({ profiles: [{ id: 'fast', label: 'Fast', providerID: 'p', modelID: 'm' }], assignments: { organiser: 'fast' } }),
    );
    await expect(loadRolesConfigFile(file)).resolves.toEqual({
      profiles: [{ id: 'fast', label: 'Fast', providerID: 'p', modelID: 'm' }],
      roles: [],
      assignments: { organiser: 'fast' },
    });
  });

  it('says a missing file does not exist, naming it', async () => {
    const file = path.join(dir, 'absent.json');
    const error = await loadError(file);
    expect(error.message).toBe(`${file}: the roles file does not exist.`);
  });

  it('says where invalid JSON breaks, by line and column', async () => {
    const file = writeFile('bad.json', '{\n  "profiles": [],\n}\n');
    const error = await loadError(file);
    expect(error.message).toMatch(new RegExp(`^${escape(file)}: invalid JSON, .* at line 3, column 1\\.$`));
  });

  it('reports an empty file as invalid JSON', async () => {
    const error = await loadError(writeFile('empty.json', ''));
    expect(error.message).toMatch(/empty\.json: invalid JSON, Unexpected end of JSON input\.$/);
  });

  it('names the JSON path of the first schema problem', async () => {
    const file = writeFile('schema.json', JSON.stringify({ roles: [{ id: 'architect' }, { id: 'Not A Slug' }] }));
    const error = await loadError(file);
    expect(error.message).toBe(`${file}: roles[1].id: A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.`);
  });

  it('explains a bad assignment key instead of a generic record error', async () => {
    const file = writeFile('keys.json', JSON.stringify({ assignments: { Organiser: 'x' } }));
    const error = await loadError(file);
    expect(error.message).toBe(`${file}: assignments.Organiser: A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.`);
  });

  it('keeps only the fields a role entry writes, so a built-in keeps the rest', async () => {
    const file = writeFile('override.json', JSON.stringify({ roles: [{ id: 'secondary-coder', prompt: 'Write Go.' }] }));
    const config = await loadRolesConfigFile(file);
    expect(config.roles).toEqual([{ id: 'secondary-coder', prompt: 'Write Go.' }]);
    const coder = resolveRoles(config).roles.find((role) => role.id === 'secondary-coder')!;
    expect(coder.instances).toBe(2);
    expect(coder.capabilities).toEqual(BUILTIN_ROLES.find((role) => role.id === 'secondary-coder')!.capabilities);
    expect(resolveRoles(config).errors.some((issue) => issue.code === 'builtin-locked')).toBe(false);
  });
});

describe('parseRolesConfig', () => {
  it('names the source in its message', () => {
    expect(() => parseRolesConfig({ profiles: 'none' }, 'settings')).toThrow(/^settings: profiles: /);
  });
});

describe('simulatedRolesConfig', () => {
  const config = simulatedRolesConfig();

  it('is a valid roles configuration', () => {
    expect(() => RolesConfigSchema.parse(config)).not.toThrow();
  });

  it('resolves with every role active and assigned, and no issues', () => {
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([]);
    expect(resolution.warnings).toEqual([]);
    for (const role of BUILTIN_ROLES) expect(resolution.resolve(role.id).role.active).toBe(true);
  });

  it('runs the roles on at least five distinct simulated models', () => {
    const models = new Set(config.profiles.map((profile) => `${profile.providerID}/${profile.modelID}`));
    expect(models.size).toBeGreaterThanOrEqual(5);
    expect(config.profiles.every((profile) => profile.providerID === 'simulated')).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

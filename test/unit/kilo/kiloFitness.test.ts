import { describe, expect, it } from 'vitest';
import { MIN_KILO_VERSION, compareKiloVersions, kiloVersionProblem, parseKiloVersion, probePermissionRules, type ProbeHttp } from '../../../extension/kilo/kiloFitness';
import type { KiloSession } from '../../../extension/kilo/kiloHttp';
import type { PermissionRule } from '../../../extension/kilo/permissionRules';
import { rejection } from '../support/errors';

function compare(a: string, b: string): number {
  return compareKiloVersions(parseKiloVersion(a)!, parseKiloVersion(b)!);
}

describe('Kilo version compare', () => {
  it('orders by major, minor, then patch, numerically', () => {
    expect(compare('7.7.10', '7.7.9')).toBe(1);
    expect(compare('7.0.33', '7.7.2')).toBe(-1);
    expect(compare('8.0.0', '7.99.99')).toBe(1);
    expect(compare('v7.7.7', '7.7.7')).toBe(0);
  });

  it('puts a pre-release before its release and orders pre-releases by their identifiers', () => {
    expect(compare('7.7.7-beta.2', '7.7.7')).toBe(-1);
    expect(compare('7.7.7-beta.2', '7.7.7-beta.10')).toBe(-1);
    expect(compare('7.7.7-alpha', '7.7.7-beta')).toBe(-1);
    expect(compare('7.7.7-1', '7.7.7-alpha')).toBe(-1);
    expect(compare('7.7.7-beta', '7.7.7-beta.1')).toBe(-1);
    expect(compare('7.7.8-beta.1', '7.7.7')).toBe(1);
  });

  it('reads only x.y.z versions (build metadata ignored)', () => {
    expect(parseKiloVersion('7.7.7+linux')).toEqual({ numbers: [7, 7, 7], prerelease: undefined });
    expect(parseKiloVersion('7.7')).toBeUndefined();
    expect(parseKiloVersion('latest')).toBeUndefined();
  });
});

describe('kiloVersionProblem', () => {
  it('accepts the minimum and anything newer', () => {
    expect(kiloVersionProblem(MIN_KILO_VERSION, '/bin/kilo')).toBeUndefined();
    expect(kiloVersionProblem('7.7.9', '/bin/kilo')).toBeUndefined();
    expect(kiloVersionProblem('7.10.0', '/bin/kilo')).toBeUndefined();
  });

  it('refuses 7.7.2, which passes all but the concurrency check of the suite', () => {
    expect(kiloVersionProblem('7.7.2', '/bin/kilo')?.message).toContain('is 7.7.2; Kilo Orchestra needs 7.7.7 or newer');
  });

  it('refuses 7.0.33 in one line naming its version, the minimum and how to get a newer one', () => {
    const problem = kiloVersionProblem('7.0.33', '/opt/kilo/bin/kilo');
    expect(problem?.reason).toBe('invalid-config');
    expect(problem?.hint).toBeUndefined();
    expect(problem?.message).not.toContain('\n');
    expect(problem?.message).toBe(
      `Kilo at /opt/kilo/bin/kilo is 7.0.33; Kilo Orchestra needs ${MIN_KILO_VERSION} or newer to enforce file grants: update the Kilo Code extension, or point kiloOrchestra.kiloPath / --kilo-path at a newer \`kilo\`.`,
    );
  });

  it('refuses a pre-release of the minimum and a version it cannot read', () => {
    expect(kiloVersionProblem(`${MIN_KILO_VERSION}-beta.1`, 'kilo')?.reason).toBe('invalid-config');
    expect(kiloVersionProblem('dev\nbuild', 'kilo')?.message).toMatch(/reports the version "dev\\nbuild", which is not x\.y\.z; .* needs 7\.7\.7 or newer/);
  });
});

/** A fake of the four session calls the probe makes; `keepUpdates` false behaves like Kilo 7.0.33. */
function aProbeHttp(keepUpdates: boolean) {
  const calls: string[] = [];
  let rules: PermissionRule[] = [];
  const session = (): KiloSession => ({ id: 'ses_probe', cost: 0, tokens: { input: 0, output: 0 }, permission: rules });
  const http: ProbeHttp = {
    createSession: async (body) => {
      calls.push('create');
      rules = [...body.permission];
      return session();
    },
    updateSession: async (_id, body) => {
      calls.push('update');
      if (keepUpdates) rules = [...rules, ...body.permission];
      return session();
    },
    getSession: async () => {
      calls.push('get');
      return session();
    },
    deleteSession: async () => {
      calls.push('delete');
      return true;
    },
  };
  return { http, calls };
}

describe('probePermissionRules', () => {
  it('passes when the rules of a session update are read back, and deletes its session', async () => {
    const { http, calls } = aProbeHttp(true);
    await probePermissionRules(http, { version: '7.7.7', binary: 'kilo' });
    expect(calls).toEqual(['create', 'update', 'get', 'delete']);
  });

  it('refuses a Kilo that answers the update but drops its rules, and still deletes its session', async () => {
    const { http, calls } = aProbeHttp(false);
    const error = await rejection(probePermissionRules(http, { version: '7.7.5', binary: '/x/kilo' }));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toMatch(/^Kilo 7\.7\.5 at \/x\/kilo drops the permission rules of a session update, so file grants would not hold; .*--kilo-path/);
    expect(calls.at(-1)).toBe('delete');
  });
});

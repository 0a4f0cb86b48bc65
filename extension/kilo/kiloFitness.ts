/*
 * Is this Kilo fit to run agents with file grants? Two checks at server start: its version against
 * the oldest one the integration suite passes on, and a probe that a session's permission rules are
 * kept. Kilo 7.0.33 answers 200 to a session update and drops the rules it carries, so an agent there
 * has no write limits at all; a 200 answer proves nothing, the rules read back do.
 */
import { z } from 'zod';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { KiloHttp } from './kiloHttp';
import type { PermissionRule } from './permissionRules';

/**
 * The oldest Kilo the whole integration suite passes on (scripts/kiloVersions.mjs fetches every
 * claimed one). 7.7.2 keeps the rules too, but failed the suite's check that two sessions on one
 * model work at the same time (twice, where 7.7.9 passed it on the same tree).
 */
export const MIN_KILO_VERSION = '7.7.7';

export const KILO_UPDATE_HINT = 'update the Kilo Code extension, or point kiloOrchestra.kiloPath / --kilo-path at a newer `kilo`';

interface Version {
  numbers: [number, number, number];
  /** `beta.2` in `7.7.7-beta.2`; a pre-release comes before its release. */
  prerelease: string | undefined;
}

/** `7.7.7`, `v7.7.7`, `7.7.7-beta.2` (build metadata after `+` ignored); undefined when not x.y.z. */
export function parseKiloVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  return { numbers: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer (semver precedence). */
export function compareKiloVersions(a: Version, b: Version): number {
  for (let index = 0; index < 3; index += 1) {
    const difference = a.numbers[index]! - b.numbers[index]!;
    if (difference !== 0) return Math.sign(difference);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return comparePrerelease(a.prerelease.split('.'), b.prerelease.split('.'));
}

function comparePrerelease(a: string[], b: string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const x = a[index];
    const y = b[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const [xNumeric, yNumeric] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (xNumeric && yNumeric && Number(x) !== Number(y)) return Math.sign(Number(x) - Number(y));
    // Numeric identifiers rank below alphanumeric ones.
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    if (!xNumeric && x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The refusal for a Kilo older than `minimum` (or one whose version cannot be read), else undefined.
 * One line, as the CLI prints `invalid-config` errors: the version, the minimum, how to get a newer one.
 */
export function kiloVersionProblem(version: string, binary: string, minimum = MIN_KILO_VERSION): OrchestraError | undefined {
  const found = parseKiloVersion(version);
  const least = parseKiloVersion(minimum);
  if (least === undefined) throw new Error(`Not a version: ${minimum}`);
  if (found !== undefined && compareKiloVersions(found, least) >= 0) return undefined;
  const what = found === undefined ? `reports the version ${JSON.stringify(version.slice(0, 40))}, which is not x.y.z` : `is ${version}`;
  return new OrchestraError('invalid-config', `Kilo at ${binary} ${what}; Kilo Orchestra needs ${minimum} or newer to enforce file grants: ${KILO_UPDATE_HINT}.`);
}

const RulesSchema = z.array(z.object({ permission: z.string(), pattern: z.string(), action: z.string() }).loose());

/** A file name no real work is granted: the probe's rules only mention it. */
const PROBE_FILE = '.kilo-orchestra-fitness-probe';

export type ProbeHttp = Pick<KiloHttp, 'createSession' | 'updateSession' | 'getSession' | 'deleteSession'>;

/**
 * Creates a throw-away session with a deny rule, layers a second ruleset over it the way every turn
 * does (`PATCH /session/{id}`), reads the session back and deletes it. Kilo must keep both rulesets;
 * an older Kilo keeps only the first, so the grants of every turn would be ignored.
 * @throws OrchestraError `invalid-config` when the rules are not kept; Kilo's own failures as they come.
 */
export async function probePermissionRules(http: ProbeHttp, kilo: { version: string; binary: string }, log?: (message: string) => void): Promise<void> {
  const { version, binary } = kilo;
  const created: PermissionRule[] = [{ permission: 'edit', pattern: '*', action: 'deny' }];
  const layered: PermissionRule[] = [...created, { permission: 'edit', pattern: PROBE_FILE, action: 'deny' }];
  const session = await http.createSession({ title: 'Kilo Orchestra permission probe', permission: created });
  try {
    await http.updateSession(session.id, { permission: layered });
    const readBack = RulesSchema.safeParse((await http.getSession(session.id)).permission);
    const kept = readBack.success && layered.every((rule) => readBack.data.some((r) => r.permission === rule.permission && r.pattern === rule.pattern && r.action === rule.action));
    if (!kept) {
      throw new OrchestraError(
        'invalid-config',
        `Kilo ${version} at ${binary} drops the permission rules of a session update, so file grants would not hold; Kilo Orchestra needs a Kilo that keeps them (${MIN_KILO_VERSION} or newer): ${KILO_UPDATE_HINT}.`,
      );
    }
  } finally {
    // The probe must not linger in the user's session list; a failed delete is only noise there.
    await http.deleteSession(session.id).catch((error: unknown) => log?.(`Could not delete the permission probe session ${session.id}: ${describeError(error)}`));
  }
}

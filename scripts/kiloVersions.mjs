#!/usr/bin/env node
/*
 * Fetches the Kilo binaries the project claims to work with into `.kilo-versions/<version>/` (ignored
 * by git), so the integration suite can be run against each one:
 *   node scripts/kiloVersions.mjs [version …]      prints `<version> <path of its kilo>` per line
 *   KILO_ORCHESTRA_KILO_PATH=<path> npx vitest run test/integration
 * Idempotent: a version already extracted is not fetched again. Linux x64 only (the packages exist
 * for other platforms under other names, but CI and the tests run here).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every version the suite is claimed to pass on (oldest first: MIN_KILO_VERSION in extension/kilo/kiloFitness.ts). */
export const CLAIMED_KILO_VERSIONS = ['7.7.7', '7.7.9'];
/** Refused: 7.0.33 drops a session update's permission rules; 7.7.2 fails the suite's concurrency check. */
export const REFUSED_KILO_VERSIONS = ['7.0.33', '7.7.2'];
const PACKAGE = '@kilocode/cli-linux-x64';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KILO_VERSIONS_DIR = path.join(root, '.kilo-versions');

/** The extracted `kilo` of `version`, fetched with `npm pack` if it is not there yet. */
export function kiloBinaryFor(version) {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`Not a Kilo version: ${version}`);
  const dir = path.join(KILO_VERSIONS_DIR, version);
  const binary = path.join(dir, 'package', 'bin', 'kilo');
  if (fs.existsSync(binary)) return binary;
  const staging = fs.mkdtempSync(path.join(KILO_VERSIONS_DIR + '-'));
  try {
    const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${version}`, '--silent', '--pack-destination', staging], { cwd: staging, encoding: 'utf8' }).trim().split('\n').at(-1);
    execFileSync('tar', ['-xzf', path.join(staging, tarball), '-C', staging]);
    fs.chmodSync(path.join(staging, 'package', 'bin', 'kilo'), 0o755);
    fs.rmSync(path.join(staging, tarball));
    fs.mkdirSync(KILO_VERSIONS_DIR, { recursive: true });
    // A rename is atomic: a concurrent or interrupted fetch never leaves a half-extracted binary behind.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const versions = process.argv.length > 2 ? process.argv.slice(2) : [...REFUSED_KILO_VERSIONS, ...CLAIMED_KILO_VERSIONS];
  for (const version of versions) console.log(`${version} ${kiloBinaryFor(version)}`);
}

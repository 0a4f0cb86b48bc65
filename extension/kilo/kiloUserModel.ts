import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseModelRef } from '../engine/roles/kiloDefault';

/** The user's Kilo default model as their config files set it, and the file that set it. */
export interface UserDefaultModel {
  providerID: string;
  modelID: string;
  /** The config file whose `model` won. */
  file: string;
}

/** Global config files, in the order Kilo 7.7 merges them (a later file's `model` wins). */
const GLOBAL_FILES = ['config.json', 'kilo.json', 'kilo.jsonc', 'opencode.json', 'opencode.jsonc'];
/** Project files in the workspace, then in its config folders, in merge order. */
const PROJECT_FILES = ['kilo.json', 'kilo.jsonc', 'opencode.json', 'opencode.jsonc'];
const PROJECT_DIRS = ['.opencode', '.kilocode', '.kilo'];
/** A config file larger than this is not read: it is not a hand-written settings file. */
const MAX_CONFIG_BYTES = 1_000_000;

/**
 * Reads the `model` a `kilo serve` started in `workspace` with this environment would take as its
 * default, before any server runs, so a missing model is reported without a server start. Kilo's
 * own `GET /config` is the authority once a server runs; this follows its merge order as measured
 * on Kilo 7.7.7: `~/.config/kilo/` (XDG_CONFIG_HOME), `KILO_CONFIG`, the workspace's files, then
 * `.opencode/`, `.kilocode/`, `.kilo/` in it. Unreadable or malformed files are skipped.
 */
export function readUserDefaultModel(workspace: string, env: NodeJS.ProcessEnv = process.env): UserDefaultModel | undefined {
  const home = env.HOME ?? os.homedir();
  const configHome = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  const files = [
    ...GLOBAL_FILES.map((name) => path.join(configHome, 'kilo', name)),
    ...(env.KILO_CONFIG ? [env.KILO_CONFIG] : []),
    ...PROJECT_FILES.map((name) => path.join(workspace, name)),
    ...PROJECT_DIRS.flatMap((dir) => PROJECT_FILES.map((name) => path.join(workspace, dir, name))),
  ];
  let found: UserDefaultModel | undefined;
  for (const file of files) {
    const model = parseModelRef(readConfig(file)?.model);
    if (model) found = { ...model, file };
  }
  return found;
}

function readConfig(file: string): Record<string, unknown> | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_CONFIG_BYTES) return undefined;
    const value: unknown = JSON.parse(stripJsonc(fs.readFileSync(file, 'utf8')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Missing, unreadable or not JSON(C): Kilo would refuse it too, and says so itself.
    return undefined;
  }
}

/** JSONC to JSON: drops comments and trailing commas outside strings. */
export function stripJsonc(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else {
      out += ch;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readUserDefaultModel, stripJsonc } from '../../../extension/kilo/kiloUserModel';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A HOME and a workspace with the given files (path relative to the HOME's or workspace's root → model). */
function aSetup(files: { home?: Record<string, string>; workspace?: Record<string, string> }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-user-model-'));
  made.push(root);
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'ws');
  for (const [base, entries] of [[home, files.home ?? {}], [workspace, files.workspace ?? {}]] as const) {
    fs.mkdirSync(base, { recursive: true });
    for (const [file, text] of Object.entries(entries)) {
      fs.mkdirSync(path.dirname(path.join(base, file)), { recursive: true });
      fs.writeFileSync(path.join(base, file), text);
    }
  }
  return { home, workspace, env: { HOME: home } };
}

const model = (ref: string) => JSON.stringify({ model: ref });

describe('readUserDefaultModel (Kilo 7.7 merge order, measured on the real binary)', () => {
  it('reads "model" from ~/.config/kilo/kilo.jsonc with comments and trailing commas', () => {
    const { workspace, env, home } = aSetup({ home: { '.config/kilo/kilo.jsonc': '// mine\n{ "model": "teamproxy/team-model", /* note */ "provider": {}, }\n' } });
    expect(readUserDefaultModel(workspace, env)).toEqual({ providerID: 'teamproxy', modelID: 'team-model', file: path.join(home, '.config/kilo/kilo.jsonc') });
  });

  it('follows XDG_CONFIG_HOME', () => {
    const { workspace, home } = aSetup({ home: { 'xdg/kilo/kilo.json': model('a/b') } });
    expect(readUserDefaultModel(workspace, { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') })).toMatchObject({ providerID: 'a', modelID: 'b' });
  });

  it('lets later files win: global kilo.json over config.json, the workspace over global, .kilo/ over the workspace root', () => {
    const globalOnly = aSetup({ home: { '.config/kilo/config.json': model('p/config'), '.config/kilo/kilo.json': model('p/kilo') } });
    expect(readUserDefaultModel(globalOnly.workspace, globalOnly.env)?.modelID).toBe('kilo');
    const project = aSetup({ home: { '.config/kilo/kilo.json': model('p/global') }, workspace: { 'kilo.json': model('p/project') } });
    expect(readUserDefaultModel(project.workspace, project.env)?.modelID).toBe('project');
    const dotKilo = aSetup({ workspace: { 'kilo.json': model('p/root'), '.kilo/kilo.json': model('p/dot-kilo'), '.kilocode/kilo.json': model('p/dot-kilocode') } });
    expect(readUserDefaultModel(dotKilo.workspace, dotKilo.env)?.modelID).toBe('dot-kilo');
  });

  it('skips a malformed file, a file without a model and a model that is not provider/model', () => {
    const setup = aSetup({ home: { '.config/kilo/kilo.json': model('p/kept') }, workspace: { 'kilo.json': '{ not json', 'opencode.json': model('no-slash'), '.kilo/kilo.json': '{}' } });
    expect(readUserDefaultModel(setup.workspace, setup.env)?.modelID).toBe('kept');
  });
});

describe('stripJsonc', () => {
  it('keeps comment-like text and commas inside strings', () => {
    expect(JSON.parse(stripJsonc('{ "url": "http://x//y", "a": "/* b */", "c": [1, 2,], }'))).toEqual({ url: 'http://x//y', a: '/* b */', c: [1, 2] });
  });
});

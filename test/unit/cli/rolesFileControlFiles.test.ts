import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs, type RunArgs } from '../../../extension/cli/cliArgs';
import { simulatedRuntime } from '../../../extension/cli/runCommand';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-control-files-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function runArgs(roles?: unknown): RunArgs {
  const argv = ['run', '--task', 'Add overdue-loan tracking', '--workspace', temp];
  if (roles !== undefined) {
    const file = path.join(temp, `roles-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(roles));
    argv.push('--roles', file);
  }
  return parseCliArgs(argv) as RunArgs;
}

describe("the roles file's allowControlFiles on the CLI", () => {
  it('is handed to the run by the runtime, and absent without it', async () => {
    const allowing = await simulatedRuntime(runArgs({ allowControlFiles: ['kilo.json'] }));
    const plain = await simulatedRuntime(runArgs({}));
    const none = await simulatedRuntime(runArgs());
    expect(allowing.allowControlFiles).toEqual(['kilo.json']);
    expect(plain.allowControlFiles).toBeUndefined();
    expect(none.allowControlFiles).toBeUndefined();
    await Promise.all([allowing, plain, none].map((runtime) => runtime.dispose()));
  });

  it('refuses a roles file that allows .git/ in one line, before anything starts', async () => {
    await expect(simulatedRuntime(runArgs({ allowControlFiles: ['.git/config'] }))).rejects.toMatchObject({ reason: 'invalid-config', message: expect.stringMatching(/allowControlFiles\[0\]: Files under \.git\/ and \.kilo-orchestra\/ are never written by agents\.$/) });
  });
});

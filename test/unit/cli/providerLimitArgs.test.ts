import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-limits-'));
const run = (...extra: string[]) => parseCliArgs(['run', '--task', 't', '--workspace', workspace, ...extra]);

describe('--provider-limit', () => {
  it('reads PROVIDER=CONCURRENT/PER_MINUTE, repeatable; none leaves the defaults', () => {
    expect(run('--provider-limit', 'anthropic=2/20', '--provider-limit', 'local=1/600')).toMatchObject({
      providerLimits: { anthropic: { maxConcurrent: 2, requestsPerMinute: 20 }, local: { maxConcurrent: 1, requestsPerMinute: 600 } },
    });
    expect(run()).toMatchObject({ command: 'run', providerLimits: undefined });
  });

  it.each([
    [['anthropic=2'], /takes PROVIDER=CONCURRENT\/PER_MINUTE/],
    [['anthropic=0/20'], /at least 1/],
    [['a b=1/1'], /takes PROVIDER=/],
    [['openai=1/1', 'openai=2/2'], /names openai twice/],
  ])('refuses %j in one line', (specs, message) => {
    const argv = specs.flatMap((spec) => ['--provider-limit', spec]);
    expect(() => run(...argv)).toThrow(UsageError);
    expect(() => run(...argv)).toThrow(message);
  });
});

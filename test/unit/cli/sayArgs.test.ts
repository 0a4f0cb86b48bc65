import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';
import { answerLines } from '../../../extension/cli/sayCommand';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'say-args-'));

describe('kilo-orchestra say', () => {
  it('takes the message as the words after the command', () => {
    expect(parseCliArgs(['say', '--workspace', workspace, 'Also add', 'src/report.js'])).toEqual({ command: 'say', workspace, message: { kind: 'say', text: 'Also add src/report.js' } });
  });

  it('answers a proposal with --apply or --dismiss, for a named run', () => {
    expect(parseCliArgs(['say', '--workspace', workspace, '--run', 'run-1', '--apply', 'p2'])).toEqual({ command: 'say', workspace, runId: 'run-1', message: { kind: 'proposal', proposalId: 'p2', apply: true } });
    expect(parseCliArgs(['say', '--workspace', workspace, '--dismiss', 'p2']).command).toBe('say');
  });

  it.each([
    [['say', '--workspace', workspace], /needs a message/],
    [['say', 'hello'], /--workspace is required/],
    [['say', '--workspace', workspace, '--apply', 'p1', '--dismiss', 'p1'], /not both/],
    [['say', '--workspace', workspace, '--apply', '1'], /looks like p1/],
    [['say', '--workspace', workspace, '--apply', 'p1', 'extra words'], /take no message/],
    [['say', '--workspace', workspace, '--quiet', 'hi'], /not an option of say/],
    [['run', '--task', 't', '--workspace', workspace, '--apply', 'p1'], /options of say/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('prints the answer, then what was done, not done, and how to apply a proposal', () => {
    const lines = answerLines(
      {
        ok: true,
        text: 'Adding the report.',
        actions: [
          { status: 'applied', said: 'leave documentation out of this run' },
          { status: 'refused', said: 'add ../x.js to the plan', detail: 'outside the workspace' },
          { status: 'proposed', said: 'add src/report.js to the plan', proposalId: 'p1' },
        ],
      },
      '/work/my lib',
      'run-7',
    );
    expect(lines).toEqual([
      'Adding the report.',
      '  done: leave documentation out of this run',
      '  not done: add ../x.js to the plan — outside the workspace',
      '  proposed (p1): add src/report.js to the plan',
      "    apply: kilo-orchestra say --workspace '/work/my lib' --run run-7 --apply p1",
      "    dismiss: kilo-orchestra say --workspace '/work/my lib' --run run-7 --dismiss p1",
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { runOnRealKilo } from '../../bench/kiloTeamRun';

// A whole run on real `kilo serve` with the scripted model and four coders, read from the
// scripted model's request log: the team grows with its coders, every coder starts at once, and no
// agent's prompt grows with the run. Order and sizes only; times are the benchmark's business.

describe('a run with four coders on real kilo serve', () => {
  it('scales the reviewers, starts every coder before any takes a second turn, keeps each review the size of one file, and deletes finished sessions', async () => {
    const run = await runOnRealKilo({ files: 8, coders: 4, latencyMs: 100 });

    expect(run.status).toBe('COMPLETED');
    expect(run.agentsByRole).toMatchObject({ 'secondary-coder': 4, 'code-sceptic': 4 });
    // Event order: the four coders' first requests all arrived before any coder's second request.
    expect(run.codersStartedTogether, JSON.stringify(run.requests.filter((r) => r.role === 'secondary-coder').map((r) => [r.work?.files[0], r.at]))).toBe(true);

    // One conversation per review: the last file's review is no larger than the first's, give or
    // take a file name's length (a fixed margin, whatever the number of files).
    const reviews = run.reviewPromptChars;
    expect(reviews).toHaveLength(8);
    expect(reviews.at(-1)![1]).toBeLessThanOrEqual(reviews[0]![1] + 100);
    expect(run.requests.filter((r) => r.role === 'code-sceptic' && r.work?.kind === 'review-code').every((r) => r.userMessages === 1)).toBe(true);

    // Finished conversations are deleted: what stays is about one or two per agent (its last and
    // its next), all archived with the run, not one per piece of work.
    const agents = Object.values(run.agentsByRole).reduce((sum, count) => sum + count, 0);
    expect(run.sessionsCreated).toBeGreaterThan(run.sessionsKeptAtEnd);
    expect(run.sessionsKeptAtEnd).toBeLessThanOrEqual(2 * agents);
    expect(run.sessionsAliveAtEnd).toBe(0);
  }, 600_000);
});

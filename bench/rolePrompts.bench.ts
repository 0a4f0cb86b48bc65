// The largest prompt of every role against the plan size, on real `kilo serve` with the scripted
// model: each piece of work runs in a conversation of its own, so no agent's prompt should grow with
// the files it has handled. Counted by the scripted model in o200k tokens from what Kilo actually
// sent (system prompt and messages; the tool definitions, the same in every request of a role, are
// left out as in the coordinator-context figures). One line per plan size, role and kind of work.
// Quick mode runs 4 and 8 files; the full bench 4, 16, 50 and 200.
import { runOnRealKilo } from './kiloTeamRun';
import { emit } from './stats';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [4, 8] : [4, 16, 50, 200];
const CODERS = 4;

async function main(): Promise<void> {
  for (const files of SIZES) {
    // No latency: the figures are sizes, not times.
    const run = await runOnRealKilo({ files, coders: CODERS, latencyMs: 0, countPromptTokens: true });
    const largest = new Map<string, { role: string; kind: string; tokens: number; requests: number }>();
    for (const request of run.requests) {
      const role = request.role ?? '';
      // The Organiser's questions carry no work marker.
      const kind = request.work?.kind ?? (role === 'organiser' ? 'decide' : 'other');
      const key = `${role}\u0000${kind}`;
      const seen = largest.get(key) ?? { role, kind, tokens: 0, requests: 0 };
      seen.tokens = Math.max(seen.tokens, request.promptTokens ?? 0);
      seen.requests += 1;
      largest.set(key, seen);
    }
    for (const entry of largest.values()) emit({ bench: 'rolePrompts', files, coders: CODERS, status: run.status, role: entry.role, kind: entry.kind, largestPromptTokens: entry.tokens, requests: entry.requests });
  }
}

main().catch((error: unknown) => {
  emit({ bench: 'rolePrompts', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});

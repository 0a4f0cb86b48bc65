// The Organiser's context: its size and the time to build it as the number of artifacts grows.
// The claim under test: the context stays within its budget however many artifacts there are.
import { buildOrganiserContext } from '../extension/engine/organiser/organiserContext';
import { countTokens } from '../extension/engine/tokens/tokenCounter';
import { aSnapshot } from '../test/unit/organiser/snapshotBuilder';
import { emit, median, percentile, round } from './stats';

const budget = 2000;
for (const artifacts of [10, 200, 1000, 5000]) {
  const files = Math.max(1, Math.floor(artifacts / 3));
  const snapshot = aSnapshot()
    .withTask('Add overdue-loan tracking to the inventory: due dates on loans, a list of overdue books, and fines. '.repeat(3))
    .withFiles(files, { approved: Math.floor(files * 0.8), working: Math.min(8, files), folders: Math.ceil(files / 40) })
    .withArtifacts(artifacts, (id, i) => `${id}: implements part ${i} of the loan tracking with validation and clear errors for callers`)
    .build();
  buildOrganiserContext(snapshot, budget); // warm-up
  const times: number[] = [];
  let tokens = 0;
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const context = buildOrganiserContext(snapshot, budget);
    times.push(performance.now() - t);
    tokens = context.tokens;
  }
  const context = buildOrganiserContext(snapshot, budget);
  const fullSummaryTokens = snapshot.artifacts.reduce((sum, a) => sum + countTokens(a.summary), 0);
  emit({
    bench: 'organiserContext',
    artifacts,
    files,
    budgetTokens: budget,
    contextTokens: tokens,
    recountedTokens: countTokens(context.text),
    allSummariesTokens: fullSummaryTokens,
    buildMedianMs: round(median(times)),
    buildP90Ms: round(percentile(times, 90)),
  });
}

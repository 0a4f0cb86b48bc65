// An agent's transcript in real Chromium: how long the built webview takes to apply and render one
// agent's parts while its view is open, measured inside the page with performance.now().
//   small  25 parts in one update (an ordinary turn or two), the baseline
//   open   1,000 parts in one update (the agent view opened on a long run, or a reload)
//   burst  1,000 single-part updates in one batch (a busy agent streaming tool calls)
// domMs is until the update is in the DOM; frameMs until the frame after it has been produced.
// Only summaries render (the latest 300 parts); bodies are loaded when a part is opened.
// Needs the built webview (npm run build) and Chromium (CHROMIUM or /usr/bin/chromium).
import type { Browser } from 'playwright-core';
import type { HostMessage, HostSingleMessage } from '../extension/protocol/dashboardProtocol';
import type { TranscriptPartView } from '../extension/protocol/transcriptPart';
import { launchChromium } from '../test/browser/chromium';
import { asPosted, finalState, readRecording } from '../test/browser/recording';
import { openDashboard } from '../test/browser/dashboardPage';
import { startHarnessServer, type HarnessServer } from '../test/browser/harnessServer';
import { emit, median, round } from './stats';

const PARTS = 1000;
const REPETITIONS = process.argv.includes('--quick') ? 3 : 7;

interface Timing {
  domMs: number;
  frameMs: number;
  rows: number;
}

/** `count` parts of one agent: every tenth a text, the rest tool calls of each kind, 25 to a turn. */
function parts(count: number): TranscriptPartView[] {
  const tools = ['read', 'write', 'edit', 'bash', 'glob', 'grep'] as const;
  return Array.from({ length: count }, (_, i): TranscriptPartView => {
    const turn = `w${Math.floor(i / 25)}`;
    if (i % 10 === 0) return { id: `p${i}`, turn, step: `implement src/f${Math.floor(i / 25)}.ts`, atMs: i * 100, kind: 'text', preview: `Reading the plan for part ${i} and what the tests say`, sizes: { text: 400 } };
    const tool = tools[i % tools.length]!;
    return { id: `p${i}`, turn, atMs: i * 100, kind: 'tool', status: 'completed', tool, target: tool === 'bash' ? `npm test -- --run ${i}` : `src/feature/f${i}.ts`, preview: `output of call ${i}`, sizes: { input: 200, output: 12_000 }, ...(tool === 'edit' || tool === 'write' ? { additions: 12, deletions: 3 } : {}) };
  });
}

function update(name: 'small' | 'open' | 'burst', agentId: string): HostMessage {
  if (name === 'small') return { type: 'transcript/partsDidChange', agentId, parts: parts(25) };
  if (name === 'open') return { type: 'transcript/partsDidChange', agentId, parts: parts(PARTS) };
  return { type: 'batch', messages: parts(PARTS).map((part): HostSingleMessage => ({ type: 'transcript/partsDidChange', agentId, parts: [part] })) };
}

async function measure(browser: Browser, server: HarnessServer, message: HostMessage, agentId: string): Promise<Timing> {
  const dashboard = await openDashboard(browser, server, 'light');
  try {
    await dashboard.send(asPosted(readRecording('recordedRun')));
    await dashboard.page.getByTestId(`agent-card-${agentId}`).click();
    await dashboard.page.getByTestId('agent-view').waitFor();
    await dashboard.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const timing = await dashboard.page.evaluate(
      (update) =>
        new Promise<Timing>((resolve) => {
          const t0 = performance.now();
          const applied = (): void => {
            window.removeEventListener('message', applied);
            const domMs = performance.now() - t0;
            requestAnimationFrame(() => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => resolve({ domMs, frameMs: performance.now() - t0, rows: document.querySelectorAll('[data-testid="transcript-part"]').length });
              channel.port2.postMessage(null);
            });
          };
          window.addEventListener('message', applied);
          window.postMessage(update, '*');
        }),
      message,
    );
    if (dashboard.pageErrors.length > 0) throw new Error(`page errors: ${dashboard.pageErrors.join('; ')}`);
    return timing;
  } finally {
    await dashboard.close();
  }
}

async function main(): Promise<void> {
  const server = await startHarnessServer();
  const browser = await launchChromium();
  const agentId = finalState(readRecording('recordedRun')).state.agents[0]!.id;
  try {
    for (const name of ['small', 'open', 'burst'] as const) {
      const message = update(name, agentId);
      const runs: Timing[] = [];
      for (let i = 0; i < REPETITIONS; i += 1) runs.push(await measure(browser, server, message, agentId));
      emit({
        bench: 'transcriptRender',
        case: name,
        ...(name === 'small' ? { baseline: true } : {}),
        parts: name === 'small' ? 25 : PARTS,
        messages: message.type === 'batch' ? message.messages.length : 1,
        rowsRendered: runs[0]!.rows,
        repetitions: REPETITIONS,
        domMsMedian: round(median(runs.map((run) => run.domMs)), 1),
        domMsMax: round(Math.max(...runs.map((run) => run.domMs)), 1),
        frameMsMedian: round(median(runs.map((run) => run.frameMs)), 1),
        frameMsMax: round(Math.max(...runs.map((run) => run.frameMs)), 1),
      });
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// The dashboard in real Chromium under load: how long the built webview takes to apply a large
// update and render it, measured inside the page with performance.now(). Two cases on the recorded
// run scaled up to 1,000 timeline entries and 200 artifacts, and the baseline they are divided by:
//   recorded  one state/reset of the recorded run as it is (opening the dashboard on an ordinary run)
//   open      one state/reset carrying all of it (opening the dashboard on a long run)
//   burst     one batch of 1,200 single-item deltas (the host coalescing a burst of events into one post)
// domMs is until the update is in the DOM; frameMs until the frame after it has been produced.
// Needs the built webview (npm run build) and Chromium (CHROMIUM or /usr/bin/chromium).
import type { Browser } from 'playwright-core';
import type { HostMessage, HostSingleMessage } from '../extension/protocol/dashboardProtocol';
import type { ArtifactView, DashboardState, TimelineEntry } from '../extension/protocol/viewModel';
import { launchChromium } from '../test/browser/chromium';
import { openDashboard } from '../test/browser/dashboardPage';
import { startHarnessServer, type HarnessServer } from '../test/browser/harnessServer';
import { finalState, readRecording } from '../test/browser/recording';
import { emit, median, round } from './stats';

const TIMELINE_ENTRIES = 1000;
const ARTIFACTS = 200;
const REPETITIONS = process.argv.includes('--quick') ? 3 : 7;

interface Timing {
  domMs: number;
  frameMs: number;
}

/** `count` entries continuing the run's timeline, modelled on its own entries. */
function moreTimeline(base: DashboardState, count: number): TimelineEntry[] {
  const last = base.timeline[base.timeline.length - 1]!;
  return Array.from({ length: count }, (_, i) => {
    const model = base.timeline[i % base.timeline.length]!;
    const { durationMs: _duration, ...entry } = model;
    return { ...entry, seq: last.seq + 1 + i, atMs: last.atMs + 250 * (i + 1), title: `${model.title} (${i + 1})` };
  });
}

function moreArtifacts(base: DashboardState, count: number): ArtifactView[] {
  return Array.from({ length: count }, (_, i) => {
    const model = base.artifacts[i % base.artifacts.length]!;
    return { ...model, id: `${model.type}-x${i + 1}`, summary: `${model.summary} (${i + 1})` };
  });
}

function scenarios(): Record<'recorded' | 'open' | 'burst', { before: HostMessage[]; update: HostMessage }> {
  const recording = readRecording('recordedRun');
  const { state, roles } = finalState(recording);
  const timeline = moreTimeline(state, TIMELINE_ENTRIES - state.timeline.length);
  const artifacts = moreArtifacts(state, ARTIFACTS - state.artifacts.length);
  const large: DashboardState = { ...state, timeline: [...state.timeline, ...timeline], artifacts: [...state.artifacts, ...artifacts] };
  const burst: HostSingleMessage[] = [
    ...moreTimeline(state, TIMELINE_ENTRIES).map((entry): HostSingleMessage => ({ type: 'timeline/didChange', entries: [entry] })),
    ...moreArtifacts(state, ARTIFACTS).map((artifact): HostSingleMessage => ({ type: 'artifacts/didChange', artifacts: [artifact] })),
  ];
  return {
    recorded: { before: [{ type: 'roles/didChange', roles }], update: { type: 'state/reset', state } },
    open: { before: [{ type: 'roles/didChange', roles }], update: { type: 'state/reset', state: large } },
    burst: { before: [{ type: 'state/reset', state }, { type: 'roles/didChange', roles }], update: { type: 'batch', messages: burst } },
  };
}

async function measure(browser: Browser, server: HarnessServer, before: HostMessage[], update: HostMessage): Promise<Timing> {
  const dashboard = await openDashboard(browser, server, 'light');
  try {
    await dashboard.send(before);
    // Let the page settle on the earlier messages before timing the update.
    await dashboard.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const timing = await dashboard.page.evaluate(
      (message) =>
        new Promise<Timing>((resolve) => {
          const t0 = performance.now();
          // Added after the dashboard's own listener, so it runs once the dashboard has applied the
          // message and Svelte has flushed its microtask.
          const applied = (): void => {
            window.removeEventListener('message', applied);
            const domMs = performance.now() - t0;
            requestAnimationFrame(() => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => resolve({ domMs, frameMs: performance.now() - t0 });
              channel.port2.postMessage(null);
            });
          };
          window.addEventListener('message', applied);
          window.postMessage(message, '*');
        }),
      update,
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
  const recorded = finalState(readRecording('recordedRun')).state;
  try {
    for (const [name, { before, update }] of Object.entries(scenarios())) {
      const runs: Timing[] = [];
      for (let i = 0; i < REPETITIONS; i += 1) runs.push(await measure(browser, server, before, update));
      emit({
        bench: 'dashboardRender',
        case: name,
        ...(name === 'recorded' ? { baseline: true } : {}),
        timelineEntries: name === 'recorded' ? recorded.timeline.length : TIMELINE_ENTRIES,
        artifacts: name === 'recorded' ? recorded.artifacts.length : ARTIFACTS,
        messages: update.type === 'batch' ? update.messages.length : 1,
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

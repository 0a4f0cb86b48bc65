import type { HostSingleMessage } from '../protocol/dashboardProtocol';
import type { Endpoint } from '../protocol/endpointView';
import type { RolesConfigView, RolesView } from '../protocol/rolesView';
import type { FileChangeView, RunSummaryView } from '../protocol/runSummaryView';
import type { TranscriptPartBody } from '../protocol/transcriptPart';
import type { DashboardState } from '../protocol/viewModel';
import type { Disposable } from '../engine/util/disposable';

/** The live run as the dashboard controls it (implemented by the extension's run session). */
export interface DashboardRunControls {
  pause(): Promise<void>;
  /** Resumes; with `action`, answers the decision the run stopped for (the machine refuses any other); `profileId` for reassign. */
  resume(action?: string, profileId?: string): Promise<void>;
  cancel(): Promise<void>;
  /** A message to the Organiser (`to === 'organiser'`) or to one agent; the answer arrives as chat/transcript updates. */
  send(to: string, text: string): Promise<void>;
  /** Pauses or resumes one agent; the rest of the team goes on. */
  pauseAgent(agentId: string): Promise<void>;
  resumeAgent(agentId: string): Promise<void>;
  /** Applies (`apply`) or dismisses one of the Organiser's proposals; the chat shows the outcome. */
  answerProposal(proposalId: string, apply: boolean): Promise<void>;
  /** Restores the workspace files to checkpoint `index`, or to one the user picks (after a confirmation either way). */
  rollBack(index?: number): Promise<void>;
}

/** A run shown from disk that did not finish: continued in this window, or ended for good (the same code as the commands). */
export interface UnfinishedRunControls {
  resume(runId: string): Promise<void>;
  discard(runId: string): Promise<void>;
}

/** The summary card's diffs (VS Code's diff editor); the file is one the shown summary lists, checked before. */
export interface SummaryDiffs {
  openDiff(summary: RunSummaryView, file: FileChangeView): Promise<void>;
  openChanges(summary: RunSummaryView): Promise<void>;
}

/** The artifact content the dashboard loads on demand. */
export interface ArtifactContent {
  version: number;
  content: string;
  previous?: string;
  language?: string;
}

/** What the dashboard shows: a live run's model or one read back from disk. */
export interface DashboardSource {
  state(): DashboardState;
  /** Deltas after `state()`; the panel coalesces them into batches. */
  onMessage(listener: (message: HostSingleMessage) => void): Disposable;
  loadArtifact(artifactId: string): Promise<ArtifactContent>;
  /** The folded bodies of one transcript part, read from the run folder; without it those requests are refused. */
  loadTranscriptPart?(agentId: string, turn: string, partId: string): Promise<TranscriptPartBody>;
}

/** The roles tab's host side (implemented by the config manager and model discovery). */
export interface RolesController {
  view(): Promise<RolesView>;
  save(config: RolesConfigView): Promise<void>;
  applyTemplate(templateId: RolesView['templates'][number]['id']): Promise<void>;
  importFromFiles(): Promise<void>;
  exportToFiles(): Promise<void>;
  refreshModels(): Promise<void>;
  /** Adds a custom OpenAI-compatible endpoint's models as profiles and stores its key in SecretStorage. */
  addEndpoint(endpoint: Endpoint): Promise<void>;
  onDidChange(listener: () => void): Disposable;
}

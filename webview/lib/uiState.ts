import { z } from 'zod';
import { ARTIFACT_TYPE_NAMES } from '../../extension/protocol/viewModel';

/**
 * What the webview remembers of itself across closing the panel and reloading the window. The run's
 * data is not kept: the host sends the whole state again after `ready`.
 */
export const UiStateSchema = z.object({
  tab: z.enum(['run', 'roles']).catch('run'),
  selectedAgentId: z.string().optional().catch(undefined),
  selectedArtifactId: z.string().optional().catch(undefined),
  artifactFilter: z.enum(['all', ...ARTIFACT_TYPE_NAMES]).catch('all'),
  /** Unsent chat text, by recipient ('organiser' or an agent id). */
  drafts: z.record(z.string(), z.string()).catch({}),
  /** The run whose summary card the user dismissed with Keep. */
  keptSummary: z.string().optional().catch(undefined),
});
export type UiState = z.infer<typeof UiStateSchema>;

export function defaultUiState(): UiState {
  return { tab: 'run', artifactFilter: 'all', drafts: {} };
}

/** Reads a stored state leniently: a missing or damaged field falls back to its default. */
export function parseUiState(raw: unknown): UiState {
  if (typeof raw !== 'object' || raw === null) return defaultUiState();
  const result = UiStateSchema.safeParse({ ...defaultUiState(), ...raw });
  return result.success ? result.data : defaultUiState();
}

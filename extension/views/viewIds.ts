/** The activity-bar container, its views and the commands only they use; a test checks them against package.json. */
export const VIEW_CONTAINER_ID = 'kiloOrchestra';

export const VIEWS = {
  agents: 'kiloOrchestra.agents',
  runs: 'kiloOrchestra.runs',
} as const;

/** Commands the views' menus call (contributed, hidden from the palette where they need an item). */
export const VIEW_COMMANDS = {
  openRun: 'kiloOrchestra.openRun',
  refreshRuns: 'kiloOrchestra.refreshRuns',
} as const;

/** Flags in a tree item's contextValue that the `viewItem` clauses of package.json match. */
export const ITEM_FLAGS = {
  /** A run item that `kiloOrchestra.resumeRun` can continue. */
  resumable: 'resumable',
  /** This window's run, with a checkpoint to roll back to. */
  rollback: 'rollback',
  /** An agent of a live run that can be talked to. */
  talkable: 'talkable',
  /** An agent of a live run that can be paused on its own. */
  pausable: 'pausable',
  /** An agent of a live run paused on its own (or with the run), to resume. */
  agentPaused: 'agentPaused',
} as const;

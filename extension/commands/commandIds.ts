/** Every command the extension contributes; a test checks this list against package.json. */
export const COMMANDS = {
  startOrchestratedTask: 'kiloOrchestra.startOrchestratedTask',
  openDashboard: 'kiloOrchestra.openDashboard',
  pauseAll: 'kiloOrchestra.pauseAll',
  resume: 'kiloOrchestra.resume',
  cancel: 'kiloOrchestra.cancel',
  configureAgentRoles: 'kiloOrchestra.configureAgentRoles',
  explain: 'kiloOrchestra.explain',
  talkToAgent: 'kiloOrchestra.talkToAgent',
  pauseAgent: 'kiloOrchestra.pauseAgent',
  resumeAgent: 'kiloOrchestra.resumeAgent',
  rollBackToCheckpoint: 'kiloOrchestra.rollBackToCheckpoint',
  showLog: 'kiloOrchestra.showLog',
  setProviderKey: 'kiloOrchestra.setProviderKey',
  resumeRun: 'kiloOrchestra.resumeRun',
  discardRun: 'kiloOrchestra.discardRun',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys the commands' `when` / `enablement` clauses read. */
export const CONTEXT_KEYS = {
  runActive: 'kiloOrchestra.runActive',
  runPaused: 'kiloOrchestra.runPaused',
  canRollBack: 'kiloOrchestra.canRollBack',
} as const;

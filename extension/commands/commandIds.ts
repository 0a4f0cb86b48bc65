/** Every command the extension contributes; a test checks this list against package.json. */
export const COMMANDS = {
  startOrchestratedTask: 'kiloOrchestra.startOrchestratedTask',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

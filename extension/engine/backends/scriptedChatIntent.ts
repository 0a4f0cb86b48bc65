import type { ChatAction } from '../organiser/chatReply';

/**
 * The offline stand-ins' Organiser (the simulated backend and the scripted model): a few fixed
 * phrasings of a user's chat message read as actions, so a run without a real model can still show
 * the chat acting. A real model chooses its actions itself; nothing else depends on these patterns.
 *   "Also add src/report.js that lists overdue loans by member" → add-file
 *   "review src/loans.js again" → reopen-file (review) · "skip the docs" / "skip the tests" → skip-step
 *   "set the budget to $5" → set-budget · "pause secondary-coder-2" / "resume secondary-coder-2" → pause/resume-agent
 */
export function scriptedChatActions(message: string): ChatAction[] {
  const text = message.trim();
  const added = /\badd\s+(?:a\s+(?:new\s+)?file\s+)?`?([\w./-]+\.[A-Za-z0-9]+)`?\s*(?:(?:that|which|to|for|:|-)\s*)?(.*)$/i.exec(text);
  if (added) return [{ kind: 'add-file', path: added[1]!, purpose: (added[2] ?? '').trim().replace(/[.]$/, '') || `Asked for by the user: ${text.slice(0, 200)}` }];
  const again = /\breview\s+`?([\w./-]+\.[A-Za-z0-9]+)`?\s+again\b/i.exec(text);
  if (again) return [{ kind: 'reopen-file', path: again[1]!, to: 'review', reason: `The user asked: ${text.slice(0, 200)}` }];
  const skip = /\bskip\s+(?:the\s+)?(docs|documentation|tests|testing)\b/i.exec(text);
  if (skip) return [{ kind: 'skip-step', step: /^doc/i.test(skip[1]!) ? 'documentation' : 'testing' }];
  const paused = /\b(pause|resume)\s+`?([a-z][a-z0-9-]*-\d{1,2})`?/i.exec(text);
  if (paused) return [{ kind: paused[1]!.toLowerCase() === 'pause' ? 'pause-agent' : 'resume-agent', agentId: paused[2]!.toLowerCase() }];
  const budget = /\bbudget\s+(?:to\s+)?\$?(\d+(?:\.\d+)?)/i.exec(text);
  if (budget) return [{ kind: 'set-budget', usd: Number(budget[1]) }];
  return [];
}

/** The stand-in's words for what it did. */
export function scriptedChatAnswer(actions: readonly ChatAction[], status: string): string {
  if (actions.length === 0) return status;
  return `Understood: ${actions.map((action) => action.kind.replace('-', ' ')).join(', ')}. ${status}`;
}

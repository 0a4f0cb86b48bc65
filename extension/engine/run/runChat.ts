import type { ChatAction } from '../organiser/chatReply';
import type { OrganiserChatAnswer } from '../organiser/organiser';
import { describeError } from '../util/errors';
import { toWorkspaceRelative } from '../util/paths';
import { hasWildcard, refusalKind, resolveGrantableFile } from '../util/workspaceFiles';
import type { UserChange } from '../workflow/userChangeSchema';

/** What the run lends the chat: the machine, the checks only the run can make, budgets and agents. */
export interface ChatHost {
  answer(message: string): Promise<OrganiserChatAnswer>;
  /** Feeds USER_CHANGE to the machine; the machine's reason when it refused. */
  change(change: UserChange): Promise<string | undefined>;
  /** The path as the plan names files (workspace-relative), or why it cannot be granted to an agent. */
  grantablePath(path: string): Promise<{ path: string } | { problem: string }>;
  hasProfile(profileId: string): boolean;
  runBudgetUsd(): number | undefined;
  setRunBudget(usd: number | undefined): void;
  /** The agent's answer to the message, in its own session. */
  tellAgent(agentId: string, message: string): Promise<string>;
  pauseAgent(agentId: string): Promise<void>;
  resumeAgent(agentId: string): Promise<void>;
}

export interface ActionNote {
  action: ChatAction;
  /** The action in words: "add src/report.js to the plan". */
  said: string;
  /** For a refused action: why. For a message handed on: the agent's answer. */
  detail?: string;
}

export interface ChatProposal extends ActionNote {
  id: string;
}

export interface ChatOutcome {
  text: string;
  contextTokens: number;
  applied: ActionNote[];
  refused: ActionNote[];
  /** Actions that cost money or undo work: they wait for the user's Apply or Dismiss. */
  proposals: ChatProposal[];
  /** Actions in the Organiser's answer that could not be read, and why. */
  dropped: string[];
}

/**
 * The user's conversation with the Organiser, acting: each action the Organiser chose is checked by
 * the run (paths, profiles) and by the machine (what the state allows); those that cost money or
 * undo approved work wait as proposals for the user, the rest apply at once. Nothing the model says
 * reaches the machine without passing the closed action schema first (see chatReply.ts).
 */
export class RunChat {
  private readonly proposals = new Map<string, ChatProposal>();
  private proposalSeq = 0;

  constructor(private readonly host: ChatHost) {}

  async say(message: string): Promise<ChatOutcome> {
    const answer = await this.host.answer(message);
    const outcome: ChatOutcome = { text: answer.text, contextTokens: answer.contextTokens, applied: [], refused: [], proposals: [], dropped: answer.dropped };
    for (const asked of answer.actions) {
      const checked = await this.checked(asked);
      if ('problem' in checked) {
        outcome.refused.push({ action: asked, said: describeAction(asked), detail: checked.problem });
        continue;
      }
      const { action } = checked;
      if (this.needsConfirmation(action)) {
        const proposal: ChatProposal = { id: `p${++this.proposalSeq}`, action, said: describeAction(action) };
        this.proposals.set(proposal.id, proposal);
        outcome.proposals.push(proposal);
      } else {
        const { note, refused } = await this.apply(action);
        (refused ? outcome.refused : outcome.applied).push(note);
      }
    }
    return outcome;
  }

  /** Proposals not yet applied or dismissed. */
  pending(): ChatProposal[] {
    return [...this.proposals.values()];
  }

  /** Applies a proposal: checked again, as the run may have moved on since it was made. */
  async applyProposal(id: string): Promise<{ applied: boolean; said: string; detail?: string }> {
    const proposal = this.proposals.get(id);
    if (!proposal) return { applied: false, said: `proposal ${id}`, detail: 'There is no such proposal: it was applied or dismissed already, or belongs to an earlier process of the run.' };
    this.proposals.delete(id);
    const checked = await this.checked(proposal.action);
    if ('problem' in checked) return { applied: false, said: proposal.said, detail: checked.problem };
    const { note, refused } = await this.apply(checked.action);
    return { applied: !refused, said: note.said, ...(note.detail !== undefined ? { detail: note.detail } : {}) };
  }

  dismissProposal(id: string): boolean {
    return this.proposals.delete(id);
  }

  /**
   * The action as the machine should see it (paths made workspace-relative), or what the run (not the
   * machine) can tell is wrong with it before it is tried.
   */
  private async checked(action: ChatAction): Promise<{ action: ChatAction } | { problem: string }> {
    switch (action.kind) {
      case 'add-file':
      case 'change-instructions':
      case 'reopen-file': {
        const grantable = await this.host.grantablePath(action.path);
        return 'problem' in grantable ? grantable : { action: { ...action, path: grantable.path } };
      }
      case 'set-role-profile':
      case 'set-agent-profile':
        return this.host.hasProfile(action.profileId) ? { action } : { problem: `There is no profile "${action.profileId}"; add it in the Agent Roles tab first.` };
      default:
        return { action };
    }
  }

  /** More work, more money, or approved work undone: the user says yes first. */
  private needsConfirmation(action: ChatAction): boolean {
    switch (action.kind) {
      case 'add-file':
      case 'reopen-file':
      case 'restore-step':
      case 'set-role-profile':
      case 'set-agent-profile':
      case 'move-work':
        return true;
      case 'set-budget': {
        const current = this.host.runBudgetUsd();
        return action.usd === null ? current !== undefined : current !== undefined && action.usd > current;
      }
      default:
        return false;
    }
  }

  private async apply(action: ChatAction): Promise<{ note: ActionNote; refused: boolean }> {
    const said = describeAction(action);
    switch (action.kind) {
      case 'set-budget':
        this.host.setRunBudget(action.usd ?? undefined);
        return { note: { action, said }, refused: false };
      case 'pause-agent':
      case 'resume-agent':
        try {
          await (action.kind === 'pause-agent' ? this.host.pauseAgent(action.agentId) : this.host.resumeAgent(action.agentId));
          return { note: { action, said }, refused: false };
        } catch (error) {
          return { note: { action, said, detail: describeError(error) }, refused: true };
        }
      case 'tell-agent':
        try {
          return { note: { action, said, detail: await this.host.tellAgent(action.agentId, action.message) }, refused: false };
        } catch (error) {
          return { note: { action, said, detail: describeError(error) }, refused: true };
        }
      default: {
        const why = await this.host.change(action);
        return why === undefined ? { note: { action, said }, refused: false } : { note: { action, said, detail: why }, refused: true };
      }
    }
  }
}

/** An action in plain words, for the chat, the timeline and the CLI. */
export function describeAction(action: ChatAction): string {
  switch (action.kind) {
    case 'add-file':
      return `add ${action.path} to the plan (${action.purpose})`;
    case 'change-instructions':
      return `give new instructions for ${action.path}`;
    case 'reopen-file':
      return action.to === 'review' ? `send ${action.path} back for another review` : `send ${action.path} back to its coder for a fix`;
    case 'skip-step':
      return `leave ${action.step} out of this run`;
    case 'restore-step':
      return `bring ${action.step} back into this run`;
    case 'set-role-profile':
      return `move every ${action.role} to profile ${action.profileId}`;
    case 'set-agent-profile':
      return `move ${action.agentId} to profile ${action.profileId}`;
    case 'move-work':
      return `give ${action.from}'s pending work to ${action.to}`;
    case 'set-budget':
      return action.usd === null ? 'remove the run budget' : `set the run budget to $${action.usd.toFixed(2)}`;
    case 'tell-agent':
      return `pass the message on to ${action.agentId}`;
    case 'pause-agent':
      return `pause ${action.agentId} (its work waits for it)`;
    case 'resume-agent':
      return `let ${action.agentId} go on`;
  }
}

/** `grantablePath` of ChatHost for a workspace: the same rules as a plan's files. */
export async function grantablePathIn(workspace: string, path: string, allowControlFiles: readonly string[]): Promise<{ path: string } | { problem: string }> {
  if (hasWildcard(path)) return { problem: `"${path}" is a pattern, not a file: name one file.` };
  try {
    await resolveGrantableFile(workspace, path, allowControlFiles);
    return { path: toWorkspaceRelative(path) };
  } catch (error) {
    if (refusalKind(error) === undefined) throw error;
    return { problem: describeError(error) };
  }
}

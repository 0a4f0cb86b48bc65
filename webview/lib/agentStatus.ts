import type { AgentStatusView } from '../../extension/protocol/viewModel';

/** How each agent status looks: a symbol and words as well as a colour, so colour is never the only cue. */
export const AGENT_STATUS_LOOK: Record<AgentStatusView, { symbol: string; label: string }> = {
  working: { symbol: '●', label: 'Working' },
  'waiting-rate-limit': { symbol: '◐', label: 'Waiting (rate limit)' },
  'needs-attention': { symbol: '▲', label: 'Needs attention' },
  paused: { symbol: '❚❚', label: 'Paused' },
  done: { symbol: '✓', label: 'Done' },
  idle: { symbol: '○', label: 'Idle' },
  terminated: { symbol: '■', label: 'Stopped' },
};

import type { AgentReply } from '../backends/agentBackend';
import { OrchestraError } from '../util/errors';
import type { RouterMessage } from './messageSchema';

/** An answer read back: the reply, or that the work was aborted, or the failure with its reason. */
export type AnswerOf =
  | { kind: 'reply'; reply: AgentReply }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: OrchestraError };

/**
 * Reads an agent's answer to a request; never throws. The router checked the payload's shape on
 * send (messageSchema.ts), so only what it means is decided here.
 */
export function readAnswer(message: RouterMessage): AnswerOf {
  if (message.messageType === 'status') {
    const { aborted, error } = message.payload.metadata;
    if (aborted === true) return { kind: 'aborted' };
    return { kind: 'failed', error: new OrchestraError('backend-failed', error?.message ?? `${message.from} answered without a result.`, { retryable: error?.retryable ?? true }) };
  }
  if (message.messageType === 'artifact' || message.messageType === 'review') return { kind: 'reply', reply: message.payload.metadata.reply };
  return { kind: 'failed', error: new OrchestraError('invalid-output', `${message.from} answered with a ${message.messageType} message, not a reply or status.`) };
}

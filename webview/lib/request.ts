import type { WebviewRequest } from '../../extension/protocol/dashboardProtocol';

/** A request as a component writes it: the bridge adds the request id. */
export type RequestMessage = WebviewRequest extends infer M ? (M extends { requestId: string } ? Omit<M, 'requestId'> : never) : never;

/** The host's answer to a request (`request/done`), or a timeout/validation failure in user words. */
export interface RequestOutcome {
  ok: boolean;
  error?: string;
}

/** What components get instead of the bridge itself, so tests hand in a fake. */
export type SendRequest = (message: RequestMessage) => Promise<RequestOutcome>;

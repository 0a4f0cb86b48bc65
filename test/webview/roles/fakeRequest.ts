import type { RequestMessage, RequestOutcome, SendRequest } from '../../../webview/lib/request';

interface PendingCall {
  message: RequestMessage;
  resolve: (outcome: RequestOutcome) => void;
}

/**
 * A fake of the bridge's `request`: records every message. It answers `{ ok: true }` at once, or
 * with the outcome queued by `failNext`, or not at all after `hold()` until the test calls
 * `answer`.
 */
export class FakeRequest {
  readonly calls: PendingCall[] = [];
  private readonly queued: RequestOutcome[] = [];
  private holding = false;

  readonly send: SendRequest = (message) =>
    new Promise<RequestOutcome>((resolve) => {
      this.calls.push({ message, resolve });
      if (this.holding) return;
      resolve(this.queued.shift() ?? { ok: true });
    });

  get messages(): RequestMessage[] {
    return this.calls.map((call) => call.message);
  }

  /** The messages of one type, with their fields typed. */
  messagesOf<T extends RequestMessage['type']>(type: T): Extract<RequestMessage, { type: T }>[] {
    return this.messages.filter((message): message is Extract<RequestMessage, { type: T }> => message.type === type);
  }

  failNext(error: string): this {
    this.queued.push({ ok: false, error });
    return this;
  }

  /** Leaves later calls unanswered until `answer`. */
  hold(): this {
    this.holding = true;
    return this;
  }

  answer(index: number, outcome: RequestOutcome): void {
    this.calls[index]!.resolve(outcome);
  }
}

export function aFakeRequest(): FakeRequest {
  return new FakeRequest();
}

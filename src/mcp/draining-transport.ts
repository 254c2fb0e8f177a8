import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * A transport that counts the requests it has received and not yet answered. When the client closes stdin, a tool
 * call may be halfway through a write or a wait; the server drains them (they finish and answer on stdout, which
 * stays open) before it closes the store under them. Counted at the transport, where a request arrives, rather than
 * in the tool handlers, which the SDK calls only after parsing and validating: a request whose bytes came just before
 * stdin's end is counted before the end is seen.
 */
export class DrainingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private readonly unanswered = new Set<RequestId>();
  private answeredAll?: () => void;
  private draining = false;

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      // After a signal stdin may stay open: what arrives once the drain began is not waited for.
      if ('method' in message && 'id' in message && !this.draining) this.unanswered.add(message.id);
      // A cancelled request gets no answer (the protocol says so), so it is not waited for.
      if ('method' in message && message.method === 'notifications/cancelled')
        this.answered((message.params as { requestId?: RequestId } | undefined)?.requestId);
      this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    try {
      await this.inner.send(message, options);
    } finally {
      if (('result' in message || 'error' in message) && 'id' in message) this.answered(message.id);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Resolves once every request received has been answered, or after ms; with how many were left unanswered. */
  async drain(ms: number): Promise<number> {
    this.draining = true;
    if (this.unanswered.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.answeredAll = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.answeredAll = undefined;
    return this.unanswered.size;
  }

  private answered(id: RequestId | undefined): void {
    if (id === undefined) return;
    this.unanswered.delete(id);
    if (this.unanswered.size === 0) this.answeredAll?.();
  }
}

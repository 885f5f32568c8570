import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * Aborts an upstream call when the client goes away or the total time limit
 * passes. A stream already answering ends at the time limit too; when its
 * client has stopped reading (the response's writes are backed up) the
 * connection is closed, as the end would never reach it. One
 * AbortController and one timer per call: cheaper than
 * AbortSignal.any over AbortSignal.timeout, which Node 20 makes costly.
 * Calls made outside a client request (an evaluator's rating) have no
 * client to watch: only the time limit applies.
 */
export class CallSignal {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #outgoing: ServerResponse | undefined;
  readonly #onClose = () => {
    if (!this.#outgoing?.writableFinished) this.#abort('client');
  };
  #reason: 'client' | 'timeout' | undefined;

  readonly #parent: CallSignal | undefined;
  readonly #onParent = () => this.#abort(this.#parent?.reason ?? 'timeout');

  /** `parent`: a call within a longer one (a collaboration stage) ends when that one does. */
  constructor(totalMs: number, c?: Context, parent?: CallSignal) {
    this.#timer = setTimeout(() => this.#abort('timeout'), totalMs);
    this.#parent = parent;
    if (parent) {
      if (parent.signal.aborted) queueMicrotask(this.#onParent);
      else parent.signal.addEventListener('abort', this.#onParent, { once: true });
    }
    this.#outgoing = (c?.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (this.#outgoing) this.#outgoing.once('close', this.#onClose);
    else c?.req.raw.signal.addEventListener('abort', () => this.#abort('client'), { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the call was aborted, if it was. */
  get reason(): 'client' | 'timeout' | undefined {
    return this.#reason;
  }

  /** The call is over: stop the timer and stop listening. */
  done(): void {
    clearTimeout(this.#timer);
    this.#outgoing?.off('close', this.#onClose);
    this.#parent?.signal.removeEventListener('abort', this.#onParent);
  }

  #abort(reason: 'client' | 'timeout'): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.done();
    this.#controller.abort(reason === 'timeout' ? new DOMException('total timeout', 'TimeoutError') : undefined);
    // The abort ended the stream (its error event is queued), but a client that stopped reading
    // holds the response's writes until it reads again, if ever: its connection is closed instead.
    const out = this.#outgoing;
    if (reason === 'timeout' && out?.headersSent && out.writableNeedDrain) out.destroy();
  }
}

import type { Readable } from 'node:stream';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { GatewayError } from '../errors.js';
import type { StreamTranslator } from '../providers/index.js';
import type { StreamEgress } from '../request/operations.js';
import type { Usage } from '../request/usage.js';

export interface StreamTap {
  /** Called with each event's payload at the upstream operation's level (usage accounting). */
  onEvent(payload: unknown): void;
  /** Called once: after the last chunk, on failure, or when the client leaves. */
  onEnd(outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError): void;
}

/** How a relayed stream can go wrong after its first byte, as the client should read it. */
export interface StreamErrors {
  transport: (err: unknown) => GatewayError;
  /** An event whose data is not JSON. */
  malformed: () => GatewayError;
  /** A line, or an event being assembled, longer than the limit: the backend is not sending events. */
  lineTooLong: (limit: number) => GatewayError;
  /** The body ended before the backend said the answer was complete. */
  incomplete: () => GatewayError;
}

export interface RelayOptions {
  body: Readable;
  chunks: AsyncIterator<Buffer>;
  /** The chunk already read (failover was decided before it). */
  first: Buffer;
  tap: StreamTap;
  errors: StreamErrors;
  maxLineBytes: number;
  /** The backend's protocol -> payloads of the upstream operation (Anthropic, Triton). */
  translator?: StreamTranslator | undefined;
  /** The upstream operation's end-of-answer event (used when there is no translator). */
  done: (event: EventSourceMessage, payload: unknown) => boolean;
  /** The client's framing (a front door's events); absent = OpenAI's `data:` framing. */
  egress?: StreamEgress | undefined;
  /** Payloads the client must not get (a usage chunk it did not ask for). */
  hide?: ((payload: unknown) => boolean) | undefined;
  /** The answer's usage so far: reported, else counted (a door's egress reports it at the end). */
  usage: () => Usage;
  /** The client's framing of an error event (its front door's). */
  errorFrame: (error: GatewayError) => string;
  /**
   * The call: when it is aborted (its total time limit, the client leaving)
   * the stream ends then, whether or not the client is reading it.
   */
  call?: { readonly signal: AbortSignal; readonly reason: 'client' | 'timeout' | undefined } | undefined;
}

const encoder = new TextEncoder();
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Bytes after the last line break of `chunk`, or -1 when it holds none. */
function tailAfterBreak(chunk: Buffer): number {
  const at = Math.max(chunk.lastIndexOf(NEWLINE), chunk.lastIndexOf(CARRIAGE_RETURN));
  return at < 0 ? -1 : chunk.length - at - 1;
}

/** Stops reading a backend body; undici reports the abort as an error event, which nothing needs. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Relays a backend's event stream to the client with backpressure (a chunk is
 * read only when the client side asks for one), from the chunk already read.
 * A side parser sees every event (usage accounting, the end marker). When
 * nothing needs changing the backend's bytes pass through unchanged;
 * otherwise events are re-framed: translated from the backend's protocol,
 * framed as the client's front door (`egress`), or with hidden payloads left
 * out. A failure after the first byte cannot be failed over, so it ends the
 * stream with an error event in the client's framing: so do an event whose
 * data is not JSON, a line longer than `maxLineBytes` or an event whose
 * lines add up to more (many short `data:` lines without the blank line
 * that ends an event are joined in memory), and a body that ends
 * before the end marker. The client leaving destroys the backend body, which
 * aborts the upstream request. The call being aborted ends the stream at
 * once, without waiting for the client to ask for more: a client that keeps
 * its connection open but stops reading must not keep the call (its
 * concurrency slot, its lease) past the total time limit. Every way out ends
 * the stream once (`tap.onEnd`).
 */
export function relaySse(o: RelayOptions): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const raw = !o.translator && !o.egress && !o.hide;
  let malformed = false;
  // The event being assembled (its data lines and the open line) passed maxLineBytes.
  let tooLong = false;
  let sawDone = false;
  // An error event was already sent (the backend's, or a translated one): the stream ends there.
  let sawError = false;
  let out = '';
  const frame = (payload: unknown, data?: string) => {
    if (o.hide?.(payload)) return;
    out += o.egress ? o.egress.payload(payload) : `data: ${data ?? JSON.stringify(payload)}\n\n`;
  };
  const see = (payload: unknown, data?: string) => {
    if (payload !== null && typeof payload === 'object' && 'error' in payload) sawError = true;
    o.tap.onEvent(payload);
    if (!raw) frame(payload, data);
  };
  const parser = createParser({
    // Counted in characters, which never outnumber the bytes they were decoded from.
    maxBufferSize: o.maxLineBytes,
    onError(err) {
      if (err.type === 'max-buffer-size-exceeded') tooLong = true;
    },
    onEvent(event) {
      if (malformed) return;
      try {
        if (o.translator) {
          for (const payload of o.translator.event(event)) see(payload);
          return;
        }
        if (event.data === '[DONE]') {
          sawDone ||= o.done(event, undefined);
          return;
        }
        const payload: unknown = JSON.parse(event.data);
        sawDone ||= o.done(event, payload);
        see(payload, event.data);
      } catch {
        malformed = true;
      }
    },
  });
  let ended = false;
  let pending: Buffer | undefined = o.first;
  let lineBytes = 0;
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const end = (outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError) => {
    if (ended) return;
    ended = true;
    o.call?.signal.removeEventListener('abort', onAbort);
    o.tap.onEnd(outcome, error);
  };
  // No pull() may ever come (the client stopped reading): the abort ends the stream itself.
  const onAbort = () => {
    if (ended || !stream || !o.call) return;
    discard(o.body);
    if (o.call.reason === 'client') {
      end('client_closed');
      stream.close();
    } else {
      fail(stream, o.errors.transport(o.call.signal.reason), raw ? '\n\n' : '');
    }
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: GatewayError, prefix: string) => {
    end('error', error);
    controller.enqueue(encoder.encode(`${prefix}${o.errorFrame(error)}`));
    controller.close();
  };
  const flush = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (out) controller.enqueue(encoder.encode(out));
    out = '';
  };
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    parser.feed(decoder.decode());
    if (tooLong) return fail(controller, o.errors.lineTooLong(o.maxLineBytes), '\n\n');
    flush(controller);
    const complete = o.translator ? o.translator.complete : sawDone;
    if (complete) {
      const last = raw ? undefined : o.egress ? await o.egress.end(o.usage()) : 'data: [DONE]\n\n';
      if (ended) return;
      if (last) controller.enqueue(encoder.encode(last));
      end('ok');
      controller.close();
    } else if (sawError) {
      end('error', o.errors.incomplete());
      controller.close();
    } else {
      fail(controller, o.errors.incomplete(), raw ? '\n\n' : '');
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream = controller;
        if (!o.call) return;
        if (o.call.signal.aborted) onAbort();
        else o.call.signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        try {
          // A pull that enqueues nothing is never repeated (highWaterMark 0): read until there is something to send.
          for (;;) {
            let chunk = pending;
            pending = undefined;
            if (!chunk) {
              const next = await o.chunks.next();
              // The call was aborted while waiting: the stream has already ended.
              if (ended) return;
              if (next.done) return await finish(controller);
              chunk = next.value;
            }
            const tail = tailAfterBreak(chunk);
            lineBytes = tail < 0 ? lineBytes + chunk.length : tail;
            if (lineBytes > o.maxLineBytes) {
              discard(o.body);
              return fail(controller, o.errors.lineTooLong(o.maxLineBytes), '\n\n');
            }
            parser.feed(decoder.decode(chunk, { stream: true }));
            if (tooLong) {
              discard(o.body);
              return fail(controller, o.errors.lineTooLong(o.maxLineBytes), '\n\n');
            }
            if (malformed) {
              // Hold this chunk back: end any partial event, then say what went wrong.
              discard(o.body);
              return fail(controller, o.errors.malformed(), '\n\n');
            }
            if (raw && chunk.length) return controller.enqueue(chunk);
            if (!raw && out) return flush(controller);
          }
        } catch (err) {
          if (ended) return;
          fail(controller, o.errors.transport(err), '');
        }
      },
      cancel() {
        end('client_closed');
        discard(o.body);
      },
    },
    { highWaterMark: 0 },
  );
}

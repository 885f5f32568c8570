import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import type { GatewayError } from '../errors.js';
import type { StreamTranslator } from '../providers/index.js';

export interface StreamTap {
  /** Called with each SSE event's JSON payload (unparseable events are skipped). */
  onEvent(payload: unknown): void;
  /** Called once: after the last chunk, on failure, or when the client leaves. */
  onEnd(outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError): void;
}

/** How a relayed stream can go wrong after its first byte, as the client should read it. */
export interface StreamErrors {
  transport: (err: unknown) => GatewayError;
  /** An event whose data is not JSON. */
  malformed: () => GatewayError;
  /** A line longer than the limit: the backend is not sending events. */
  lineTooLong: (limit: number) => GatewayError;
  /** The body ended before the backend said the answer was complete ([DONE]). */
  incomplete: () => GatewayError;
}

const encoder = new TextEncoder();
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Stops reading a backend body; undici reports the abort as an error event, which nothing needs. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Bytes after the last line break of `chunk`, or -1 when it holds none. */
function tailAfterBreak(chunk: Buffer): number {
  const at = Math.max(chunk.lastIndexOf(NEWLINE), chunk.lastIndexOf(CARRIAGE_RETURN));
  return at < 0 ? -1 : chunk.length - at - 1;
}

/**
 * Passes a backend's SSE body to the client chunk by chunk, unchanged,
 * starting with the chunk already read (failover is decided before it).
 * Backpressure: a chunk is read from the backend only when the client side
 * asks for one (highWaterMark 0). A side parser sees each event for usage
 * accounting. A failure after the first byte cannot be failed over, so it
 * ends the stream with an OpenAI-shaped SSE error event: so do an event whose
 * data is not JSON (it is not forwarded), a line longer than
 * `maxLineBytes` (the parser would buffer it whole), and a body that ends
 * before the backend's end marker ([DONE], or the translator's own). The
 * client leaving destroys the backend body, which aborts the upstream request.
 */
export function relaySse(
  body: Readable,
  chunks: AsyncIterator<Buffer>,
  first: Buffer,
  tap: StreamTap,
  errors: StreamErrors,
  maxLineBytes: number,
  translator?: StreamTranslator,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let malformed = false;
  let sawDone = false;
  // The backend (or the translator) already sent an error event: the stream ends there, no second error.
  let sawError = false;
  // With a translator, the client gets the translated events, not the backend's bytes.
  let translated = '';
  const see = (payload: unknown) => {
    if (payload !== null && typeof payload === 'object' && 'error' in payload) sawError = true;
    tap.onEvent(payload);
  };
  const parser = createParser({
    onEvent(event) {
      if (malformed) return;
      if (event.data === '[DONE]') {
        sawDone = true;
        return;
      }
      try {
        if (translator) {
          for (const payload of translator.event(event)) {
            see(payload);
            translated += `data: ${JSON.stringify(payload)}\n\n`;
          }
        } else {
          see(JSON.parse(event.data));
        }
      } catch {
        malformed = true;
      }
    },
  });
  let ended = false;
  let pending: Buffer | undefined = first;
  let lineBytes = 0;
  const end = (outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError) => {
    if (ended) return;
    ended = true;
    tap.onEnd(outcome, error);
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: GatewayError, prefix: string) => {
    end('error', error);
    controller.enqueue(encoder.encode(`${prefix}data: ${JSON.stringify(error.toJSON())}\n\n`));
    controller.close();
  };
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    parser.feed(decoder.decode());
    if (translator && translated) controller.enqueue(encoder.encode(translated));
    const complete = translator ? translator.complete : sawDone;
    if (complete) {
      if (translator) controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      end('ok');
      controller.close();
    } else if (sawError) {
      end('error', errors.incomplete());
      controller.close();
    } else {
      fail(controller, errors.incomplete(), '\n\n');
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          let chunk = pending;
          pending = undefined;
          if (!chunk) {
            const next = await chunks.next();
            if (next.done) {
              finish(controller);
              return;
            }
            chunk = next.value;
          }
          const tail = tailAfterBreak(chunk);
          lineBytes = tail < 0 ? lineBytes + chunk.length : tail;
          if (lineBytes > maxLineBytes) {
            discard(body);
            fail(controller, errors.lineTooLong(maxLineBytes), '\n\n');
            return;
          }
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (malformed) {
            // Hold this chunk back: end any partial event, then say what went wrong.
            discard(body);
            fail(controller, errors.malformed(), '\n\n');
            return;
          }
          if (!translator) controller.enqueue(chunk);
          else if (translated) {
            controller.enqueue(encoder.encode(translated));
            translated = '';
          }
        } catch (err) {
          if (ended) return;
          fail(controller, errors.transport(err), '');
        }
      },
      cancel() {
        end('client_closed');
        discard(body);
      },
    },
    { highWaterMark: 0 },
  );
}

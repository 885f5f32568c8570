import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import type { GatewayError } from '../errors.js';

export interface StreamTap {
  /** Called with each SSE event's JSON payload (unparseable events are skipped). */
  onEvent(payload: unknown): void;
  /** Called once: after the last chunk, on failure, or when the client leaves. */
  onEnd(outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError): void;
}

const encoder = new TextEncoder();

/**
 * Passes a backend's SSE body to the client chunk by chunk, unchanged.
 * Backpressure: a chunk is read from the backend only when the client side
 * asks for one (highWaterMark 0). A side parser sees each event for usage
 * accounting. A backend failure after the first byte cannot be failed over,
 * so it ends the stream with an OpenAI-shaped SSE error event; the client
 * leaving destroys the backend body, which aborts the upstream request.
 */
export function relaySse(body: Readable, tap: StreamTap, toError: (err: unknown) => GatewayError): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch {
        return;
      }
      tap.onEvent(payload);
    },
  });
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let ended = false;
  const end = (outcome: 'ok' | 'error' | 'client_closed', error?: GatewayError) => {
    if (ended) return;
    ended = true;
    tap.onEnd(outcome, error);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            end('ok');
            controller.close();
            return;
          }
          parser.feed(decoder.decode(next.value, { stream: true }));
          controller.enqueue(next.value);
        } catch (err) {
          if (ended) return;
          const error = toError(err);
          end('error', error);
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(error.toJSON())}\n\n`));
          controller.close();
        }
      },
      cancel() {
        end('client_closed');
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

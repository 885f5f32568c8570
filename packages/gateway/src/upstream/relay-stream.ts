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

const encoder = new TextEncoder();

/**
 * Passes a backend's SSE body to the client chunk by chunk, unchanged,
 * starting with the chunk already read (failover is decided before it).
 * Backpressure: a chunk is read from the backend only when the client side
 * asks for one (highWaterMark 0). A side parser sees each event for usage
 * accounting. A failure after the first byte cannot be failed over, so it
 * ends the stream with an OpenAI-shaped SSE error event, and so does an
 * event whose data is not JSON (it is not forwarded); the client leaving
 * destroys the backend body, which aborts the upstream request.
 */
export function relaySse(
  body: Readable,
  chunks: AsyncIterator<Buffer>,
  first: Buffer,
  tap: StreamTap,
  errors: { transport: (err: unknown) => GatewayError; malformed: () => GatewayError },
  translator?: StreamTranslator,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let malformed = false;
  // With a translator, the client gets the translated events, not the backend's bytes.
  let translated = '';
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]' || malformed) return;
      try {
        if (translator) {
          for (const payload of translator.event(event)) {
            tap.onEvent(payload);
            translated += `data: ${JSON.stringify(payload)}\n\n`;
          }
        } else {
          tap.onEvent(JSON.parse(event.data));
        }
      } catch {
        malformed = true;
      }
    },
  });
  let ended = false;
  let pending: Buffer | undefined = first;
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
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          let chunk = pending;
          pending = undefined;
          if (!chunk) {
            const next = await chunks.next();
            if (next.done) {
              parser.feed(decoder.decode());
              if (translator) controller.enqueue(encoder.encode(`${translated}data: [DONE]\n\n`));
              end('ok');
              controller.close();
              return;
            }
            chunk = next.value;
          }
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (malformed) {
            // Hold this chunk back: end any partial event, then say what went wrong.
            body.destroy();
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
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

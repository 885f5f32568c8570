import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { GatewayError } from '../errors.js';
import { ClientClosedError } from '../upstream/errors.js';

const tooLarge = (limit: number) =>
  new GatewayError(413, 'invalid_request_error', `Request body is larger than the limit of ${limit} bytes.`, {
    code: 'request_too_large',
    // The rest of the body is never read: close rather than reuse the connection.
    headers: { connection: 'close' },
  });

/**
 * Reads the request body, at most `limit` bytes (413 beyond). On Node it
 * reads the IncomingMessage directly: going through the Web `Request` of
 * @hono/node-server costs a web-stream conversion per request.
 */
export async function readBody(c: Context, limit: number): Promise<Uint8Array> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > limit) throw tooLarge(limit);
    return bytes;
  }
  const declared = Number(incoming.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    // The client going away mid-upload ('aborted' / ECONNRESET, or a close before the end) is
    // not a gateway error: nothing is answered and nothing is logged as a failure.
    const onError = () => {
      cleanup();
      reject(new ClientClosedError());
    };
    const onClose = () => {
      if (incoming.complete) return;
      cleanup();
      reject(new ClientClosedError());
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

import type { Dispatcher } from 'undici';
import { GatewayError } from '../../errors.js';
import type { UpstreamRequest } from '../../providers/index.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { Timed } from '../../table/route.js';
import type { CallSignal } from '../../upstream/call-signal.js';
import { backendSecrets, failureClass, retryAfterMs, statusError, transportError } from '../../upstream/errors.js';
import type { AttemptOutcome } from '../outcome.js';
import type { UpstreamPools } from './pools.js';

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * One call to one backend, read far enough to know whether failing over is
 * still possible: a whole JSON body, or a stream's first chunk (nothing has
 * reached the client before either). The pools cap every answer's size.
 */
export async function attempt(
  pools: UpstreamPools,
  route: Timed,
  backend: CompiledBackend,
  upstream: UpstreamRequest,
  call: CallSignal,
  stream: boolean,
): Promise<AttemptOutcome> {
  const upstreamStart = performance.now();
  const failed = (err: unknown): AttemptOutcome => {
    if (call.reason === 'client') return { kind: 'client_closed' };
    const error = transportError(err, backend.name, route.timeouts);
    const reason = call.reason === 'timeout' ? undefined : failureClass(err);
    return reason ? { kind: 'retry', reason, error } : { kind: 'fail', error, backendHealthy: false };
  };
  let res: Dispatcher.ResponseData;
  try {
    res = await pools.get(backend.baseUrl, route.timeouts.connect).request({
      method: 'POST',
      path: upstream.path,
      headers: upstream.headers,
      body: upstream.body,
      signal: call.signal,
      headersTimeout: route.timeouts.firstToken,
      bodyTimeout: route.timeouts.idle,
    });
  } catch (err) {
    return failed(err);
  }
  const headersAt = performance.now();
  if (res.statusCode >= 400) {
    const text = (await readBounded(res.body, ERROR_BODY_LIMIT).catch(() => Buffer.alloc(0))).toString('utf8');
    const header = res.headers['retry-after'];
    const retryAfter = typeof header === 'string' ? header : undefined;
    const error = statusError(res.statusCode, text, backend.name, retryAfter, backendSecrets(backend));
    if (res.statusCode === 429) return { kind: 'retry', reason: '429', error, retryAfterMs: retryAfterMs(retryAfter) };
    // Anthropic's 529 (overloaded) is among them: another backend may well have room.
    if (res.statusCode >= 500) return { kind: 'retry', reason: '5xx', error };
    // 401/403/404 mean the gateway's configuration for this backend is wrong.
    return { kind: 'fail', error, backendHealthy: res.statusCode < 401 || res.statusCode > 404 };
  }
  if (stream) {
    const type = res.headers['content-type'];
    if (typeof type !== 'string' || !/^text\/event-stream\b/i.test(type)) {
      // dump(): discard what is there and close; destroy() would emit an error nobody listens to.
      await res.body.dump().catch(() => undefined);
      return misbehaving(
        backend,
        'upstream_not_sse',
        `answered a streaming request with ${String(type ?? 'no content type')}, not an event stream`,
      );
    }
    const chunks = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      const first = await chunks.next();
      if (first.done) {
        const error = new GatewayError(
          502,
          'upstream_error',
          `Backend "${backend.name}" ended the stream before sending anything.`,
          {
            code: 'upstream_empty_stream',
          },
        );
        return { kind: 'retry', reason: 'reset', error };
      }
      return { kind: 'stream', body: res.body, chunks, first: first.value, upstreamStart, headersAt };
    } catch (err) {
      return failed(err);
    }
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    // The pool stops reading past maxResponseBytes (undici's maxResponseSize) and drops the connection.
    bytes = new Uint8Array(await res.body.arrayBuffer());
  } catch (err) {
    return failed(err);
  }
  const bodyEnd = performance.now();
  try {
    const json: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    // Every answer the gateway reads is a JSON object; anything else is as broken as bad JSON.
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SyntaxError('not an object');
    return { kind: 'json', bytes, json, upstreamStart, bodyEnd };
  } catch {
    return misbehaving(backend, 'upstream_malformed', 'returned a response that is not a valid JSON object');
  }
}

/** A backend breaking the protocol: 502, and another backend may answer (it counts as a server error). */
function misbehaving(backend: CompiledBackend, code: string, what: string): AttemptOutcome {
  return {
    kind: 'retry',
    reason: '5xx',
    error: new GatewayError(502, 'upstream_error', `Backend "${backend.name}" ${what}.`, { code }),
  };
}

/** The first `limit` bytes of an error body (the status says enough; the rest is not read). */
async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts, size).subarray(0, limit);
}

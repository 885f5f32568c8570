import type { RetryOn, TimeoutsMs } from '../table/backend.js';
import { GatewayError } from '../errors.js';

/** Raised when the client went away; nothing is sent back. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const RESET_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Which retryable class a transport failure belongs to; undefined when it is not retryable. */
export function failureClass(err: unknown): RetryOn | undefined {
  const code = (err as { code?: string }).code ?? '';
  if (CONNECT_ERRORS.has(code)) return 'connect-error';
  if (RESET_ERRORS.has(code)) return 'reset';
  if (TIMEOUT_ERRORS.has(code)) return 'timeout';
  return undefined;
}

/** Which upstream time limit ran out. */
export type TimeoutKind = 'connect' | 'firstToken' | 'idle' | 'total';

const TIMEOUT_WHAT: Record<TimeoutKind, string> = {
  connect: 'connection',
  firstToken: 'response (first token)',
  idle: 'data between chunks (idle)',
  total: 'complete answer',
};

/** A backend that ran out of one of the route's time limits, as the client should see it (504). */
export function upstreamTimeout(kind: TimeoutKind, backend: string, timeoutsMs: TimeoutsMs, cause?: unknown): GatewayError {
  return new GatewayError(
    504,
    'timeout_error',
    `Backend "${backend}" timed out: no ${TIMEOUT_WHAT[kind]} within ${timeoutsMs[kind]} ms.`,
    {
      code: 'upstream_timeout',
      cause,
    },
  );
}

/** A transport failure or timeout talking to a backend, as the client should see it. */
export function transportError(err: unknown, backend: string, timeoutsMs: TimeoutsMs): GatewayError {
  if (err instanceof GatewayError) return err; // already mapped (gRPC status)
  const code = (err as { code?: string }).code ?? '';
  const timeout = (kind: TimeoutKind) => upstreamTimeout(kind, backend, timeoutsMs, err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return timeout('connect');
    case 'UND_ERR_HEADERS_TIMEOUT':
      return timeout('firstToken');
    case 'UND_ERR_BODY_TIMEOUT':
      return timeout('idle');
  }
  if ((err as Error).name === 'TimeoutError') return timeout('total');
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new GatewayError(502, 'upstream_error', `Backend "${backend}" sent an answer larger than the gateway's limit.`, {
      code: 'upstream_too_large',
      cause: err,
    });
  }
  const detail = code || (err as Error).message || String(err);
  return new GatewayError(502, 'upstream_error', `Could not reach backend "${backend}": ${detail}.`, {
    code: 'upstream_unavailable',
    cause: err,
  });
}

/** Anthropic's own status for an API too busy to answer now. */
const OVERLOADED = 529;

/**
 * An error status from a backend, as the client should see it. The client's
 * own mistakes (400, 413, 422) and rate limits (429) pass through with the
 * backend's message; a backend failing (404, 5xx) is a gateway-side problem:
 * 502 with the backend's message. A backend refusing the gateway's
 * credentials (401, 403) gets a generic message: its text may quote the key
 * (masked or not), so it goes to the log only (`cause`). Anthropic's 529
 * (overloaded) and a backend's own 503 (a NIM or vLLM server loading a model
 * or shedding load, often with Retry-After) are not a broken backend but a
 * busy one: the gateway's own overload status, 503 with the backend's
 * Retry-After, which the Messages door answers as overloaded_error (OpenAI's
 * API has no 529), so a client backs off instead of treating the gateway as
 * broken. Like any 5xx they are retried on another backend first.
 *
 * Whatever of the backend's text reaches the client is cut to 500
 * characters and scrubbed of `secrets` (the backend's API key and header
 * values) and of anything shaped like a key: backends echo the credentials
 * they were sent ("your key was sk-..."), and OpenAI's 429s name the
 * account.
 */
export function statusError(
  status: number,
  body: string,
  backend: string,
  retryAfter: string | undefined,
  secrets: readonly string[] = [],
): GatewayError {
  const message = scrub(backendMessage(body), secrets);
  if (status === 400 || status === 413 || status === 422) {
    return new GatewayError(status === 422 ? 400 : status, 'invalid_request_error', message, { code: 'upstream_rejected' });
  }
  if (status === 429) {
    return new GatewayError(429, 'rate_limit_error', `Backend "${backend}" is rate limiting: ${message}`, {
      code: 'upstream_rate_limited',
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
    });
  }
  if (status === OVERLOADED || status === 503) {
    const what = status === 503 ? 'unavailable (HTTP 503)' : 'overloaded';
    return new GatewayError(503, 'upstream_error', `Backend "${backend}" is ${what}: ${message}`, {
      code: 'upstream_overloaded',
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError(
      502,
      'upstream_error',
      `Backend "${backend}" rejected the gateway's credentials (HTTP ${status}). The gateway log has the backend's message.`,
      { code: 'upstream_auth_failed', cause: new UpstreamDetail(status, message) },
    );
  }
  return new GatewayError(502, 'upstream_error', `Backend "${backend}" answered HTTP ${status}: ${message}`, {
    code: 'upstream_error',
  });
}

/** What a backend said that the client must not see; logged by the handler. */
export class UpstreamDetail extends Error {
  override readonly name = 'UpstreamDetail';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Retry-After (seconds or an HTTP date) in milliseconds from now, capped at five minutes. */
export function retryAfterMs(value: string | undefined, nowEpochMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowEpochMs;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 300_000) : undefined;
}

const MESSAGE_CHARS = 500;

/** The `error.message` of an OpenAI-style error body, else the text; at most 500 characters. */
function backendMessage(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') text = parsed.error;
    else if (typeof parsed.error?.message === 'string') text = parsed.error.message;
    else if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: the raw text
  }
  return text.trim().slice(0, MESSAGE_CHARS) || '(empty body)';
}

// Credentials by their shape, whoever's they are: bearer tokens, OpenAI and
// Anthropic keys (sk-, sk-ant-, sk-proj-), OpenAI organisation and project ids.
const KEY_SHAPES = /\b(Bearer\s+)[^\s"',;]+|\b(sk|org|proj)-[A-Za-z0-9_-]{8,}/gi;
/** Values shorter than this are not treated as secrets (a header such as `on` would blank every "on"). */
const MIN_SECRET_CHARS = 8;

/** What a backend was sent that its answers must not carry back to a client: its key and header values. */
export function backendSecrets(backend: { apiKey: string | undefined; headers: Readonly<Record<string, string>> }): string[] {
  return [...(backend.apiKey ? [backend.apiKey] : []), ...Object.values(backend.headers)];
}

/** `text` without the given secrets and without anything shaped like a credential. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_CHARS) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_SHAPES, (_match, bearer: string | undefined, prefix: string | undefined) =>
    bearer ? `${bearer}[redacted]` : `${prefix ?? ''}-[redacted]`,
  );
}

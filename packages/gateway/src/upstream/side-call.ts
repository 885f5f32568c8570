import { Agent, request, type Dispatcher } from 'undici';
import { scrub } from './errors.js';
import { DEFAULT_UPSTREAM_LIMITS } from './limits.js';

/**
 * Calls that strategies make on their own (embeddings, a Triton-served
 * classifier, a cascade's verifier, an evaluator): JSON in, JSON out, with a
 * time limit. One keep-alive agent for all of them, apart from the proxy's
 * pools, so a slow side service cannot take the proxy's connections.
 */
const agent = new Agent({
  keepAliveTimeout: 30_000,
  connections: 64,
  maxResponseSize: DEFAULT_UPSTREAM_LIMITS.maxResponseBytes,
});

export class SideCallError extends Error {}

/**
 * The URL as errors show it: without user and password. Side-call errors
 * reach logs and `/v1/route/explain` (`classifierError`, `semanticError`),
 * which any API-key holder may call.
 */
export function shown(url: URL | string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href;
}

/** An answer that is not a success, as an error: its start, without what the call was sent as credentials. */
function httpError(url: URL | string, status: number, text: string, headers: Readonly<Record<string, string>>): SideCallError {
  const secrets = Object.values(headers).flatMap((v) => [v, v.replace(/^Bearer\s+/i, '')]);
  return new SideCallError(`${shown(url)}: HTTP ${status}: ${scrub(text, secrets).slice(0, 200)}`);
}

export async function postJson(
  url: URL | string,
  body: unknown,
  opts: { headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<unknown> {
  const signal = opts.signal
    ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)])
    : AbortSignal.timeout(opts.timeoutMs);
  let res;
  try {
    res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    throw new SideCallError(`${shown(url)}: ${(err as Error).message}`);
  }
  return answer(url, res, opts.headers ?? {});
}

export async function getJson(url: URL | string, timeoutMs: number): Promise<unknown> {
  const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) }).catch((err: Error) => {
    throw new SideCallError(`${shown(url)}: ${err.message}`);
  });
  return answer(url, res, {});
}

async function answer(
  url: URL | string,
  res: Dispatcher.ResponseData,
  headers: Readonly<Record<string, string>>,
): Promise<unknown> {
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw new SideCallError(`${shown(url)}: ${(err as Error).message}`);
  }
  if (res.statusCode >= 300) throw httpError(url, res.statusCode, text, headers);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SideCallError(`${shown(url)}: the answer is not JSON`);
  }
}

import { Agent, request } from 'undici';
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
    throw new SideCallError(`${String(url)}: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new SideCallError(`${String(url)}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SideCallError(`${String(url)}: the answer is not JSON`);
  }
}

export async function getJson(url: URL | string, timeoutMs: number): Promise<unknown> {
  const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) }).catch((err: Error) => {
    throw new SideCallError(`${String(url)}: ${err.message}`);
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new SideCallError(`${String(url)}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

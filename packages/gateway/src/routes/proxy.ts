import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
import type { CompiledBackend, CompiledRoute, RouteTable } from '../config/route-table.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import type { CallMetrics } from '../metrics/metrics.js';
import { providerFor, type Provider, type Usage } from '../providers/index.js';
import type { Operation } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError, statusError, transportError } from '../upstream/errors.js';
import { relaySse } from '../upstream/relay-stream.js';

const ERROR_BODY_LIMIT = 64 * 1024;
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The handler for one proxied OpenAI endpoint: parse and check the body,
 * find the route, let its strategy pick a backend, count the prompt (one
 * native call), forward, and pass the answer back with usage and metrics.
 */
export function proxyHandler(op: Operation, deps: AppDeps) {
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const bytes = await readBody(c, limit);
    const body = op.validate(parseJsonObject(requestHeader(c, 'content-type'), bytes));
    const table = deps.tables.current();
    const route = table.byModel.get(body.model);
    if (!route) throw modelNotFound(body.model, table);

    const backend = route.strategy.rank(random)[0] as CompiledBackend;
    c.set('routeId', route.id);
    c.set('backendName', backend.name);
    const provider = providerFor(backend.provider);
    const metrics = deps.metrics.forCall(
      { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
      route.strategy.name,
    );
    metrics.decisions.inc();
    const promptTokens = op.promptTokens(backend.tokenizer, body);
    const upstream = provider.buildRequest(op, backend, body, c.get('requestId'));

    const call = new CallSignal(c, route.timeouts.total);
    const upstreamStart = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await deps.pools.get(backend.baseUrl, route.timeouts.connect).request({
        method: 'POST',
        path: upstream.path,
        headers: upstream.headers,
        body: upstream.body,
        signal: call.signal,
        headersTimeout: route.timeouts.firstToken,
        bodyTimeout: route.timeouts.idle,
      });
    } catch (err) {
      call.done();
      if (call.reason === 'client') throw new ClientClosedError();
      throw transportError(err, backend.name, route.timeouts);
    }
    const headersAt = performance.now();
    if (res.statusCode >= 400) {
      const text = await readBounded(res.body, ERROR_BODY_LIMIT);
      call.done();
      const retryAfter = res.headers['retry-after'];
      throw statusError(res.statusCode, text, backend.name, typeof retryAfter === 'string' ? retryAfter : undefined);
    }

    const record = new CallRecord(metrics, op, provider, backend, promptTokens, upstreamStart);
    const headers: Record<string, string> = {
      'x-request-id': c.get('requestId'),
      'x-switchboard-route': route.id,
      'x-switchboard-backend': backend.name,
    };
    if (body.stream) {
      metrics.timeToFirstChunk.observe((headersAt - upstreamStart) / 1000);
      const stream = relaySse(
        res.body,
        {
          onEvent: (payload) => record.streamEvent(payload),
          onEnd: (outcome, error) => {
            call.done();
            record.finish(outcome === 'ok' ? 200 : outcome === 'client_closed' ? 499 : (error?.status ?? 502));
          },
        },
        (err) =>
          call.reason === 'client'
            ? new GatewayError(499, 'upstream_error', 'client closed')
            : transportError(err, backend.name, route.timeouts),
      );
      metrics.overhead.observe(Math.max(0, performance.now() - c.get('startedAt') - (headersAt - upstreamStart)) / 1000);
      headers['content-type'] = 'text/event-stream; charset=utf-8';
      headers['cache-control'] = 'no-cache';
      return new Response(stream, { status: 200, headers });
    }

    let answer: Uint8Array<ArrayBuffer>;
    try {
      answer = new Uint8Array(await res.body.arrayBuffer());
    } catch (err) {
      if (call.reason === 'client') throw new ClientClosedError();
      throw transportError(err, backend.name, route.timeouts);
    } finally {
      call.done();
    }
    const bodyEnd = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(answer.buffer, answer.byteOffset, answer.length).toString('utf8'));
    } catch {
      throw new GatewayError(502, 'upstream_error', `Backend "${backend.name}" returned a response that is not valid JSON.`, {
        code: 'upstream_malformed',
      });
    }
    record.complete(json);
    record.finish(200, bodyEnd);
    headers['content-type'] = 'application/json';
    metrics.overhead.observe(Math.max(0, performance.now() - c.get('startedAt') - (bodyEnd - upstreamStart)) / 1000);
    return new Response(answer, { status: 200, headers });
  };
}

/** Usage, cost and metrics of one upstream call. */
class CallRecord {
  #usage: Usage | undefined;
  #generatedText = '';

  constructor(
    private readonly metrics: CallMetrics,
    private readonly op: Operation,
    private readonly provider: Provider,
    private readonly backend: CompiledBackend,
    private readonly promptTokens: number,
    private readonly upstreamStart: number,
  ) {}

  streamEvent(payload: unknown): void {
    this.#usage = this.provider.usageOf(payload) ?? this.#usage;
    if (!this.#usage) this.#generatedText += this.op.deltaText(payload);
  }

  complete(json: unknown): void {
    this.#usage = this.provider.usageOf(json);
    if (!this.#usage) this.#generatedText = this.op.completionText(json);
  }

  /** Records usage (counted natively when the backend reported none), cost and duration. */
  finish(status: number, endedAt = performance.now()): void {
    const m = this.metrics;
    const seconds = (endedAt - this.upstreamStart) / 1000;
    m.requests(status).inc();
    if (status >= 400 && status !== 499) {
      m.failedDuration(status).observe(seconds);
      return;
    }
    (status === 200 ? m.duration : m.failedDuration(status)).observe(seconds);
    const usage = this.#usage ?? {
      promptTokens: this.promptTokens,
      completionTokens: this.#generatedText ? this.backend.tokenizer.count(this.#generatedText) : 0,
    };
    m.inputTokens.observe(usage.promptTokens);
    if (this.op.name !== 'embeddings') m.outputTokens.observe(usage.completionTokens);
    const cost = usage.promptTokens * this.backend.inputPricePerToken + usage.completionTokens * this.backend.outputPricePerToken;
    if (cost > 0) m.cost.inc(cost);
  }
}

function modelNotFound(model: string, table: RouteTable): GatewayError {
  const known = [...table.byModel.keys()].sort();
  const list = known.length
    ? ` Known models: ${known.slice(0, 50).join(', ')}${known.length > 50 ? ', ...' : ''}.`
    : ' No routes are configured.';
  return new GatewayError(404, 'not_found_error', `The model \`${model.slice(0, 256)}\` does not exist.${list}`, {
    code: 'model_not_found',
    param: 'model',
  });
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // a broken error body still yields the status; keep what arrived
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

export type { CompiledRoute };

import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
import type { CompiledBackend, CompiledRoute, RouteTable } from '../config/route-table.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import type { CallLabels } from '../metrics/metrics.js';
import { providerFor, type Usage } from '../providers/index.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import { readJsonObject } from '../request/read-json.js';
import { ClientClosedError, statusError, transportError } from '../upstream/errors.js';
import { relaySse } from '../upstream/relay-stream.js';

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * The handler for one proxied OpenAI endpoint: parse and check the body,
 * find the route, let its strategy pick a backend, count the prompt (one
 * native call), forward, and pass the answer back with usage and metrics.
 */
export function proxyHandler(op: Operation, deps: AppDeps) {
  const random = deps.random ?? Math.random;
  return async (c: Context): Promise<Response> => {
    const body = op.validate(await readJsonObject(c.req.raw));
    const table = deps.tables.current();
    const route = table.byModel.get(body.model);
    if (!route) throw modelNotFound(body.model, table);

    const backend = route.strategy.rank(random)[0] as CompiledBackend;
    c.set('routeId', route.id);
    c.set('backendName', backend.name);
    deps.metrics.decisions.inc({ route: route.id, backend: backend.name, strategy: route.strategy.name });
    const promptTokens = op.promptTokens(backend.tokenizer, body);

    const upstream = providerFor(backend.provider).buildRequest(op, backend, body, c.get('requestId'));
    const clientSignal = c.req.raw.signal;
    const upstreamStart = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await deps.pools.get(backend.baseUrl, route.timeouts.connect).request({
        method: 'POST',
        path: upstream.path,
        headers: upstream.headers,
        body: upstream.body,
        signal: AbortSignal.any([clientSignal, AbortSignal.timeout(route.timeouts.total)]),
        headersTimeout: route.timeouts.firstToken,
        bodyTimeout: route.timeouts.idle,
      });
    } catch (err) {
      if (clientSignal.aborted) throw new ClientClosedError();
      throw transportError(err, backend.name, route.timeouts);
    }
    const headersAt = performance.now();
    if (res.statusCode >= 400) {
      const text = await readBounded(res.body, ERROR_BODY_LIMIT);
      const retryAfter = res.headers['retry-after'];
      throw statusError(res.statusCode, text, backend.name, typeof retryAfter === 'string' ? retryAfter : undefined);
    }

    const call = new CallRecord(deps, op, route, backend, promptTokens, upstreamStart);
    const headers: Record<string, string> = {
      'x-switchboard-route': route.id,
      'x-switchboard-backend': backend.name,
    };
    if (body.stream) {
      call.firstChunk(headersAt);
      const stream = relaySse(
        res.body,
        {
          onEvent: (payload) => call.streamEvent(payload),
          onEnd: (outcome, error) =>
            call.finish(outcome === 'ok' ? 200 : outcome === 'client_closed' ? 499 : (error?.status ?? 502)),
        },
        (err) =>
          clientSignal.aborted
            ? new GatewayError(499, 'upstream_error', 'client closed')
            : transportError(err, backend.name, route.timeouts),
      );
      call.overhead(performance.now() - c.get('startedAt') - (headersAt - upstreamStart));
      headers['content-type'] = 'text/event-stream; charset=utf-8';
      headers['cache-control'] = 'no-cache';
      return new Response(stream, { status: 200, headers });
    }

    let bytes: ArrayBuffer;
    try {
      bytes = await res.body.arrayBuffer();
    } catch (err) {
      if (clientSignal.aborted) throw new ClientClosedError();
      throw transportError(err, backend.name, route.timeouts);
    }
    const bodyEnd = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      throw new GatewayError(502, 'upstream_error', `Backend "${backend.name}" returned a response that is not valid JSON.`, {
        code: 'upstream_malformed',
      });
    }
    call.complete(json);
    call.finish(200, bodyEnd);
    headers['content-type'] = 'application/json';
    call.overhead(performance.now() - c.get('startedAt') - (bodyEnd - upstreamStart));
    return new Response(bytes, { status: 200, headers });
  };
}

/** Usage, cost and metrics of one upstream call. */
class CallRecord {
  readonly #labels: CallLabels;
  #usage: Usage | undefined;
  #streamedText = '';

  constructor(
    private readonly deps: AppDeps,
    private readonly op: Operation,
    private readonly route: CompiledRoute,
    private readonly backend: CompiledBackend,
    private readonly promptTokens: number,
    private readonly upstreamStart: number,
  ) {
    this.#labels = {
      operation: op.name,
      provider: backend.provider,
      model: backend.model,
      route: route.id,
      backend: backend.name,
    };
  }

  firstChunk(at: number): void {
    this.deps.metrics.timeToFirstChunk.observe(this.deps.metrics.genAiLabels(this.#labels), (at - this.upstreamStart) / 1000);
  }

  streamEvent(payload: unknown): void {
    this.#usage = providerFor(this.backend.provider).usageOf(payload) ?? this.#usage;
    if (!this.#usage) this.#streamedText += this.op.deltaText(payload);
  }

  complete(json: unknown): void {
    this.#usage = providerFor(this.backend.provider).usageOf(json);
    if (!this.#usage) this.#streamedText = this.op.completionText(json);
  }

  overhead(ms: number): void {
    this.deps.metrics.overhead.observe({ route: this.route.id }, Math.max(0, ms) / 1000);
  }

  /** Records usage (counted natively when the backend reported none), cost and duration. */
  finish(status: number, endedAt = performance.now()): void {
    const m = this.deps.metrics;
    const labels = m.genAiLabels(this.#labels);
    m.requests.inc({ route: this.route.id, backend: this.backend.name, status: String(status) });
    m.duration.observe({ ...labels, error_type: status < 400 ? '' : String(status) }, (endedAt - this.upstreamStart) / 1000);
    if (status >= 400 && status !== 499) return;
    const usage = this.#usage ?? {
      promptTokens: this.promptTokens,
      completionTokens: this.#streamedText ? this.backend.tokenizer.count(this.#streamedText) : 0,
    };
    m.tokens.observe({ ...labels, gen_ai_token_type: 'input' }, usage.promptTokens);
    if (this.op.name !== 'embeddings') m.tokens.observe({ ...labels, gen_ai_token_type: 'output' }, usage.completionTokens);
    const cost = usage.promptTokens * this.backend.inputPricePerToken + usage.completionTokens * this.backend.outputPricePerToken;
    if (cost > 0) m.cost.inc({ route: this.route.id, backend: this.backend.name }, cost);
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

export type { ProxiedBody };

import { Hono, type Context } from 'hono';
import type { AppDeps } from './context.js';
import { GatewayError } from './errors.js';
import { apiKeyAuth } from './middleware/auth.js';
import { requestContext } from './middleware/request-context.js';
import { chatCompletions, completions, embeddings } from './request/operations.js';
import { healthz, metricsRoute, readyz } from './routes/health.js';
import { feedback } from './routes/feedback.js';
import { listModels, retrieveModel } from './routes/models.js';
import { proxyHandler } from './proxy/proxy.js';
import { ResponsesDoor } from './doors/responses/door.js';
import { countInputTokens, deleteResponse, listInputItems, retrieveResponse } from './doors/responses/routes.js';
import { MemoryResponseStore } from './doors/responses/store.js';
import { MessagesDoor } from './doors/messages/door.js';
import { anthropicErrorBody, isMessagesPath } from './doors/messages/errors.js';
import { countTokens, requireAnthropicVersion } from './doors/messages/routes.js';
import { ClientClosedError } from './upstream/errors.js';

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Builds the gateway's Hono app. Pure wiring: every dependency is injected. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const createdAt = Math.floor(Date.now() / 1000);
  const created = () => createdAt;

  app.use(requestContext());
  app.use('/v1/*', apiKeyAuth(deps.auth));
  const responses = new ResponsesDoor({
    store: deps.responses ?? new MemoryResponseStore(),
    log: deps.log,
    maxInputBytes: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
  });
  const messages = new MessagesDoor();
  const endpoints: [string, 'GET' | 'POST' | 'DELETE', (c: Context) => Response | Promise<Response>][] = [
    ['/v1/chat/completions', 'POST', proxyHandler(chatCompletions, deps)],
    ['/v1/completions', 'POST', proxyHandler(completions, deps)],
    ['/v1/embeddings', 'POST', proxyHandler(embeddings, deps)],
    ['/v1/responses', 'POST', proxyHandler(chatCompletions, deps, responses)],
    ['/v1/responses/input_tokens', 'POST', countInputTokens(responses, deps)],
    ['/v1/responses/:id', 'GET', retrieveResponse(responses)],
    ['/v1/responses/:id', 'DELETE', deleteResponse(responses)],
    ['/v1/responses/:id/input_items', 'GET', listInputItems(responses)],
    ['/v1/messages', 'POST', requireAnthropicVersion(proxyHandler(chatCompletions, deps, messages))],
    ['/v1/messages/count_tokens', 'POST', requireAnthropicVersion(countTokens(messages, deps))],
    ['/v1/feedback', 'POST', feedback(deps)],
    ['/v1/models', 'GET', listModels(deps, created)],
    ['/v1/models/:model{.+}', 'GET', retrieveModel(deps, created)],
    ['/healthz', 'GET', healthz],
    ['/readyz', 'GET', readyz(deps)],
    ['/metrics', 'GET', metricsRoute(deps)],
  ];
  const methods = new Map<string, string[]>();
  for (const [path, method, handler] of endpoints) {
    app.on(method, path, handler);
    methods.set(path, [...(methods.get(path) ?? []), method]);
  }
  for (const [path, allowed] of methods) {
    const allow = allowed.join(', ');
    const shown = path.replace(/\/:model.*$/, '/{model}').replace(/:id/, '{id}');
    app.all(path, () => {
      throw new GatewayError(405, 'invalid_request_error', `Method not allowed: use ${allowed.join(' or ')} ${shown}.`, {
        code: 'method_not_allowed',
        headers: { allow },
      });
    });
  }

  app.notFound((c) =>
    renderError(
      c,
      new GatewayError(404, 'not_found_error', `Unknown path ${c.req.method} ${c.req.path}.`, { code: 'unknown_url' }),
    ),
  );

  app.onError((err, c) => {
    if (err instanceof GatewayError) {
      recordFailure(deps, c, err.status);
      return renderError(c, err);
    }
    if (err instanceof ClientClosedError) {
      recordFailure(deps, c, 499);
      return c.body(null, 499 as 400);
    }
    deps.log.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return renderError(
      c,
      new GatewayError(500, 'server_error', 'Internal gateway error. The request id is in the x-request-id header.'),
    );
  });
  return app;
}

/** The one place errors become responses: OpenAI-shaped JSON, Anthropic-shaped on the Messages API's paths. */
function renderError(c: Context, err: GatewayError): Response {
  const id = c.get('requestId');
  if (id) c.header('x-request-id', id);
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  const route = c.get('routeId');
  if (route) {
    c.header('x-switchboard-route', route);
    c.header('x-switchboard-backend', c.get('backendName'));
  }
  if (isMessagesPath(c.req.path)) {
    // Anthropic's SDKs read the request id from this header.
    if (id) c.header('request-id', id);
    return c.json(anthropicErrorBody(err, id), err.status as 400);
  }
  return c.json(err.toJSON(), err.status as 400);
}

function recordFailure(deps: AppDeps, c: Context, status: number): void {
  const route = c.get('routeId');
  if (route) deps.metrics.requests.inc({ route, backend: c.get('backendName') ?? '', status: String(status) });
}

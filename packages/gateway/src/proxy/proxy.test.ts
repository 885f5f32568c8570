import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { backend, inProcess } from '../fixtures/in-process.fixture.js';

// The proxy in process: createApp(deps).request(), the real plan, build and
// strategies, a scripted transport behind (no sockets).

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'Hello!' }],
  ...extra,
});

describe('proxy (in process)', () => {
  it('answers from the first backend by priority, with the route and backend headers', async () => {
    const gw = await inProcess({ main: { backends: [backend('a'), backend('b', { priority: 1 })] } });
    const res = await gw.post('/v1/chat/completions', chat('main'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-route')).toBe('default/main');
    expect(res.headers.get('x-switchboard-backend')).toBe('a');
    expect(((await res.json()) as { model: string }).model).toBe('a-model');
    // The transport gets the client's body; the provider puts the backend's model in when it builds the request.
    expect(gw.transport.calls.map((c) => [c.backend, c.body.model])).toEqual([['a', 'main']]);
  });

  it('fails over on a retryable failure and counts the retry', async () => {
    const gw = await inProcess({ main: { backends: [backend('a'), backend('b', { priority: 1 })] } });
    gw.transport.answer('a', () => ({
      kind: 'retry',
      reason: '5xx',
      error: new GatewayError(502, 'upstream_error', 'a is down', { code: 'upstream_error' }),
    }));
    const res = await gw.post('/v1/chat/completions', chat('main'));
    expect(res.headers.get('x-switchboard-backend')).toBe('b');
    const metrics = await gw.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/switchboard_retries_total\{route="default\/main",backend="a",reason="5xx"\} 1/);
  });

  it("passes a client's own error through, without failover", async () => {
    const gw = await inProcess({ main: { backends: [backend('a'), backend('b', { priority: 1 })] } });
    gw.transport.answer('a', () => ({
      kind: 'fail',
      backendHealthy: true,
      error: new GatewayError(400, 'invalid_request_error', 'bad tool schema', { code: 'upstream_rejected' }),
    }));
    const res = await gw.post('/v1/chat/completions', chat('main'));
    expect(res.status).toBe(400);
    expect(gw.transport.calls).toHaveLength(1);
  });

  it('skips backends that cannot serve the request (JSON mode) and says so when none can', async () => {
    const gw = await inProcess({
      main: { backends: [backend('plain', { capabilities: [] }), backend('json', { priority: 1, capabilities: ['json-mode'] })] },
      none: { backends: [backend('plain', { capabilities: [] })] },
    });
    const format = { response_format: { type: 'json_object' } };
    expect((await gw.post('/v1/chat/completions', chat('main', format))).headers.get('x-switchboard-backend')).toBe('json');
    const refused = await gw.post('/v1/chat/completions', chat('none', format));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unsupported_operation');
  });

  it('streams the backend events through, with [DONE]', async () => {
    const gw = await inProcess({ main: { backends: [backend('a')] } });
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }],
    };
    gw.transport.answer('a', () => ({ sse: `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n` }));
    const res = await gw.post('/v1/chat/completions', chat('main', { stream: true }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await res.text()).toBe(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
  });

  it('keeps reading when a chunk of a translated stream yields nothing for the client (an Anthropic ping)', async () => {
    const gw = await inProcess({ claude: { backends: [backend('c', { provider: 'anthropic' })] } });
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    gw.transport.answer('c', () => ({
      sse: [
        ev('message_start', { message: { id: 'm', model: 'c', usage: { input_tokens: 5, output_tokens: 0 } } }),
        ev('ping', {}),
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
        ev('content_block_stop', { index: 0 }),
        ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }),
        ev('message_stop', {}),
      ],
    }));
    const res = await gw.post('/v1/chat/completions', chat('claude', { stream: true }));
    const text = await res.text();
    expect(text).toContain('"content":"hi"');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('routes by rules before the strategy', async () => {
    const gw = await inProcess({
      main: {
        backends: [backend('a'), backend('sql')],
        routing: { rules: [{ name: 'sql', backend: 'sql', keywords: ['select'] }] },
      },
    });
    const res = await gw.post('/v1/chat/completions', { model: 'main', messages: [{ role: 'user', content: 'SELECT 1' }] });
    expect(res.headers.get('x-switchboard-backend')).toBe('sql');
    expect(res.headers.get('x-switchboard-decision')).toBe('rule:sql');
  });

  it("a route author's pattern that backtracks catastrophically in JavaScript cannot hold the gateway", async () => {
    // (a+)+$ against 50,000 a's and a '!' takes JavaScript's engine about
    // 2^50 steps; the rules run in the regex crate, linear in the prompt.
    const gw = await inProcess({
      main: {
        backends: [backend('a'), backend('b')],
        routing: { rules: [{ name: 'evil', backend: 'b', promptMatches: '(a+)+$' }] },
      },
    });
    const prompt = `${'a'.repeat(50_000)}!`;
    const res = await gw.post('/v1/chat/completions', { model: 'main', messages: [{ role: 'user', content: prompt }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('a');
    const hit = await gw.post('/v1/chat/completions', { model: 'main', messages: [{ role: 'user', content: 'AAAA' }] });
    expect(hit.headers.get('x-switchboard-decision')).toBe('rule:evil');
  });

  it('404s an unknown model, listing the known ones; 401s a request without a key', async () => {
    const gw = await inProcess({ main: { backends: [backend('a')] } }, { auth: true });
    const res = await gw.post('/v1/chat/completions', chat('nope'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Known models: main.');
    const anon = await gw.app.request('/v1/chat/completions', { method: 'POST', body: JSON.stringify(chat('main')) });
    expect(anon.status).toBe(401);
  });

  it('a replaced table is reported drained only when the requests holding it are done', async () => {
    const gw = await inProcess({ main: { backends: [backend('a')] } });
    let drained = 0;
    gw.deps.tables.onDrained(() => drained++);
    const lease = gw.deps.tables.acquire();
    gw.deps.tables.swap({ ...lease.table, version: lease.table.version + 1 });
    expect(drained).toBe(0);
    lease.release();
    lease.release();
    expect(drained).toBe(1);
  });
});

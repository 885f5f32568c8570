import { loadTokenizer } from '@switchboard/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

const post = (h: Harness, path: string, body: string, init: RequestInit = {}) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...init });

/** Sum of a metric's samples whose labels include every given pair. */
async function metricSum(h: Harness, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

describe('proxying to OpenAI-compatible backends', () => {
  let h: Harness;
  beforeAll(async () => {
    process.env.SWITCHBOARD_TEST_KEY = 'sk-test-123';
    h = await startHarness(
      ([a, b, c]) =>
        [
          routeYaml('main', [
            { name: 'first', url: a ?? '', extra: '      auth: { env: SWITCHBOARD_TEST_KEY }\n' },
            { name: 'second', url: b ?? '', extra: '      priority: 1\n' },
          ]),
          routeYaml('nousage', [{ name: 'quiet', url: c ?? '' }]),
        ].join('---\n'),
      [{}, {}, { usage: false }],
    );
  });
  afterAll(() => h.close());

  it('forwards a chat completion to the preferred backend, rewriting the model and adding the key', async () => {
    const res = await post(h, '/v1/chat/completions', chatBody('main'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-route')).toBe('default/main');
    expect(res.headers.get('x-switchboard-backend')).toBe('first');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { object: string; model: string; usage: { prompt_tokens: number } };
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('first-model');
    expect((h.mocks[0]?.lastBody as { model: string }).model).toBe('first-model');
    expect(h.mocks[0]?.lastHeaders?.authorization).toBe('Bearer sk-test-123');
    expect(h.mocks[1]?.received.size).toBe(0);
  });

  it('passes the caller request id through to the backend', async () => {
    await post(h, '/v1/chat/completions', chatBody('main'), {
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' },
    });
    expect(h.mocks[0]?.lastHeaders?.['x-request-id']).toBe('trace-42');
  });

  it('streams SSE chunks through unchanged, ending with [DONE]', async () => {
    const res = await post(h, '/v1/chat/completions', chatBody('main', { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const content = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toContain('Switchboard routes each prompt');
  });

  it('serves completions and embeddings', async () => {
    const c = await post(h, '/v1/completions', JSON.stringify({ model: 'main', prompt: ['a', 'b'] }));
    expect(c.status).toBe(200);
    expect(((await c.json()) as { object: string }).object).toBe('text_completion');
    const e = await post(h, '/v1/embeddings', JSON.stringify({ model: 'main', input: 'hello' }));
    expect(e.status).toBe(200);
    expect(((await e.json()) as { data: { embedding: number[] }[] }).data[0]?.embedding).toHaveLength(16);
  });

  it('lists route model names', async () => {
    const res = await fetch(`${h.url}/v1/models`);
    const body = (await res.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id)).toEqual(['main', 'nousage']);
  });

  it('records backend usage and cost in metrics', async () => {
    const before = await metricSum(h, 'switchboard_cost_total', { route: 'default/main' });
    const res = await post(h, '/v1/chat/completions', chatBody('main'));
    const { usage } = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const after = await metricSum(h, 'switchboard_cost_total', { route: 'default/main' });
    expect(after - before).toBeCloseTo((usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6, 12);
  });

  it('counts tokens natively when the backend reports no usage (non-streaming and streaming)', async () => {
    const tokenizer = loadTokenizer('o200k_base');
    const prompt = tokenizer.countChat([{ role: 'user', content: 'Hello, Switchboard!' }]);
    const labels = { switchboard_route: 'default/nousage', gen_ai_token_type: 'input' };
    const res = await post(h, '/v1/chat/completions', chatBody('nousage'));
    const answer = (await res.json()) as { choices: { message: { content: string } }[]; usage?: unknown };
    expect(await metricSum(h, 'gen_ai_client_token_usage_sum', labels)).toBe(prompt);
    const completion = tokenizer.count(answer.choices[0]?.message.content ?? '');
    // The backend reported none: the answer carries the gateway's own count, as every door reports usage.
    expect(answer.usage).toEqual({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    expect(await metricSum(h, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' })).toBe(completion);

    await (await post(h, '/v1/chat/completions', chatBody('nousage', { stream: true }))).text();
    await eventually(async () => (await metricSum(h, 'gen_ai_client_token_usage_count', labels)) === 2);
    expect(await metricSum(h, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' })).toBe(2 * completion);
  });

  it('answers 404 for an unknown model, listing the known ones', async () => {
    const res = await post(h, '/v1/chat/completions', chatBody('gpt-7'));
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; code: string; param: string } };
    expect(body.error.code).toBe('model_not_found');
    expect(body.error.param).toBe('model');
    expect(body.error.message).toContain('Known models: main, nousage');
  });

  it('reports readiness and health', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { routes: number }).routes).toBe(2);
  });
});

describe('upstream failures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      ([slow, failing, rejecting, busy]) =>
        [
          routeYaml('slow', [{ name: 'slow', url: slow ?? '' }], '  resilience: { timeouts: { firstToken: 200ms } }\n'),
          routeYaml('failing', [{ name: 'failing', url: failing ?? '' }]),
          routeYaml('rejecting', [{ name: 'rejecting', url: rejecting ?? '' }]),
          routeYaml('busy', [{ name: 'busy', url: busy ?? '' }]),
          routeYaml('down', [{ name: 'down', url: 'http://127.0.0.1:9/v1' }]),
        ].join('---\n'),
      [
        { latencyMs: 3000 },
        { errorRate: 1, errorStatus: 500 },
        { errorRate: 1, errorStatus: 400 },
        { errorRate: 1, errorStatus: 503, retryAfter: '30' },
      ],
    );
  });
  afterAll(() => h.close());

  const expectError = async (res: Response, status: number, type: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe(type);
    return body.error.message;
  };

  it('answers 504 when the backend does not answer within firstToken', async () => {
    const message = await expectError(await post(h, '/v1/chat/completions', chatBody('slow')), 504, 'timeout_error');
    expect(message).toContain('200 ms');
  });

  it('answers 502 when the backend fails or cannot be reached', async () => {
    await expectError(await post(h, '/v1/chat/completions', chatBody('failing')), 502, 'upstream_error');
    const message = await expectError(await post(h, '/v1/chat/completions', chatBody('down')), 502, 'upstream_error');
    expect(message).toContain('ECONNREFUSED');
  });

  it("passes a backend's 503 on as the gateway's overload, with its Retry-After, so clients back off", async () => {
    const res = await post(h, '/v1/chat/completions', chatBody('busy'));
    expect(res.headers.get('retry-after')).toBe('30');
    const message = await expectError(res, 503, 'upstream_error');
    expect(message).toContain('unavailable (HTTP 503)');
  });

  it('passes a backend 400 through as the client error it is', async () => {
    const message = await expectError(await post(h, '/v1/chat/completions', chatBody('rejecting')), 400, 'invalid_request_error');
    expect(message).toContain('injected error 400');
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    h.mocks[0]!.options.latencyMs = 0;
    h.mocks[0]!.options.tokensPerSecond = 5;
    h.mocks[0]!.options.completionTokens = 1000;
    const controller = new AbortController();
    const res = await post(h, '/v1/chat/completions', chatBody('slow', { stream: true }), { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await eventually(() => h.mocks[0]!.closedEarly === 1);
  });
});

describe('standalone reload', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(([a]) => routeYaml('one', [{ name: 'a', url: a ?? '' }]), [{ latencyMs: 0 }]);
  });
  afterAll(() => h.close());

  it('serves a changed folder without dropping requests in flight, and keeps the last good table on a bad file', async () => {
    const url = h.mocks[0]!.url;
    h.mocks[0]!.options.latencyMs = 400;
    const inFlight = post(h, '/v1/chat/completions', chatBody('one'));
    await h.writeRoutes(routeYaml('two', [{ name: 'a', url }]));
    await eventually(async () => (await post(h, '/v1/chat/completions', chatBody('two'))).status === 200);
    expect((await inFlight).status).toBe(200);
    expect((await post(h, '/v1/chat/completions', chatBody('one'))).status).toBe(404);

    h.mocks[0]!.options.latencyMs = 0;
    await h.writeRoutes(
      'apiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: three }\nspec: { backends: [] }\n',
      'broken.yaml',
    );
    await eventually(() => h.gateway.routes?.lastRejected !== undefined);
    expect(h.gateway.routes?.lastRejected?.[0]).toMatchObject({ path: 'spec.backends', line: 4 });
    expect((await post(h, '/v1/chat/completions', chatBody('two'))).status).toBe(200);
    expect((await post(h, '/v1/chat/completions', chatBody('three'))).status).toBe(404);
  });
});

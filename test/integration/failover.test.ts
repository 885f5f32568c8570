import { startMockBackend } from '@switchboard/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { startBlackHole } from '../helpers/black-hole.js';
import { chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

const post = (h: Harness, body: string, signal?: AbortSignal) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: signal ?? null,
  });

const fastEjection = `  resilience:
    timeouts: { firstToken: 300ms, idle: 300ms }
    outlierDetection: { consecutiveFailures: 2, baseEjectionTime: 300ms, maxEjectionTime: 1s }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('failover', () => {
  it('loses no non-streaming request when a backend dies under load, ejects it and takes it back after it recovers', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'r',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '' },
          ],
          `  routing: { strategy: weighted }\n${fastEjection}`,
        ),
      [{ latencyMs: 5 }, { latencyMs: 5 }],
    );
    const [a] = h.mocks;
    const port = a!.port;
    const results: number[] = [];
    let killed = false;
    const worker = async () => {
      for (let i = 0; i < 40; i++) {
        if (i === 10 && !killed) {
          killed = true;
          await a!.close();
        }
        results.push((await post(h!, chatBody('r'))).status);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(results.length).toBe(320);
    expect(results.filter((s) => s !== 200)).toEqual([]);
    const ready = (await (await fetch(`${h.url}/readyz`)).json()) as { backends: Record<string, Record<string, string>> };
    expect(ready.backends['default/r']?.a).toMatch(/ejected|half-open/);

    const revived = await startMockBackend({ port });
    try {
      await eventually(async () => {
        await post(h!, chatBody('r'));
        return (revived.received.get('/v1/chat/completions') ?? 0) > 0;
      });
      const state = (await (await fetch(`${h.url}/readyz`)).json()) as { backends: Record<string, Record<string, string>> };
      expect(state.backends['default/r']?.a).toBe('healthy');
    } finally {
      await revived.close();
    }
  });

  it('fails a stream only if it had already started on the backend that died', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'r',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '' },
          ],
          `  routing: { strategy: weighted }\n${fastEjection}`,
        ),
      [
        { tokensPerSecond: 40, completionTokens: 20 },
        { tokensPerSecond: 40, completionTokens: 20 },
      ],
    );
    const open = async () => {
      const res = await post(h!, chatBody('r', { stream: true }));
      const reader = res.body!.getReader();
      const first = await reader.read();
      return { backend: res.headers.get('x-switchboard-backend'), reader, text: new TextDecoder().decode(first.value) };
    };
    const finish = async (s: Awaited<ReturnType<typeof open>>) => {
      let text = s.text;
      for (let r = await s.reader.read(); !r.done; r = await s.reader.read()) text += new TextDecoder().decode(r.value);
      return { backend: s.backend, ok: text.trim().endsWith('data: [DONE]') };
    };
    const before = await Promise.all(Array.from({ length: 8 }, open));
    expect(new Set(before.map((s) => s.backend))).toEqual(new Set(['a', 'b']));
    await h.mocks[0]!.close();
    const after = await Promise.all(Array.from({ length: 8 }, open));
    const results = [...(await Promise.all(before.map(finish))), ...(await Promise.all(after.map(finish)))];
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.backend === 'a' && results.indexOf(r) < 8)).toBe(true);
    expect(results.slice(8).every((r) => r.ok && r.backend === 'b')).toBe(true);
  });

  it('fails over from a backend that accepts connections but never answers', async () => {
    const hole = await startBlackHole();
    try {
      h = await startHarness(([b]) =>
        routeYaml(
          'r',
          [
            { name: 'hole', url: hole.url },
            { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
          ],
          fastEjection,
        ),
      );
      const res = await post(h, chatBody('r'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchboard-backend')).toBe('b');
    } finally {
      await hole.close();
    }
  });

  it('honours Retry-After: a 429 moves the request on and rests that backend', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml('r', [
          { name: 'a', url: a ?? '' },
          { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
        ]),
      [{ errorRate: 1, errorStatus: 429, retryAfter: '30' }, {}],
    );
    for (let i = 0; i < 5; i++) {
      const res = await post(h, chatBody('r'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchboard-backend')).toBe('b');
    }
    expect(h.mocks[0]?.received.get('/v1/chat/completions')).toBe(1);
  });

  it('passes a 429 on, with Retry-After, when no other backend is left', async () => {
    h = await startHarness(
      ([a]) => routeYaml('r', [{ name: 'a', url: a ?? '' }]),
      [{ errorRate: 1, errorStatus: 429, retryAfter: '7' }],
    );
    const res = await post(h, chatBody('r'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('fails a stream over before its first byte, and ends it with an SSE error after', async () => {
    h = await startHarness(
      ([slow, good]) =>
        routeYaml(
          'r',
          [
            { name: 'slow', url: slow ?? '' },
            { name: 'good', url: good ?? '', extra: '      priority: 1\n' },
          ],
          fastEjection,
        ),
      [{ ttftMs: 2000 }, {}],
    );
    const res = await post(h, chatBody('r', { stream: true }));
    expect(res.headers.get('x-switchboard-backend')).toBe('good');
    expect(await res.text()).toContain('data: [DONE]');

    // Now a backend that starts, then drips slower than the idle timeout.
    h.mocks[0]!.options.ttftMs = 0;
    h.mocks[0]!.options.tokensPerSecond = 1;
    await h.writeRoutes(routeYaml('r2', [{ name: 'drip', url: h.mocks[0]!.url }], fastEjection));
    await eventually(
      async () =>
        (await fetch(`${h!.url}/v1/models`).then((r) => r.json() as Promise<{ data: { id: string }[] }>)).data[0]?.id === 'r2',
    );
    const drip = await post(h, chatBody('r2', { stream: true }));
    expect(drip.status).toBe(200);
    const text = await drip.text();
    const last = text.trim().split('\n\n').at(-1) ?? '';
    expect(JSON.parse(last.slice('data: '.length))).toMatchObject({ error: { type: 'timeout_error', code: 'upstream_timeout' } });
  });

  it('retries a response cut mid-body elsewhere, and reports it when nowhere is left', async () => {
    h = await startHarness(
      ([cut, good]) =>
        [
          routeYaml('r', [
            { name: 'cut', url: cut ?? '' },
            { name: 'good', url: good ?? '', extra: '      priority: 1\n' },
          ]),
          routeYaml('only', [{ name: 'cut', url: cut ?? '' }]),
        ].join('---\n'),
      [{ cutAfterBytes: 40 }, {}],
    );
    const ok = await post(h, chatBody('r'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-switchboard-backend')).toBe('good');
    const bad = await post(h, chatBody('only'));
    expect(bad.status).toBe(502);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('upstream_error');
  });

  it('answers malformed backend JSON and SSE with clear OpenAI-shaped errors', async () => {
    h = await startHarness(([m]) => routeYaml('r', [{ name: 'm', url: m ?? '' }]), [{ malformed: true }]);
    const res = await post(h, chatBody('r'));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_malformed');
    const stream = await post(h, chatBody('r', { stream: true }));
    const events = (await stream.text())
      .split('\n\n')
      .map((e) => e.trim())
      .filter(Boolean);
    expect(events.some((e) => e.includes('oops'))).toBe(false);
    expect(JSON.parse(events.at(-1)!.slice('data: '.length))).toMatchObject({ error: { code: 'upstream_malformed' } });
  });

  it('skips a backend whose context window the prompt does not fit', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml('r', [
          { name: 'small', url: a ?? '', extra: '      contextWindow: 20\n' },
          { name: 'large', url: b ?? '', extra: '      contextWindow: 100000\n      priority: 1\n' },
        ]),
      [{}, {}],
    );
    const short = await post(h, chatBody('r'));
    expect(short.headers.get('x-switchboard-backend')).toBe('small');
    const long = await post(h, chatBody('r', { max_tokens: 50 }));
    expect(long.headers.get('x-switchboard-backend')).toBe('large');
    const huge = await post(h, chatBody('r', { max_tokens: 200_000 }));
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('context_length_exceeded');
  });

  it('skips a backend that lacks a feature the request uses', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml('r', [
          { name: 'plain', url: a ?? '', extra: '      capabilities: []\n' },
          { name: 'full', url: b ?? '', extra: '      priority: 1\n' },
        ]),
      [{}, {}],
    );
    const plain = await post(h, chatBody('r'));
    expect(plain.headers.get('x-switchboard-backend')).toBe('plain');
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const withTools = await post(h, chatBody('r', { tools }));
    expect(withTools.headers.get('x-switchboard-backend')).toBe('full');
    const json = await post(h, chatBody('r', { response_format: { type: 'json_object' } }));
    expect(json.headers.get('x-switchboard-backend')).toBe('full');
  });

  it('turns requests away with 429 and Retry-After past a backend concurrency limit and queue', async () => {
    h = await startHarness(
      ([a]) => routeYaml('r', [{ name: 'a', url: a ?? '', extra: '      maxConcurrency: 1\n      maxQueue: 0\n' }]),
      [{ latencyMs: 300 }],
    );
    const [first, second] = await Promise.all([post(h, chatBody('r')), post(h, chatBody('r'))]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 429]);
    const rejected = first.status === 429 ? first : second;
    expect(rejected.headers.get('retry-after')).toBe('1');
  });

  it('stops retrying when the route retry budget is spent', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'r',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
          ],
          '  resilience:\n    retryBudget: { ratio: 0, minRetriesPerSecond: 0 }\n    outlierDetection: { consecutiveFailures: 100 }\n',
        ),
      [{ errorRate: 1, errorStatus: 503 }, {}],
    );
    expect((await post(h, chatBody('r'))).status).toBe(200); // the budget starts with one retry
    expect((await post(h, chatBody('r'))).status).toBe(503); // and has none left: the backend's 503
  });
});

import { request as httpRequest } from 'node:http';
import { hashKey } from '@switchboard/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog, chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

// Nothing a request does may outlive it: timers, concurrency slots and the
// half-open probe are released on every way out, and a client leaving early
// is not a gateway error.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = (url: string, model: string, extra: Record<string, unknown> = {}, init: RequestInit = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody(model, extra),
    ...init,
  });

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('per-request resources', () => {
  it('answers release their timers (non-streaming, streaming, failing), with the default 600 s timeout', async () => {
    h = await startHarness(
      ([a, bad]) =>
        [routeYaml('main', [{ name: 'a', url: a ?? '' }]), routeYaml('bad', [{ name: 'bad', url: bad ?? '' }])].join('---\n'),
      [{}, { errorRate: 1, errorStatus: 400 }],
    );
    for (const extra of [{}, { stream: true }]) await (await post(h.url, 'main', extra)).arrayBuffer();
    const before = timers();
    for (let i = 0; i < 100; i++) {
      await (await post(h.url, 'main')).arrayBuffer();
      await (await post(h.url, 'main', { stream: true })).arrayBuffer();
      await (await post(h.url, 'bad')).arrayBuffer();
    }
    // 300 requests: each kept a 600 s timer before the fix.
    expect(timers() - before).toBeLessThan(20);
  });

  it('a client abandoning an upload is not an error, and the gateway serves on', async () => {
    const logs = captureLog();
    h = await startHarness(([a]) => routeYaml('main', [{ name: 'a', url: a ?? '' }]), [{}], { log: logs.log });
    const { port } = new URL(h.url);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', 'content-length': '100000' },
        });
        req.on('error', () => resolve());
        req.write('{"model": "main", "messages": [');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 5);
      });
    }
    expect((await post(h.url, 'main')).status).toBe(200);
    expect(logs.lines.filter((l) => l.level === 50)).toEqual([]);
  });

  it('a half-open probe whose client leaves does not keep the backend ejected for good', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'main',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
          ],
          '  resilience:\n    outlierDetection: { consecutiveFailures: 1, baseEjectionTime: 50ms }\n',
        ),
      [{ errorRate: 1 }, {}],
    );
    const [a] = h.mocks;
    // a fails once: ejected, b answers
    expect((await post(h.url, 'main')).headers.get('x-switchboard-backend')).toBe('b');
    await new Promise((r) => setTimeout(r, 80));
    // a is half-open: the next request probes it, and its client gives up
    a!.options.errorRate = 0;
    a!.options.latencyMs = 2000;
    await post(h.url, 'main', {}, { signal: AbortSignal.timeout(100) }).catch(() => undefined);
    a!.options.latencyMs = 0;
    // a gets its probe again (half-open, not ejected for ever) and is back
    await eventually(async () => {
      const res = await post(h!.url, 'main');
      await res.arrayBuffer();
      return res.headers.get('x-switchboard-backend') === 'a';
    });
  });

  it('a half-open probe answered 429 leaves the backend half-open, not ejected for good', async () => {
    h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'main',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
          ],
          '  resilience:\n    outlierDetection: { consecutiveFailures: 1, baseEjectionTime: 50ms }\n',
        ),
      [{ errorRate: 1 }, {}],
    );
    const [a] = h.mocks;
    await (await post(h.url, 'main')).arrayBuffer();
    await new Promise((r) => setTimeout(r, 80));
    a!.options.errorStatus = 429;
    a!.options.retryAfter = '0';
    await (await post(h.url, 'main')).arrayBuffer();
    a!.options.errorRate = 0;
    await eventually(async () => {
      const res = await post(h!.url, 'main');
      await res.arrayBuffer();
      return res.headers.get('x-switchboard-backend') === 'a';
    });
  });
});

describe('admission comes first', () => {
  it('a throttled caller causes no embeddings call', async () => {
    const KEY = 'sk-throttled-0123456789';
    h = await startHarness(
      ([a]) =>
        routeYaml(
          'semantic',
          [{ name: 'a', url: a ?? '' }],
          `  routing:
    strategy: semantic
    semantic:
      encoder: remote
      routes: [{ name: code, backend: a, utterances: [write a function] }]
    embeddings: { endpoint: ${a ?? ''}, model: words }
`,
        ),
      [{ embeddingKind: 'words' }],
      { apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)}, limits: { requestsPerMinute: 1 } }\n` },
    );
    const mock = h.mocks[0]!;
    const ask = () =>
      fetch(`${h!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: chatBody('semantic'),
      });
    expect((await ask()).status).toBe(200);
    const embeddings = mock.received.get('/v1/embeddings') ?? 0;
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(429);
    expect(mock.received.get('/v1/embeddings') ?? 0).toBe(embeddings);
  });
});

describe('cascade accounting', () => {
  it("counts the verifier's tokens and cost like any call's", async () => {
    h = await startHarness(
      ([cheap, pricey, judge]) =>
        routeYaml(
          'verified',
          [
            { name: 'cheap', url: cheap ?? '' },
            { name: 'pricey', url: pricey ?? '' },
            { name: 'judge', url: judge ?? '' },
          ],
          '  routing:\n    strategy: cascade\n    cascade: { stages: [cheap, pricey], confidence: verifier, verifier: judge }\n',
        ),
      [{}, {}, { replyText: 'yes' }],
    );
    expect((await post(h.url, 'verified')).status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const judge = metrics
      .split('\n')
      .filter((l) => l.startsWith('gen_ai_client_token_usage_count') && l.includes('switchboard_backend="judge"'));
    expect(judge).toHaveLength(2); // input and output
    const cost = /switchboard_cost_total\{route="default\/verified",backend="judge"\} (\S+)/.exec(metrics)?.[1];
    expect(Number(cost)).toBeGreaterThan(0);
  });
});

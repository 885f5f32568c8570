// Fault injection under load (`npm run bench -- faults`): per scenario,
// requests sent, succeeded, failed (each failure an OpenAI-shaped error),
// and p99 latency during the fault; then the limiter's accuracy over one
// minute, with one gateway (memory) and with two sharing Redis.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayProcess, startMockBackend } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import { pino } from 'pino';
import { Pool } from 'undici';
import { freePort, pct, table } from './lib.js';

const log = pino({ level: 'silent' });
const route = (name, backends, extra = '') => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
${backends.map((b) => `    - { name: ${b.name}, provider: openai-compatible, endpoint: "${b.url}", model: m${b.extra ? `, ${b.extra}` : ''} }`).join('\n')}
  resilience:
    timeouts: { firstToken: 500ms, idle: 500ms }
    outlierDetection: { consecutiveFailures: 3, baseEjectionTime: 2s }
${extra}`;

async function gateway(yaml, opts = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-faults-'));
  const routesDir = join(dir, 'routes');
  await mkdir(routesDir);
  await writeFile(join(routesDir, 'r.yaml'), yaml);
  let auth = 'disabled';
  if (opts.keys) {
    await writeFile(join(dir, 'keys.yaml'), opts.keys);
    auth = { apiKeysFile: join(dir, 'keys.yaml') };
  }
  const g = await startGatewayProcess({
    routesDir,
    port: 0,
    host: '127.0.0.1',
    bodyLimitBytes: 1 << 20,
    shutdownGraceMs: 1000,
    auth,
    redisUrl: opts.redis,
    log,
  });
  return {
    url: g.server.url,
    close: async () => {
      await g.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A route over `mocks` as equal backends (one tier, equal weights). */
const oneTier = (mocks) =>
  route(
    'r',
    mocks.map((m, i) => ({ name: `b${i}`, url: m.url })),
  );

/** Closed-loop load; `during(i)` runs before request i (to inject the fault). */
async function drive(url, { requests, concurrency, stream = false, during = () => undefined, headers = {} }) {
  const pool = new Pool(url, { connections: concurrency });
  const body = JSON.stringify({ model: 'r', stream, messages: [{ role: 'user', content: 'hello' }] });
  const latencies = [];
  let ok = 0;
  let failed = 0;
  let unclear = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      await during(i);
      const t0 = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      const sseError = stream && /\ndata: \{"error"/.test(`\n${text}`);
      if (res.statusCode === 200 && !sseError && (!stream || text.includes('[DONE]'))) ok++;
      else {
        failed++;
        const json = stream && res.statusCode === 200 ? text.split('\n\n').filter(Boolean).at(-1)?.slice(6) : text;
        try {
          if (!JSON.parse(json).error?.message) unclear++;
        } catch {
          unclear++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { sent: requests, ok, failed, unclear, p99: pct(latencies, 99) };
}

async function scenario(name, setup) {
  const { mocks, yaml, run, cleanup = [] } = await setup();
  const g = await gateway(yaml);
  try {
    return { name, ...(await run(g.url, mocks)) };
  } finally {
    await g.close();
    for (const m of [...mocks, ...cleanup]) await m.close().catch(() => undefined);
  }
}

async function blackHole() {
  const { createServer } = await import('node:net');
  const sockets = new Set();
  const server = createServer((s) => (sockets.add(s), s.on('error', () => undefined)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    close: async () => (sockets.forEach((s) => s.destroy()), server.close()),
  };
}

export async function benchFaults({ quick = false } = {}) {
  const n = quick ? 400 : 2000;
  const rows = [['scenario', 'sent', 'succeeded', 'failed', 'failed without a clear error', 'p99 during fault']];
  const results = [];
  const two = async (a = {}, b = {}) => [
    await startMockBackend({ latencyMs: 2, ...a }),
    await startMockBackend({ latencyMs: 2, ...b }),
  ];

  results.push(
    await scenario('one of two backends killed mid-load (non-streaming)', async () => {
      const mocks = await two();
      return {
        mocks,
        yaml: oneTier(mocks),
        run: (url, [a]) =>
          drive(url, { requests: n, concurrency: 16, during: async (i) => i === Math.floor(n / 4) && (await a.close()) }),
      };
    }),
  );
  results.push(
    await scenario('one of two backends killed mid-load (streaming)', async () => {
      const mocks = await two({ tokensPerSecond: 200 }, { tokensPerSecond: 200 });
      return {
        mocks,
        yaml: oneTier(mocks),
        run: (url, [a]) =>
          drive(url, {
            requests: n / 4,
            concurrency: 16,
            stream: true,
            during: async (i) => i === Math.floor(n / 16) && (await a.close()),
          }),
      };
    }),
  );
  results.push(
    await scenario('backend accepts connections, never answers', async () => {
      const hole = await blackHole();
      const [b] = await two();
      return {
        mocks: [b],
        cleanup: [hole],
        yaml: route('r', [
          { name: 'hole', url: hole.url },
          { name: 'b', url: b.url, extra: 'priority: 1' },
        ]),
        run: (url) => drive(url, { requests: n / 2, concurrency: 16 }),
      };
    }),
  );
  results.push(
    await scenario('429 storm with Retry-After on the preferred backend', async () => {
      const mocks = await two({ errorRate: 1, errorStatus: 429, retryAfter: '1' });
      return {
        mocks,
        yaml: route('r', [
          { name: 'a', url: mocks[0].url },
          { name: 'b', url: mocks[1].url, extra: 'priority: 1' },
        ]),
        run: (url) => drive(url, { requests: n, concurrency: 16 }),
      };
    }),
  );
  results.push(
    await scenario('responses cut mid-body on one of two backends', async () => {
      const mocks = await two({ cutAfterBytes: 60 });
      return {
        mocks,
        yaml: oneTier(mocks),
        run: (url) => drive(url, { requests: n, concurrency: 16 }),
      };
    }),
  );
  results.push(
    await scenario('slow-drip streams (idle timeout), single backend', async () => {
      const mocks = [await startMockBackend({ tokensPerSecond: 1, completionTokens: 5 })];
      return {
        mocks,
        yaml: route('r', [{ name: 'drip', url: mocks[0].url }]),
        run: (url) => drive(url, { requests: 32, concurrency: 16, stream: true }),
      };
    }),
  );
  results.push(
    await scenario('malformed JSON from the only backend', async () => {
      const mocks = [await startMockBackend({ malformed: true })];
      return {
        mocks,
        yaml: route('r', [{ name: 'bad', url: mocks[0].url }]),
        run: (url) => drive(url, { requests: n / 4, concurrency: 16 }),
      };
    }),
  );
  for (const r of results) rows.push([r.name, r.sent, r.ok, r.failed, r.unclear, `${r.p99.toFixed(1)} ms`]);
  console.log('\nFault injection (each failure must be an OpenAI-shaped error)\n');
  console.log(table(rows));
  await benchLimiter({ quick });
  return results;
}

/** Allowed vs configured in one whole UTC minute: one gateway, and two sharing Redis. */
async function benchLimiter({ quick }) {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const limit = quick ? 120 : 600;
  const mock = await startMockBackend({});
  const yaml = route('r', [{ name: 'a', url: mock.url }]);
  const keys = (name, key) =>
    `keys:\n  - { name: ${name}, tenant: ${name}, sha256: ${hashKey(key)}, limits: { requestsPerMinute: ${limit} } }\n`;
  const solo = await gateway(yaml, { keys: keys('solo', 'sk-solo') });
  const shared = [
    await gateway(yaml, { keys: keys('shared', 'sk-shared'), redis: `redis://127.0.0.1:${port}` }),
    await gateway(yaml, { keys: keys('shared', 'sk-shared'), redis: `redis://127.0.0.1:${port}` }),
  ];
  try {
    const msToNextMinute = 60_000 - (Date.now() % 60_000);
    console.log(
      `\nLimiter accuracy: waiting ${Math.ceil(msToNextMinute / 1000)} s for the next whole minute, then sending ${limit * 2} requests per key over it...`,
    );
    await new Promise((r) => setTimeout(r, msToNextMinute + 100));
    const count = async (url, key, requests) => {
      const pool = new Pool(url, { connections: 4 });
      let allowed = 0;
      let refused = 0;
      const gap = 58_000 / requests;
      const started = Date.now();
      for (let i = 0; i < requests; i++) {
        const wait = started + i * gap - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const res = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'r', messages: [{ role: 'user', content: 'x' }] }),
        });
        await res.body.dump();
        if (res.statusCode === 200) allowed++;
        else if (res.statusCode === 429) refused++;
      }
      await pool.close();
      return { allowed, refused };
    };
    const [one, a, b] = await Promise.all([
      count(solo.url, 'sk-solo', limit * 2),
      count(shared[0].url, 'sk-shared', limit),
      count(shared[1].url, 'sk-shared', limit),
    ]);
    console.log(
      table([
        ['setup', 'configured per minute', 'sent', 'allowed', 'refused (429)'],
        ['one gateway, in-memory counts', limit, limit * 2, one.allowed, one.refused],
        ['two gateways sharing Redis', limit, limit * 2, a.allowed + b.allowed, a.refused + b.refused],
      ]),
    );
  } finally {
    await solo.close();
    for (const g of shared) await g.close();
    await mock.close();
    redis.kill('SIGKILL');
  }
}

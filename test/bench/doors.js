// Added latency of each front door (the Responses API, the Anthropic
// Messages API) over /v1/chat/completions, for the same request to the same
// upstream (the mock backend, OpenAI-compatible: both doors translate to chat
// completions and back, streams included), one gateway process.
import { rm } from 'node:fs/promises';
import { freePort, load, pct, routesDir, startCli, stop, table } from './lib.js';

const fmt = (ms) => `${ms.toFixed(3)} ms`;
const SYSTEM = 'You are a helpful assistant.';
const PROMPT = 'Explain in two sentences why a routing gateway helps platform teams.';

/** The same request through each door, whole and streamed. */
const DOORS = [
  {
    door: 'chat completions',
    path: '/v1/chat/completions',
    body: (stream) => ({
      model: 'bench',
      stream,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PROMPT },
      ],
    }),
  },
  {
    door: 'responses',
    path: '/v1/responses',
    // store: false measures the translation alone; stored answers are measured in the second responses row.
    body: (stream) => ({ model: 'bench', stream, store: false, instructions: SYSTEM, input: PROMPT }),
  },
  {
    door: 'responses (stored)',
    path: '/v1/responses',
    body: (stream) => ({ model: 'bench', stream, instructions: SYSTEM, input: PROMPT }),
  },
  {
    door: 'messages',
    path: '/v1/messages',
    headers: { 'anthropic-version': '2023-06-01' },
    body: (stream) => ({
      model: 'bench',
      stream,
      max_tokens: 256,
      system: SYSTEM,
      messages: [{ role: 'user', content: PROMPT }],
    }),
  },
];

export async function benchDoors({ quick = false } = {}) {
  const requests = quick ? 4000 : 20000;
  const mockPort = await freePort();
  const mock = await startCli(['mock-backend', '--port', String(mockPort)], `http://127.0.0.1:${mockPort}/health`);
  const dir = await routesDir(`http://127.0.0.1:${mockPort}/v1`);
  const port = await freePort();
  const gw = await startCli(
    ['serve', '--routes', dir, '--no-auth', '--port', String(port), '--host', '127.0.0.1'],
    `http://127.0.0.1:${port}/readyz`,
  );
  const gateway = `http://127.0.0.1:${port}`;
  const results = [];
  try {
    for (const stream of [false, true]) {
      for (const d of DOORS) {
        const opts = { path: d.path, body: JSON.stringify(d.body(stream)), headers: d.headers ?? {}, concurrency: 64 };
        await load(gateway, { ...opts, requests: Math.min(requests, 2000) });
        results.push({ ...d, stream, r: await load(gateway, { ...opts, requests }) });
      }
    }
  } finally {
    await stop(gw);
    await stop(mock);
    await rm(dir, { recursive: true, force: true });
  }
  const rows = [['door', 'mode', 'p50', 'added p50', 'p99', 'added p99', 'req/s', 'req/s vs chat']];
  for (const x of results) {
    const chat = results.find((c) => c.stream === x.stream && c.path === '/v1/chat/completions').r;
    const [c50, c99, p50, p99] = [
      pct(chat.latencies, 50),
      pct(chat.latencies, 99),
      pct(x.r.latencies, 50),
      pct(x.r.latencies, 99),
    ];
    rows.push([
      x.door,
      x.stream ? 'stream (whole body)' : 'non-stream',
      fmt(p50),
      fmt(p50 - c50),
      fmt(p99),
      fmt(p99 - c99),
      Math.round(x.r.rps),
      `${((x.r.rps / chat.rps) * 100).toFixed(0)}%`,
    ]);
  }
  console.log('\nFront doors over /v1/chat/completions (concurrency 64, same mock upstream, translation included)\n');
  console.log(table(rows));
  return results;
}

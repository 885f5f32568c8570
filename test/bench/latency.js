// Added latency and throughput of the gateway over calling the mock backend
// directly, measured in one run on this machine.
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { CHAT_BODY, STREAM_BODY, freePort, load, pct, routesDir, startCli, stop, table } from './lib.js';

const fmt = (ms) => `${ms.toFixed(3)} ms`;

export async function benchLatency({ quick = false } = {}) {
  const n1 = quick ? 1000 : 5000;
  const n64 = quick ? 5000 : 40000;
  const mockPort = await freePort();
  const mock = await startCli(['mock-backend', '--port', String(mockPort)], `http://127.0.0.1:${mockPort}/health`);
  const direct = `http://127.0.0.1:${mockPort}`;
  const dir = await routesDir(`${direct}/v1`);
  const results = [];
  try {
    for (const workers of [1, Math.min(2, availableParallelism())]) {
      const port = await freePort();
      const gw = await startCli(
        ['serve', '--routes', dir, '--no-auth', '--port', String(port), '--host', '127.0.0.1', '--workers', String(workers)],
        `http://127.0.0.1:${port}/readyz`,
      );
      const gateway = `http://127.0.0.1:${port}`;
      try {
        for (const [mode, body, ttft] of [
          ['non-stream', CHAT_BODY, false],
          ['stream (TTFT)', STREAM_BODY, true],
        ]) {
          for (const concurrency of [1, 64]) {
            const requests = concurrency === 1 ? n1 : n64;
            const opts = { path: '/v1/chat/completions', body, concurrency, ttft };
            // warm up both paths (JIT, keep-alive connections)
            await load(direct, { ...opts, requests: Math.min(requests, 2000) });
            await load(gateway, { ...opts, requests: Math.min(requests, 2000) });
            const d = await load(direct, { ...opts, requests });
            const g = await load(gateway, { ...opts, requests });
            results.push({ workers, mode, concurrency, d, g });
          }
        }
      } finally {
        await stop(gw);
      }
    }
  } finally {
    await stop(mock);
    await rm(dir, { recursive: true, force: true });
  }
  const rows = [
    [
      'gateway workers',
      'mode',
      'conc.',
      'direct p50',
      'gateway p50',
      'added p50',
      'ratio',
      'direct p99',
      'gateway p99',
      'added p99',
      'direct req/s',
      'gateway req/s',
    ],
  ];
  for (const { workers, mode, concurrency, d, g } of results) {
    const [d50, g50, d99, g99] = [pct(d.latencies, 50), pct(g.latencies, 50), pct(d.latencies, 99), pct(g.latencies, 99)];
    rows.push([
      workers,
      mode,
      concurrency,
      fmt(d50),
      fmt(g50),
      fmt(g50 - d50),
      `${(g50 / d50).toFixed(2)}x`,
      fmt(d99),
      fmt(g99),
      fmt(g99 - d99),
      Math.round(d.rps),
      Math.round(g.rps),
    ]);
  }
  console.log('\nGateway added latency over the direct call (mock backend, zero delay; load generator in this process)\n');
  console.log(table(rows));
  return results;
}

// Shared helpers for the benchmarks: child processes, load loops, statistics.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

export const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

export async function freePort() {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  return port;
}

/** Starts `switchboard <args>` without waiting. */
export function spawnCli(args) {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Starts `switchboard <args>` and waits until `readyUrl` answers 200. */
export async function startCli(args, readyUrl) {
  const child = spawnCli(args);
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`switchboard ${args.join(' ')} did not become ready`);
}

export async function stop(child) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export async function routesDir(backendUrl) {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  await writeFile(
    join(dir, 'bench.yaml'),
    `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: bench }
spec:
  backends:
    - { name: mock, provider: openai-compatible, endpoint: "${backendUrl}", model: mock }
`,
  );
  return dir;
}

export const CHAT_BODY = JSON.stringify({
  model: 'bench',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Explain in two sentences why a routing gateway helps platform teams.' },
  ],
});
export const STREAM_BODY = JSON.stringify({ ...JSON.parse(CHAT_BODY), stream: true });

/**
 * Closed-loop load: `concurrency` callers, each sending its next request as
 * soon as the previous one finishes, until `requests` are done. Returns each
 * request's latency in ms (to the full body, or to the first chunk with `ttft`).
 */
export async function load(origin, { path, body, concurrency, requests, ttft = false, headers = {} }) {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies = new Float64Array(requests);
  let next = 0;
  let failed = 0;
  let firstFailure;
  const started = performance.now();
  async function caller() {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body });
      if (res.statusCode !== 200) {
        failed++;
        firstFailure ??= `${res.statusCode} ${await res.body.text()}`;
        continue;
      }
      if (ttft) {
        const it = res.body[Symbol.asyncIterator]();
        await it.next();
        latencies[i] = performance.now() - t0;
        for (let r = await it.next(); !r.done; r = await it.next());
      } else {
        await res.body.dump({ limit: Infinity });
        latencies[i] = performance.now() - t0;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  if (failed) throw new Error(`${failed} of ${requests} requests failed, first: ${firstFailure}`);
  return { latencies: Array.from(latencies).sort((a, b) => a - b), rps: requests / seconds };
}

export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(widths[c])).join('  ')).join('\n');
}

// What watching requests costs on the hot path: the gateway with nothing
// observed (--no-savings, tracing off), with savings accounting (the
// default), with OTLP tracing to a real OpenTelemetry Collector, and with
// both, against the same mock backend; the first variant runs again at the
// end, so the spread between its two runs shows how noisy the machine was.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAT_BODY, ROOT, freePort, load, pct, routesDir, startCli, stop, table } from './lib.js';

async function startCollector() {
  const bin = execFileSync('bash', [join(ROOT, 'scripts/build-otel-collector.sh')], { encoding: 'utf8' }).trim();
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-otel-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'config.yaml'),
    `receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}" } } } }
exporters: { file: { path: "${join(dir, 'traces.jsonl')}" } }
service: { telemetry: { metrics: { level: none } }, pipelines: { traces: { receivers: [otlp], exporters: [file] } } }
`,
  );
  const child = spawn(bin, ['--config', `file:${join(dir, 'config.yaml')}`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1500));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the gateway with extra args and environment (the children inherit process.env). */
async function gateway(dir, args, env) {
  const port = await freePort();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const child = await startCli(
      ['serve', '--routes', dir, '--no-auth', '--port', String(port), '--host', '127.0.0.1', ...args],
      `http://127.0.0.1:${port}/readyz`,
    );
    return { child, url: `http://127.0.0.1:${port}` };
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

export async function benchObserve({ quick = false } = {}) {
  const n1 = quick ? 1000 : 4000;
  const n64 = quick ? 5000 : 20000;
  const mockPort = await freePort();
  const mock = await startCli(['mock-backend', '--port', String(mockPort)], `http://127.0.0.1:${mockPort}/health`);
  const dir = await routesDir(`http://127.0.0.1:${mockPort}/v1`);
  const collector = await startCollector();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint };
  const variants = [
    ['nothing observed (--no-savings)', ['--no-savings'], {}],
    ['savings (default)', [], {}],
    ['tracing sampled out (always_off), no savings', ['--no-savings'], { ...otel, OTEL_TRACES_SAMPLER: 'always_off' }],
    ['tracing, no savings', ['--no-savings'], otel],
    ['savings + tracing', [], otel],
    ['nothing observed, again', ['--no-savings'], {}],
  ];
  const results = [];
  try {
    for (const [name, args, env] of variants) {
      const gw = await gateway(dir, args, env);
      try {
        for (const concurrency of [1, 64]) {
          const opts = { path: '/v1/chat/completions', body: CHAT_BODY, concurrency };
          await load(gw.url, { ...opts, requests: 2000 });
          const r = await load(gw.url, { ...opts, requests: concurrency === 1 ? n1 : n64 });
          results.push({ name, concurrency, r });
        }
      } finally {
        await stop(gw.child);
      }
    }
  } finally {
    await collector.stop();
    await stop(mock);
    await rm(dir, { recursive: true, force: true });
  }
  const base = (c) => results.find((x) => x.concurrency === c).r;
  const rows = [['variant', 'conc.', 'p50', 'p99', 'req/s', 'p50 ratio', 'req/s ratio']];
  for (const { name, concurrency, r } of results) {
    const b = base(concurrency);
    rows.push([
      name,
      concurrency,
      `${pct(r.latencies, 50).toFixed(3)} ms`,
      `${pct(r.latencies, 99).toFixed(3)} ms`,
      Math.round(r.rps),
      `${(pct(r.latencies, 50) / pct(b.latencies, 50)).toFixed(3)}x`,
      `${(r.rps / b.rps).toFixed(3)}x`,
    ]);
  }
  console.log('\nCost of watching requests (mock backend, zero delay; ratios to the first run)\n');
  console.log(table(rows));
  return results;
}

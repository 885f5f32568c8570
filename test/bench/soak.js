// Soak: sustained load through one gateway (in this process, so its memory
// can be read after a full GC), per request kind, from a load generator in
// a child process. Reports heap and RSS growth per 100k requests; the
// target is flat. `npm run bench -- soak [--quick] [--requests N]`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, startCli, stop, table } from './lib.js';

const MB = 1024 * 1024;

function routes(mockUrl) {
  const backend = (name, extra = '') =>
    `    - { name: ${name}, provider: openai-compatible, endpoint: "${mockUrl}", model: ${name}, cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 }${extra} }\n`;
  const route = (name, backends, routing = '') =>
    `apiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: ${name} }\nspec:\n  backends:\n${backends}${routing}`;
  return [
    route('plain', backend('a')),
    route('bandit', backend('a') + backend('b'), '  routing:\n    strategy: bandit\n    bandit: { algorithm: thompson }\n'),
    route(
      'cascade',
      backend('cheap') + backend('pricey', ', priority: 1'),
      '  routing:\n    strategy: cascade\n    cascade: { stages: [cheap, pricey], minMeanLogprob: -0.5 }\n',
    ),
  ].join('---\n');
}

const KINDS = [
  ['non-stream', 'plain', false],
  ['stream', 'plain', true],
  ['bandit', 'bandit', false],
  ['cascade', 'cascade', false],
];

/** Runs `requests` requests from a child process (so its memory is not ours); resolves with req/s. */
async function loadFromChild(origin, model, stream, requests, concurrency) {
  const body = JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Explain routing in two sentences.' }] });
  const child = spawn(
    process.execPath,
    [join(ROOT, 'test/bench/soak-load.js'), origin, body, String(requests), String(concurrency)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`load generator exited ${code}`);
  return JSON.parse(out);
}

function memory() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / MB, rss: m.rss / MB };
}

async function soak({ quick, requests }) {
  const { startGatewayProcess } = await import(join(ROOT, 'packages/cli/dist/index.js'));
  const { pino } = await import('pino');
  const mockPort = await freePort();
  const mock = await startCli(['mock-backend', '--port', String(mockPort)], `http://127.0.0.1:${mockPort}/health`);
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-soak-'));
  await writeFile(join(dir, 'routes.yaml'), routes(`http://127.0.0.1:${mockPort}/v1`));
  const gateway = await startGatewayProcess({
    routesDir: dir,
    auth: 'disabled',
    port: 0,
    host: '127.0.0.1',
    bodyLimitBytes: 10 * MB,
    shutdownGraceMs: 1000,
    log: pino({ level: 'warn' }),
  });
  const n = requests ?? (quick ? 20_000 : 100_000);
  const rows = [
    [
      'kind',
      'requests',
      'req/s',
      'heap before',
      'heap after',
      'heap MB/100k',
      'RSS before',
      'RSS after',
      'RSS MB/100k',
      'samples (RSS MB)',
    ],
  ];
  try {
    for (const [kind, model, stream] of KINDS) {
      await loadFromChild(gateway.server.url, model, stream, Math.min(10_000, n), 32); // warm up: JIT, pools, metric children
      const before = memory();
      const samples = [];
      const sampler = setInterval(() => samples.push(Math.round(process.memoryUsage().rss / MB)), 10_000);
      const { rps } = await loadFromChild(gateway.server.url, model, stream, n, 64);
      clearInterval(sampler);
      const after = memory();
      const per100k = (x) => (((after[x] - before[x]) / n) * 100_000).toFixed(2);
      rows.push([
        kind,
        n,
        Math.round(rps),
        before.heap.toFixed(1),
        after.heap.toFixed(1),
        per100k('heap'),
        before.rss.toFixed(1),
        after.rss.toFixed(1),
        per100k('rss'),
        samples.join(' '),
      ]);
    }
  } finally {
    await gateway.shutdown();
    await stop(mock);
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `\nSoak: ${n} requests per kind at concurrency 64 through one in-process gateway (default 600 s total timeout); memory after a full GC\n`,
  );
  console.log(table(rows));
}

/** `gc()` needs --expose-gc: without it, run again in a child that has it. */
export async function benchSoak(opts) {
  if (typeof globalThis.gc === 'function') return soak(opts);
  const args = [
    '--expose-gc',
    new URL(import.meta.url).pathname,
    ...(opts.quick ? ['--quick'] : []),
    ...(opts.requests ? ['--requests', String(opts.requests)] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`soak exited ${code}`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--requests');
  await soak({ quick: args.includes('--quick'), requests: at >= 0 ? Number(args[at + 1]) : undefined });
}

// Collaboration routes: the orchestration's own cost per mode (the gateway's
// switchboard_collaboration_overhead_seconds: wall time before the final
// stage minus the time its stages waited on backends), the controller's
// decision time (in this process, over varied prompts), and the memory one
// in-flight collaboration holds (a fusion panel parked on slow backends).
// `npm run bench -- collaboration [--quick]`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { freePort, load, pct, ROOT, startCli, stop, table } from './lib.js';

const MODES = ['single', 'cot', 'chain', 'reflection', 'debate', 'fusion'];
const fmt = (ms) => `${ms.toFixed(3)} ms`;

async function routesFor(urls) {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-collab-'));
  const backends = urls
    .map(
      (url, i) =>
        `    - { name: b${i}, provider: openai-compatible, endpoint: "${url}", model: m${i}, cost: { inputPerMillionTokens: ${i + 1}, outputPerMillionTokens: ${2 * (i + 1)} } }`,
    )
    .join('\n');
  const route = (name, collaboration) =>
    `apiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: ${name} }\nspec:\n  backends:\n${backends}\n  routing:\n    strategy: collaboration\n    collaboration: ${collaboration}\n`;
  await writeFile(
    join(dir, 'routes.yaml'),
    [...MODES.map((m) => route(`team-${m}`, `{ mode: ${m}, agents: 3 }`)), route('team-auto', '{ mode: auto }')].join('---\n'),
  );
  return dir;
}

/** Mean of a labelled histogram (sum / count) from /metrics text. */
function histogramMean(metrics, name, labels) {
  const match = (suffix) =>
    metrics
      .split('\n')
      .find((l) => l.startsWith(`${name}_${suffix}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  const value = (line) => Number(line?.split(' ').at(-1) ?? NaN);
  return value(match('sum')) / value(match('count'));
}

const gauge = (metrics, name) =>
  Number(
    metrics
      .split('\n')
      .find((l) => l.startsWith(`${name} `))
      ?.split(' ')[1] ?? NaN,
  );

async function orchestration(quick) {
  const mockPorts = [await freePort(), await freePort(), await freePort()];
  const mocks = await Promise.all(
    mockPorts.map((p) => startCli(['mock-backend', '--port', String(p)], `http://127.0.0.1:${p}/health`)),
  );
  const dir = await routesFor(mockPorts.map((p) => `http://127.0.0.1:${p}/v1`));
  const port = await freePort();
  const gw = await startCli(
    ['serve', '--routes', dir, '--no-auth', '--port', String(port), '--host', '127.0.0.1'],
    `http://127.0.0.1:${port}/readyz`,
  );
  const origin = `http://127.0.0.1:${port}`;
  const requests = quick ? 500 : 3000;
  const rows = [['mode', 'calls', 'orchestration (mean)', 'p50 (whole answer)', 'p99', 'req/s (c16)']];
  try {
    for (const mode of MODES) {
      const body = JSON.stringify({
        model: `team-${mode}`,
        messages: [{ role: 'user', content: 'Explain routing in two sentences.' }],
      });
      await load(origin, { path: '/v1/chat/completions', body, concurrency: 16, requests: Math.min(200, requests) });
      const r = await load(origin, { path: '/v1/chat/completions', body, concurrency: 16, requests });
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      const overhead = histogramMean(metrics, 'switchboard_collaboration_overhead_seconds', {
        mode,
        route: `default/team-${mode}`,
      });
      const calls = { single: 1, cot: 1, chain: 3, reflection: 3, debate: 7, fusion: 5 }[mode];
      rows.push([mode, calls, fmt(overhead * 1000), fmt(pct(r.latencies, 50)), fmt(pct(r.latencies, 99)), Math.round(r.rps)]);
    }
  } finally {
    await stop(gw);
    await Promise.all(mocks.map(stop));
    await rm(dir, { recursive: true, force: true });
  }
  console.log('\nCollaboration orchestration per mode (3 zero-delay mock backends, 1 gateway process, concurrency 16)\n');
  console.log(table(rows));
  console.log(
    "\norchestration = time in the gateway before the final stage, not spent waiting on a backend (the gateway's own histogram)",
  );
}

/** The controller's decision, timed in this process over the built-in task classifier and length difficulty. */
async function decisionTime(quick) {
  const { CollaborationController } = await import(join(ROOT, 'packages/gateway/dist/strategies/collaboration/controller.js'));
  const { BUILT_IN_TASKS } = await import(join(ROOT, 'packages/gateway/dist/strategies/collaboration/prompts.js'));
  const { NativeSemanticIndex, loadTokenizer } = await import('@switchboard/native');
  const tokenizer = loadTokenizer('o200k_base');
  const backends = [0, 1, 2].map((i) => ({
    name: `b${i}`,
    inputPricePerToken: (i + 1) / 1e6,
    outputPricePerToken: (2 * (i + 1)) / 1e6,
    maxOutputTokens: undefined,
    tokenizer,
  }));
  const index = NativeSemanticIndex.fromText(
    'lexical',
    BUILT_IN_TASKS.flatMap((t) => t.utterances),
    BUILT_IN_TASKS.flatMap((t, i) => t.utterances.map(() => i)),
    BUILT_IN_TASKS.length,
    3,
  );
  const names = BUILT_IN_TASKS.map((t) => t.name);
  const taskOf = (prompt) => {
    const s = index.scores(prompt);
    let best = 2;
    for (let i = 0; i < s.length; i++) if (s[i] > (s[best] ?? 0)) best = i;
    return names[best];
  };
  const controller = new CollaborationController({
    routeId: 'bench',
    backends,
    mode: 'auto',
    modes: MODES,
    agents: 3,
    rounds: 1,
    minSuccessful: undefined,
    roles: [],
    judge: backends[2],
    synthesizer: backends[2],
    budget: { maxCalls: 8, maxTokens: undefined, maxCost: 0.05 },
    taskOf,
    scoreOf: undefined,
    easyBelow: 0.35,
    hardAbove: 0.65,
    learning: undefined,
    policy: undefined,
    allowClientPlans: false,
    defaultOutputTokens: 1024,
  });
  const prompts = [
    'write a python function that parses ISO dates and handles time zones',
    'solve for x: 3x + 7 = 22, then explain each step',
    'hi',
    'Summarize the causes of the French revolution in a paragraph. '.repeat(12),
  ];
  const n = quick ? 20_000 : 200_000;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const text = prompts[i % prompts.length];
    // As the gateway's request does: the prompt counted once (its one native call), then read.
    let tokens;
    const request = {
      prompt: () => text,
      routerOutputs: () => [],
      header: () => undefined,
      metadata: undefined,
      promptTokens: () => (tokens ??= tokenizer.count(text)),
      maxOutputTokens: 0,
    };
    const t0 = performance.now();
    controller.choose(request, Math.random);
    times[i] = performance.now() - t0;
  }
  const sorted = Array.from(times).sort((a, b) => a - b);
  console.log(
    `\nController decision (task class + difficulty + budget over every candidate plan; token count included): p50 ${(pct(sorted, 50) * 1000).toFixed(1)} µs, p99 ${(pct(sorted, 99) * 1000).toFixed(1)} µs over ${n} decisions`,
  );
}

/** Heap and RSS per in-flight fusion collaboration, the panel parked on slow backends. */
async function memoryInFlight(quick) {
  const { startMockBackend } = await import('@switchboard/cli');
  const inFlight = quick ? 200 : 1000;
  const mocks = await Promise.all([0, 1, 2].map(() => startMockBackend({ latencyMs: 30_000 })));
  const dir = await routesFor(mocks.map((m) => m.url));
  const port = await freePort();
  const gw = await startCli(
    ['serve', '--routes', dir, '--no-auth', '--port', String(port), '--host', '127.0.0.1'],
    `http://127.0.0.1:${port}/readyz`,
  );
  const origin = `http://127.0.0.1:${port}`;
  const pool = new Pool(origin, { connections: inFlight });
  const parked = () => mocks.reduce((n, m) => n + (m.received.get('/v1/chat/completions') ?? 0), 0);
  try {
    const before = await (await fetch(`${origin}/metrics`)).text();
    const body = JSON.stringify({
      model: 'team-fusion',
      messages: [{ role: 'user', content: 'Explain routing in two sentences.' }],
    });
    const abort = new AbortController();
    setMaxListeners(inFlight + 10, abort.signal);
    const pending = Array.from({ length: inFlight }, () =>
      pool
        .request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json' },
          body,
          signal: abort.signal,
        })
        .catch(() => undefined),
    );
    // Until every panel's three calls are parked at the backends.
    for (let i = 0; i < 600 && parked() < 3 * inFlight; i++) await new Promise((r) => setTimeout(r, 100));
    const during = await (await fetch(`${origin}/metrics`)).text();
    const heap = (gauge(during, 'nodejs_heap_size_used_bytes') - gauge(before, 'nodejs_heap_size_used_bytes')) / inFlight;
    const rss = (gauge(during, 'process_resident_memory_bytes') - gauge(before, 'process_resident_memory_bytes')) / inFlight;
    console.log(
      `\nMemory per in-flight fusion collaboration (${inFlight} at once, ${parked()} agent calls parked): heap +${(heap / 1024).toFixed(1)} KiB, RSS +${(rss / 1024).toFixed(1)} KiB (the client connection and 3 upstream requests included)`,
    );
    abort.abort();
    await Promise.all(pending);
  } finally {
    await pool.close().catch(() => undefined);
    await stop(gw);
    await Promise.all(mocks.map((m) => m.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchCollaboration({ quick = false } = {}) {
  await orchestration(quick);
  await decisionTime(quick);
  await memoryInFlight(quick);
}

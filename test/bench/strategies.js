// Decision latency of every routing strategy as the proxy pays it: the
// strategy's rank() for one request (native calls included), in process, for
// 200 B, 2 KB and 20 KB prompts. Strategies are built by the gateway's own
// plan and build (Configurator) from LLMRoute objects, with routers trained here on the
// shipped data. The ONNX classifier runs when the interop Python (onnx
// package) can build its fixture; the sentence encoder when its weights were
// fetched. A cascade's cost is its extra backend calls, not a decision, so it
// is not listed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Configurator,
  defaultFactories,
  GrpcTransport,
  HttpTransport,
  MemoryLearningStore,
  RouteTableStore,
  standaloneSecrets,
  TableBuilder,
  Transports,
} from '@switchboard/gateway';
import { pino } from 'pino';
import { loadTokenizer, trainRouter } from '@switchboard/native';
import { pct, ROOT, table } from './lib.js';

const MMLU = join(ROOT, 'data/router/mmlu-train.jsonl');
const ALPACA = join(ROOT, 'data/router/alpaca-eval-train.jsonl');
const rowsOf = (file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function prompts(rows, bytes, count) {
  const out = [];
  for (let i = 0; out.length < count; i++) {
    let text = '';
    for (let j = i * 7; Buffer.byteLength(text) < bytes; j++) text += `${rows[j % rows.length].prompt}\n`;
    out.push(text.slice(0, bytes));
  }
  return out;
}

const backend = (name, price = 1) => ({
  name,
  provider: 'openai-compatible',
  endpoint: 'http://127.0.0.1:1/v1',
  model: name,
  cost: { inputPerMillionTokens: price, outputPerMillionTokens: price * 3 },
});
const route = (name, backends, routing) => ({
  apiVersion: 'switchboard.dev/v1alpha1',
  kind: 'LLMRoute',
  metadata: { name, namespace: 'bench' },
  spec: { backends, routing },
});

function onnxFixture(dir) {
  try {
    const python = execFileSync('bash', [join(ROOT, 'scripts/python-env.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    execFileSync(python, [join(ROOT, 'test/fixtures/onnx/make_classifier.py'), dir]);
    return true;
  } catch (err) {
    console.log(`(ONNX classifier skipped: ${err.message.split('\n')[0]})`);
    return false;
  }
}

/** What request/prompt-analysis.ts asks of a strategy's router (RouterUse): its score, or its outputs. */
const routerOutputs = (router, text) =>
  !router ? [] : router.reads === 'score' ? [router.native.score(text)] : router.native.outputs(text);

export async function benchStrategies({ quick = false } = {}) {
  const rounds = quick ? 1000 : 5000;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-strategies-'));
  const mmlu = rowsOf(MMLU);
  try {
    // Routers: MMLU-family classifier, alpaca predictive (hashed encoder).
    const families = JSON.parse(readFileSync(join(ROOT, 'data/router/mmlu-families.json'), 'utf8')).labels;
    const labelled = join(dir, 'families.jsonl');
    execFileSync('node', [
      '-e',
      `const fs=require('fs');const m=${JSON.stringify(families)};fs.writeFileSync(${JSON.stringify(labelled)},fs.readFileSync(${JSON.stringify(MMLU)},'utf8').split('\\n').filter(Boolean).map(l=>{const r=JSON.parse(l);r.family=m[r.source];return JSON.stringify(r)}).join('\\n'))`,
    ]);
    trainRouter({
      data: [labelled],
      router: 'classifier',
      labels: 'family',
      strong: '',
      weak: '',
      out: join(dir, 'families'),
      epochs: 2,
    });
    trainRouter({ data: [ALPACA], router: 'predictive', strong: '', weak: '', out: join(dir, 'quality'), epochs: 2 });
    const models = Object.keys(rowsOf(ALPACA)[0].scores);
    const fams = ['stem', 'humanities', 'social_sciences', 'other'];
    const utterances = (f) =>
      mmlu
        .filter((r) => families[r.source] === f)
        .filter((_, i) => i % 50 === 0)
        .slice(0, 20)
        .map((r) => r.prompt.slice(0, 400));
    const four = fams.map((f) => backend(f.replace('_', '-')));
    const routes = [
      route('rules', four, {
        strategy: 'priority',
        rules: [
          { name: 'sql', backend: 'stem', keywords: ['select * from', 'postgres', 'sqlite'] },
          { name: 'translate', backend: 'other', promptMatches: '^translate\\b' },
          { name: 'vip', backend: 'humanities', header: { name: 'x-tier', equals: 'vip' } },
        ],
      }),
      route('classifier', four, {
        strategy: 'classifier',
        classifier: {
          router: join(dir, 'families'),
          classes: { stem: 'stem', humanities: 'humanities', social_sciences: 'social-sciences' },
          default: 'other',
        },
      }),
      route('semantic-lexical', four, {
        strategy: 'semantic',
        semantic: {
          encoder: 'lexical',
          topK: 3,
          routes: fams.map((f) => ({ name: f, backend: f.replace('_', '-'), utterances: utterances(f) })),
        },
      }),
      route(
        'predictive',
        models.map((m, i) => backend(`m${i}`, 0.1 + i)),
        {
          strategy: 'predictive',
          predictive: {
            router: join(dir, 'quality'),
            models: Object.fromEntries(models.map((m, i) => [`m${i}`, m])),
            lambdaCost: 50,
          },
        },
      ),
      route(
        'bandit',
        models.map((m, i) => backend(`m${i}`)),
        { strategy: 'bandit', bandit: { algorithm: 'thompson' } },
      ),
    ];
    const sentence = existsSync(
      join(
        process.env.SWITCHBOARD_MODELS ?? join(process.env.HOME, '.cache/switchboard/models'),
        'all-MiniLM-L6-v2/model.safetensors',
      ),
    );
    if (sentence) {
      routes.push(
        route('semantic-sentence', four, {
          strategy: 'semantic',
          semantic: {
            encoder: 'sentence',
            topK: 3,
            routes: fams.map((f) => ({ name: f, backend: f.replace('_', '-'), utterances: utterances(f) })),
          },
        }),
      );
    } else console.log('(sentence semantic routes skipped: no weights; run scripts/fetch-models.sh)');
    if (onnxFixture(join(dir, 'onnx'))) {
      routes.push(
        route('classifier-onnx', [backend('code'), backend('math'), backend('chat')], {
          strategy: 'classifier',
          classifier: {
            onnx: {
              model: join(dir, 'onnx/model.onnx'),
              tokenizer: join(dir, 'onnx/tokenizer.json'),
              labels: ['code', 'math', 'chat'],
            },
            classes: { code: 'code', math: 'math' },
            default: 'chat',
          },
        }),
      );
    }
    const transports = new Transports({ http: new HttpTransport(), grpc: new GrpcTransport() });
    const factories = defaultFactories({ learning: new MemoryLearningStore(), transports, log: pino({ level: 'silent' }) });
    const configurator = new Configurator(new RouteTableStore(), new TableBuilder(factories));
    const compiled = await configurator.apply(
      routes.map((r) => ({ route: r })),
      standaloneSecrets(),
      'whole',
    );
    if (compiled.problems.length) throw new Error(compiled.problems.map((p) => p.message).join('\n'));
    const o200k = loadTokenizer('o200k_base');
    const rows = [['strategy', 'prompt', 'p50', 'p99', 'decisions/s']];
    for (const [size, label] of [
      [200, '200 B'],
      [2048, '2 KB'],
      [20480, '20 KB'],
    ]) {
      const texts = prompts(mmlu, size, 64);
      for (const r of compiled.table.routes) {
        const slow = r.id.includes('sentence') || r.id.includes('onnx');
        const n = slow ? Math.min(rounds, r.id.includes('sentence') ? 50 : 500) : size > 10000 ? Math.round(rounds / 5) : rounds;
        const times = new Float64Array(n);
        for (let i = -Math.min(50, n); i < n; i++) {
          const text = texts[(i + 64) % texts.length];
          let tokens;
          let outputs;
          // What the proxy's one native call gives the strategy: the token count and the router's outputs.
          const request = {
            prompt: () => text,
            routerOutputs: () => (outputs ??= routerOutputs(r.strategy.router, text)),
            header: () => undefined,
            metadata: undefined,
            promptTokens: () => (tokens ??= o200k.count(text)),
            maxOutputTokens: 0,
          };
          const t0 = performance.now();
          const ranked = r.strategy.rank(Math.random, request);
          if (ranked instanceof Promise) await ranked;
          if (i >= 0) times[i] = performance.now() - t0;
        }
        const sorted = Array.from(times).sort((a, b) => a - b);
        const total = sorted.reduce((a, b) => a + b, 0);
        const us = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
        rows.push([r.id.replace('bench/', ''), label, us(pct(sorted, 50)), us(pct(sorted, 99)), Math.round((n / total) * 1000)]);
      }
    }
    console.log('\n## Strategy decision latency (rank() per request, native calls included; in process)\n');
    console.log(table(rows));
    await transports.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

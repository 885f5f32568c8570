// Decision latency of learned routing: one native call (tokenize + encode +
// score) per prompt, as the threshold strategy makes it, for 200 B, 2 KB and
// 20 KB prompts: the shipped default router (models/default), and per router
// kind with the hashed encoder (the sentence encoder's mf router too when its
// weights were fetched).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRouter, trainRouter } from '@switchboard/native';
import { pct, ROOT, table } from './lib.js';

const DATA = join(ROOT, 'data/router/mmlu-train.jsonl');
const STRONG = 'gpt-4-1106-preview';
const WEAK = 'mixtral-8x7b-instruct-v0.1';

function prompts(bytes, count) {
  const rows = readFileSync(DATA, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).prompt);
  const out = [];
  for (let i = 0; out.length < count; i++) {
    let text = '';
    for (let j = i; Buffer.byteLength(text) < bytes; j++) text += `${rows[j % rows.length]}\n`;
    out.push(text.slice(0, bytes));
  }
  return out;
}

export function benchRouting({ quick = false } = {}) {
  const rounds = quick ? 2000 : 10000;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-router-'));
  const rows = [['router', 'prompt', 'p50', 'p99', 'decisions/s']];
  try {
    const routers = [
      ['default (models/default)', NativeRouter.load(join(ROOT, 'models/default'))],
      ['mf (models/mf-hashed)', NativeRouter.load(join(ROOT, 'models/mf-hashed'))],
    ];
    let sentence;
    try {
      sentence = [
        ['mf (models/mf-sentence)', NativeRouter.load(join(ROOT, 'models/mf-sentence'))],
        ['mf ensemble (models/mf-ensemble)', NativeRouter.load(join(ROOT, 'models/mf-ensemble'))],
      ];
    } catch (err) {
      console.log(`(sentence encoder skipped: ${err.message})`);
    }
    for (const kind of ['classifier', 'sw', 'random']) {
      const out = join(dir, kind);
      trainRouter({ data: [DATA], router: kind, strong: STRONG, weak: WEAK, out, epochs: 1 });
      routers.push([kind, NativeRouter.load(out)]);
    }
    for (const [size, label] of [
      [200, '200 B'],
      [2048, '2 KB'],
      [20480, '20 KB'],
    ]) {
      const texts = prompts(size, 64);
      for (const [name, router] of sentence ? [...routers, ...sentence] : routers) {
        const slow = name.includes('sentence') || name.includes('ensemble');
        const n = slow ? 100 : size > 10000 ? Math.round(rounds / 5) : rounds;
        for (let i = 0; i < (slow ? 5 : 200); i++) router.score(texts[i % texts.length]); // warm up
        const times = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          router.score(texts[i % texts.length]);
          times[i] = performance.now() - t0;
        }
        const sorted = Array.from(times).sort((a, b) => a - b);
        const total = sorted.reduce((a, b) => a + b, 0);
        rows.push([
          name,
          label,
          `${(pct(sorted, 50) * 1000).toFixed(1)} µs`,
          `${(pct(sorted, 99) * 1000).toFixed(1)} µs`,
          Math.round((n / total) * 1000),
        ]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n## Routing decision latency (one native call: tokenize + encode + score)\n');
  console.log(table(rows));
}

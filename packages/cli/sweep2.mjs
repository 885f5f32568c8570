import { crossValidateRouter, evaluateRouter } from '@switchboard/native';
import { readFileSync } from 'node:fs';
const data = '/work/main/data/router/mmlu-train.jsonl';
const rows = readFileSync(data, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const S = 'gpt-4-1106-preview', W = 'mixtral-8x7b-instruct-v0.1';
const strong = rows.map((r) => r.scores[S]), weak = rows.map((r) => r.scores[W]);
const router = process.argv[2] ?? 'classifier';
const runs = [];
for (let seed = 42; seed < 57; seed++) runs.push(crossValidateRouter({ data: [data], router, strong: S, weak: W, seed }));
const single = runs.map((s) => evaluateRouter(s, strong, weak).apgr);
console.log('single', single.map((a) => a.toFixed(3)).join(' '));
for (const size of [3, 5]) {
  const out = [];
  for (let g = 0; g + size <= runs.length; g += size) {
    const avg = runs[0].map((_, i) => runs.slice(g, g + size).reduce((a, r) => a + r[i], 0) / size);
    out.push(evaluateRouter(avg, strong, weak).apgr);
  }
  console.log(`ensemble of ${size}`, out.map((a) => a.toFixed(3)).join(' '));
}

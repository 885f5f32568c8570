import { crossValidateRouter, evaluateRouter } from '@switchboard/native';
import { readFileSync } from 'node:fs';
const data = '/work/main/data/router/mmlu-train.jsonl';
const rows = readFileSync(data, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const S = 'gpt-4-1106-preview', W = 'mixtral-8x7b-instruct-v0.1';
const strong = rows.map((r) => r.scores[S]), weak = rows.map((r) => r.scores[W]);
const configs = JSON.parse(process.argv[2]);
for (const c of configs) {
  const apgrs = [];
  for (const seed of [42, 43, 44]) {
    const s = crossValidateRouter({ data: [data], router: c.router, strong: S, weak: W, seed, ...c.opts });
    apgrs.push(evaluateRouter(s, strong, weak).apgr);
  }
  const m = apgrs.reduce((a, b) => a + b) / 3;
  console.log(JSON.stringify(c), apgrs.map((a) => a.toFixed(3)).join(' '), 'mean', m.toFixed(3));
}

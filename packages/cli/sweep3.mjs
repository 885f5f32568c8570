import { crossValidateRouter, evaluateRouter } from '@switchboard/native';
import { readFileSync } from 'node:fs';
const data = '/work/main/data/router/mmlu-train.jsonl';
const rows = readFileSync(data, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const S = 'gpt-4-1106-preview', W = 'mixtral-8x7b-instruct-v0.1';
const strong = rows.map((r) => r.scores[S]), weak = rows.map((r) => r.scores[W]);
const rank = (s) => { const idx = s.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]); const r = new Array(s.length); idx.forEach(([, i], k) => (r[i] = k / s.length)); return r; };
const t0 = Date.now();
const runs = {};
for (const [name, router, encoder] of [['mf-h', 'mf', 'hashed'], ['mf-s', 'mf', 'sentence'], ['cl-s', 'classifier', 'sentence'], ['sw-s', 'sw', 'sentence']]) {
  runs[name] = crossValidateRouter({ data: [data], router, encoder, strong: S, weak: W, seed: 42 });
  console.log(name, evaluateRouter(runs[name], strong, weak).apgr.toFixed(3), ((Date.now() - t0) / 1000).toFixed(0), 's');
}
const combos = [['mf-h', 'mf-s'], ['mf-h', 'cl-s'], ['mf-s', 'cl-s'], ['mf-h', 'mf-s', 'cl-s'], ['mf-h', 'mf-s', 'cl-s', 'sw-s']];
for (const c of combos) {
  const rs = c.map((n) => rank(runs[n]));
  const avg = rs[0].map((_, i) => rs.reduce((a, r) => a + r[i], 0) / rs.length);
  console.log(c.join('+'), evaluateRouter(avg, strong, weak).apgr.toFixed(3));
}

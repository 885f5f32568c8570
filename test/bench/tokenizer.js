// Tokenizer throughput: the native core against the fastest JS tokenizers,
// on the same inputs, after checking they produce identical token ids.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer } from '@switchboard/native';
import { encode as gptEncode } from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';
import { ROOT, table } from './lib.js';

/** English: MMLU questions from the project's router data when present, else README files. */
function englishTexts(from = 0, to = 3000) {
  const mmlu = join(ROOT, 'data/router/mmlu-train.jsonl');
  if (existsSync(mmlu))
    return readFileSync(mmlu, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(from, to)
      .map((l) => JSON.parse(l).prompt);
  return ['openai', 'undici', 'hono', 'prom-client', 'ajv', 'yaml'].map((p) =>
    readFileSync(join(ROOT, 'node_modules', p, 'README.md'), 'utf8'),
  );
}

function take(texts, bytes) {
  let out = '';
  for (const t of texts) {
    if (Buffer.byteLength(out) >= bytes) break;
    out += `${t}\n`;
  }
  return out.slice(0, bytes);
}

function inputs() {
  const english = englishTexts();
  const code = readFileSync(join(ROOT, 'node_modules/typescript/lib/typescript.js'), 'utf8').slice(200_000, 300_000);
  const short = english.filter((t) => Buffer.byteLength(t) >= 100 && Buffer.byteLength(t) <= 1000).slice(0, 500);
  return [
    ['short prompts (100-1000 B)', short],
    ['100 KB English', [take(english, 100_000)]],
    ['100 KB code', [code]],
  ];
}

/** MB/s of `fn` over `texts`, repeated for at least `ms`. */
function throughput(fn, texts, ms = 1500) {
  const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
  for (const t of texts) fn(t); // warm-up
  let rounds = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const t of texts) fn(t);
    rounds++;
  }
  return (bytes * rounds) / 1e6 / ((performance.now() - t0) / 1000);
}

export function benchTokenizer() {
  const native = loadTokenizer('o200k_base');
  const tiktoken = getEncoding('o200k_base');
  const rows = [
    [
      'input',
      'native encode',
      'native count',
      'gpt-tokenizer',
      'js-tiktoken',
      'native/gpt-tok.',
      'native/js-tik.',
      'ids identical',
    ],
  ];
  const results = [];
  for (const [name, texts] of inputs()) {
    const identical = texts.every((t) => {
      const ids = Array.from(native.encode(t));
      return (
        JSON.stringify(ids) === JSON.stringify(gptEncode(t)) && JSON.stringify(ids) === JSON.stringify(tiktoken.encode(t, [], []))
      );
    });
    const r = {
      name,
      native: throughput((t) => native.encode(t), texts),
      nativeCount: throughput((t) => native.count(t), texts),
      gpt: throughput((t) => gptEncode(t), texts),
      tiktoken: throughput((t) => tiktoken.encode(t, [], []), texts, 800),
      identical,
    };
    results.push(r);
    const f = (x) => `${x.toFixed(1)} MB/s`;
    rows.push([
      name,
      f(r.native),
      f(r.nativeCount),
      f(r.gpt),
      f(r.tiktoken),
      `${(r.native / r.gpt).toFixed(2)}x`,
      `${(r.native / r.tiktoken).toFixed(2)}x`,
      identical ? 'yes' : 'NO',
    ]);
  }
  // Both native and gpt-tokenizer cache the BPE of recurring words, so the
  // repeated rounds above are warm. Unseen text, one pass each, shows the cold cost.
  const unseen = englishTexts(3000, 12_000);
  const once = (fn) => {
    const t0 = performance.now();
    for (const t of unseen) fn(t);
    return unseen.reduce((s, t) => s + Buffer.byteLength(t), 0) / 1e6 / ((performance.now() - t0) / 1000);
  };
  const cold = { native: once((t) => native.encode(t)), gpt: once((t) => gptEncode(t)) };
  const mb = (unseen.reduce((s, t) => s + Buffer.byteLength(t), 0) / 1e6).toFixed(1);
  rows.push([
    `unseen English, one pass (${mb} MB)`,
    `${cold.native.toFixed(1)} MB/s`,
    '',
    `${cold.gpt.toFixed(1)} MB/s`,
    '',
    `${(cold.native / cold.gpt).toFixed(2)}x`,
    '',
    '',
  ]);
  console.log('\nTokenizer throughput, o200k_base (single thread)\n');
  console.log(table(rows));

  // The hot path's one native call: prompt tokens of a typical chat request.
  const messages = JSON.parse(
    `{"m":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Explain in two sentences why a routing gateway helps platform teams."}]}`,
  ).m;
  const n = 200_000;
  for (let i = 0; i < 10_000; i++) native.countChat(messages);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) native.countChat(messages);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`\nHot-path native call (countChat, 2 messages, ~100 B): ${us.toFixed(2)} us per call`);
  return results;
}

// What limits, budgets and the feedback ledger let through under attack: a
// burst of 200 concurrent requests against a 5,000 tokens/minute limit (four
// kinds of request), against a 0.01/day budget, and a tenant replaying
// another tenant's feedback ids. `npm run bench -- limits`.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCli, stop, table } from './lib.js';

const BURST = 200;
const KEY_A = 'sk-bench-a-0123456789';
const KEY_B = 'sk-bench-b-0123456789';
const sha = (k) => createHash('sha256').update(k).digest('hex');

const route = (name, url, extra = '', price = '{ inputPerMillionTokens: 10, outputPerMillionTokens: 20 }') =>
  `apiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: ${name} }\nspec:\n  backends:\n    - { name: a, provider: openai-compatible, endpoint: "${url}", model: a, cost: ${price} }\n${extra}`;

async function post(gateway, key, body) {
  const res = await fetch(`${gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return res;
}

/** The burst; usage as reported (or, for streams without usage, words: the mock's tokens). */
async function burst(gateway, key, body) {
  let ok = 0;
  let tokens = 0;
  let cost = 0;
  await Promise.all(
    Array.from({ length: BURST }, async () => {
      const res = await post(gateway, key, body);
      if (res.status !== 200) return void (await res.arrayBuffer());
      ok++;
      if (body.stream) {
        const text = await res.text();
        // The mock sends one piece (one token) per event; the prompt is counted as the gateway counts it (12).
        const pieces = text.split('\n\n').filter((e) => e.includes('"content":"') && !e.includes('"content":""')).length;
        tokens += 12 + pieces;
        return;
      }
      const answer = await res.json();
      tokens += answer.usage.prompt_tokens + answer.usage.completion_tokens;
      cost += answer.usage.prompt_tokens * 10e-6 + answer.usage.completion_tokens * 20e-6;
    }),
  );
  return { ok, tokens, cost };
}

async function feedbackReplay(gateway) {
  const share = async () => {
    const counts = { a: 0, b: 0 };
    const ids = { a: [], b: [] };
    for (let i = 0; i < 200; i++) {
      const res = await post(gateway, KEY_A, { model: 'learner', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      await res.arrayBuffer();
      const backend = res.headers.get('x-switchboard-backend');
      counts[backend]++;
      ids[backend].push(res.headers.get('x-switchboard-feedback-id'));
    }
    return { counts, ids };
  };
  const send = (key, id, score) =>
    fetch(`${gateway}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ request_id: id, score }),
    }).then(async (r) => (await r.arrayBuffer(), r.status));
  // Tenant A teaches the route that backend a is good and b is bad.
  const learning = await share();
  for (const id of learning.ids.a) await send(KEY_A, id, 1);
  for (const id of learning.ids.b) await send(KEY_A, id, 0);
  const before = await share();
  // Tenant B replays A's ids on backend a with score 0, 500 times.
  const replayStatuses = new Map();
  for (let i = 0; i < 500; i++) {
    const id = before.ids.a[i % Math.max(1, before.ids.a.length)];
    const status = await send(KEY_B, id, 0);
    replayStatuses.set(status, (replayStatuses.get(status) ?? 0) + 1);
  }
  const after = await share();
  return { before: before.counts, after: after.counts, replayStatuses };
}

export async function benchLimits() {
  const mockPort = await freePort();
  const bareMockPort = await freePort();
  const mock = await startCli(
    ['mock-backend', '--port', String(mockPort), '--completion-tokens', '500'],
    `http://127.0.0.1:${mockPort}/health`,
  );
  const bare = await startCli(
    ['mock-backend', '--port', String(bareMockPort), '--completion-tokens', '500', '--no-usage'],
    `http://127.0.0.1:${bareMockPort}/health`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-limits-'));
  const url = `http://127.0.0.1:${mockPort}/v1`;
  const bareUrl = `http://127.0.0.1:${bareMockPort}/v1`;
  const tpm = '  limits: { tokensPerMinute: 5000 }\n';
  await writeFile(
    join(dir, 'routes.yaml'),
    [
      route('tpm', url, tpm),
      route('tpm-bare', bareUrl, tpm),
      route('budget', url),
      route(
        'learner',
        url,
        '  routing:\n    strategy: bandit\n    bandit: { algorithm: epsilon-greedy, epsilon: 0.05 }\n',
      ).replace(
        '    - { name: a,',
        `    - { name: b, provider: openai-compatible, endpoint: "${url}", model: b, cost: { inputPerMillionTokens: 10, outputPerMillionTokens: 20 } }\n    - { name: a,`,
      ),
    ].join('---\n'),
  );
  const keys = join(dir, '..', `${dir.split('/').pop()}-keys.yaml`);
  await writeFile(
    keys,
    `keys:\n  - { name: a, tenant: team-a, sha256: ${sha(KEY_A)} }\n  - { name: b, tenant: team-b, sha256: ${sha(KEY_B)} }\n  - { name: budgeted, tenant: frugal, sha256: ${sha('sk-frugal-0123456789')} }\ntenants:\n  frugal: { budget: { amount: 0.01, period: day } }\n`,
  );
  const port = await freePort();
  const gw = await startCli(
    ['serve', '--routes', dir, '--api-keys', keys, '--port', String(port), '--host', '127.0.0.1'],
    `http://127.0.0.1:${port}/readyz`,
  );
  const gateway = `http://127.0.0.1:${port}`;
  const messages = [{ role: 'user', content: 'Hello, Switchboard!' }];
  const waitForFreshMinute = () => new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 100));
  try {
    const rows = [['burst of 200 against 5,000 tokens/min', 'admitted', 'tokens used']];
    const cases = [
      ['with max_tokens 500', 'tpm', { max_tokens: 500 }],
      ['without max_tokens', 'tpm', {}],
      ['n = 20 (max_tokens 25)', 'tpm', { n: 20, max_tokens: 25 }],
      ['streamed, no usage from the backend', 'tpm-bare', { stream: true }],
    ];
    for (const [label, model, extra] of cases) {
      await waitForFreshMinute();
      const used = await burst(gateway, KEY_A, { model, messages, ...extra });
      rows.push([label, used.ok, used.tokens]);
    }
    console.log('\nLimits under a burst (mock: 500 completion tokens per choice, up to max_tokens)\n');
    console.log(table(rows));
    const budget = await burst(gateway, 'sk-frugal-0123456789', { model: 'budget', messages, max_tokens: 16 });
    const unbounded = await burst(gateway, 'sk-frugal-0123456789', { model: 'budget', messages });
    console.log('\nBudget of 0.01/day, prices $10/$20 per million tokens, burst of 200\n');
    console.log(
      table([
        ['requests', 'admitted', 'spent'],
        ['max_tokens 16', budget.ok, budget.cost.toFixed(6)],
        ['then without max_tokens', unbounded.ok, unbounded.cost.toFixed(6)],
      ]),
    );
    const replay = await feedbackReplay(gateway);
    console.log("\nFeedback replay: tenant B posts tenant A's feedback ids 500 times with score 0\n");
    console.log(
      table([
        ['', 'backend a', 'backend b'],
        ["A's next 200 requests before", replay.before.a, replay.before.b],
        ['after the replays', replay.after.a, replay.after.b],
      ]),
    );
    console.log(`replay answers: ${[...replay.replayStatuses].map(([s, n]) => `${n} x ${s}`).join(', ')}`);
  } finally {
    await Promise.all([stop(gw), stop(mock), stop(bare)]);
    await rm(dir, { recursive: true, force: true });
    await rm(keys, { force: true });
  }
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBackend, type MockBackend } from '@switchboard/cli';
import { NativeRouter, trainRouter } from '@switchboard/native';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelCommand } from '../../packages/cli/src/cli/label-command.js';
import { runLabel, type LabelOptions } from '../../packages/cli/src/commands/label.js';

// `switchboard label` end to end: simulated backends answer through their
// HTTP APIs, a simulated judge grades, rows land in the file train reads.

type Body = { messages?: { role: string; content: string }[] };
const user = (b: Body) => b.messages?.find((m) => m.role === 'user')?.content ?? '';
const system = (b: Body) => b.messages?.find((m) => m.role === 'system')?.content ?? '';

// The strong model is right and thorough; the weak one wrong on references and curt otherwise.
const strongReply = (b: Body) => {
  const q = user(b);
  if (q.includes('France')) return 'The capital of France is Paris.\nAnswer: Paris';
  if (q.includes('2 + 2')) return 'Two plus two is four.\n#### 4';
  if (q.includes('Which planet')) return 'Mars is red because of iron oxide. The answer is (B).';
  return 'A careful, complete answer. GOOD';
};
const weakReply = (b: Body) => {
  const q = user(b);
  if (q.includes('France')) return 'Lyon';
  if (q.includes('2 + 2')) return 'It is 5.';
  if (q.includes('Which planet')) return '(C)';
  return 'meh';
};
const answersOf = (text: string) => {
  const a = /\[The Start of Assistant A's Answer\]\n([\s\S]*?)\n\[The End/.exec(text)?.[1] ?? '';
  const b = /\[The Start of Assistant B's Answer\]\n([\s\S]*?)\n\[The End/.exec(text)?.[1] ?? '';
  return { a, b, single: /\[The Start of Assistant's Answer\]\n([\s\S]*?)\n\[The End/.exec(text)?.[1] ?? '' };
};
// A fair judge prefers the answer that says GOOD; single grades give 9 to it and 3 to the others.
const fairJudge = (b: Body) => {
  const { a, b: bb, single } = answersOf(user(b));
  if (system(b).includes('two AI assistants')) {
    const [ga, gb] = [a.includes('GOOD'), bb.includes('GOOD')];
    return `Comparing them. ${ga === gb ? '[[C]]' : ga ? '[[A]]' : '[[B]]'}`;
  }
  return `Explanation. Rating: [[${single.includes('GOOD') ? 9 : 3}]]`;
};

const QUESTIONS = [
  { id: 'ref-exact', prompt: 'What is the capital of France?', reference: 'Paris' },
  { id: 'ref-num', prompt: 'What is 2 + 2?', reference: '4' },
  { id: 'ref-choice', prompt: 'Which planet is red? (A) Venus (B) Mars (C) Jupiter', reference: 'B' },
  { id: 'open-1', prompt: 'Write a short poem about the sea.' },
  { id: 'open-2', prompt: 'Explain recursion to a child.' },
  { id: 'open-3', prompt: 'Draft a polite email declining a meeting.' },
];

const routeFile = (
  strong: MockBackend,
  weak: MockBackend,
  judge: MockBackend,
  biased: MockBackend,
) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: smart }
spec:
  backends:
    - { name: strong, provider: openai-compatible, endpoint: "${strong.url}", model: big-model, cost: { inputPerMillionTokens: 1000000, outputPerMillionTokens: 2000000 } }
    - { name: weak, provider: openai-compatible, endpoint: "${weak.url}", model: small-model, cost: { inputPerMillionTokens: 100000, outputPerMillionTokens: 200000 } }
---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: judges }
spec:
  backends:
    - { name: fair, provider: openai-compatible, endpoint: "${judge.url}", model: judge-model, cost: { inputPerMillionTokens: 10, outputPerMillionTokens: 10 } }
    - { name: biased, provider: openai-compatible, endpoint: "${biased.url}", model: biased-model }
`;

const readRows = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          id: string;
          scores: Record<string, number>;
          grading: string;
          cost_usd: Record<string, number>;
          output_chars: Record<string, number>;
        },
    );

describe('switchboard label', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-label-'));
  const mocks: MockBackend[] = [];
  let routes = '';
  let weak: MockBackend;
  let judge: MockBackend;
  const prompts = join(dir, 'prompts.jsonl');
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    const strong = await startMockBackend({ reply: strongReply });
    weak = await startMockBackend({ reply: weakReply });
    judge = await startMockBackend({ reply: fairJudge });
    const biased = await startMockBackend({ replyText: 'A is clearly better. [[A]]' });
    mocks.push(strong, weak, judge, biased);
    routes = join(dir, 'routes.yaml');
    writeFileSync(routes, routeFile(strong, weak, judge, biased));
    writeFileSync(prompts, QUESTIONS.map((q) => JSON.stringify(q)).join('\n') + '\n');
  });
  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const out: string[] = [];
    const progress: string[] = [];
    await labelCommand.run(args, { log, progress: (l) => progress.push(l), write: (t) => out.push(t) });
    return { report: JSON.parse(out.join('')) as Record<string, unknown>, progress };
  };

  it('grades by reference where there is one and by the judge in both orders elsewhere, resumably', async () => {
    const out = join(dir, 'labelled.jsonl');
    const args = ['--routes', routes, '--route', 'smart', '--prompts', prompts, '--out', out, '--judge', 'judges/fair', '--json'];
    const { report, progress } = await run(args);
    expect(report).toMatchObject({ labelled: 6, failed: [], alreadyDone: 0, models: ['big-model', 'small-model'] });
    expect(report.spent as number).toBeGreaterThan(0);
    expect(report.spent as number).toBeLessThanOrEqual(report.estimate as number);
    expect(progress[0]).toMatch(/6 prompts x 2 backends of default\/smart .* at most \$/);
    expect(progress.at(-1)).toMatch(/\[#+\] 6\/6 prompts .* spent \$/);
    const rows = new Map(readRows(out).map((r) => [r.id, r]));
    expect(rows.get('ref-exact')).toMatchObject({ grading: 'reference:exact', scores: { 'big-model': 1, 'small-model': 0 } });
    expect(rows.get('ref-num')).toMatchObject({ grading: 'reference:numeric', scores: { 'big-model': 1, 'small-model': 0 } });
    expect(rows.get('ref-choice')).toMatchObject({ grading: 'reference:choice', scores: { 'big-model': 1, 'small-model': 0 } });
    // pairwise against the strong answer: the strong one is the reference (0.5), the weak loses in both orders
    expect(rows.get('open-1')).toMatchObject({ grading: 'judge:pairwise', scores: { 'big-model': 0.5, 'small-model': 0 } });
    const row = rows.get('open-2');
    expect(row?.output_chars['small-model']).toBe('meh'.length);
    expect(row?.cost_usd['big-model']).toBeGreaterThan(row?.cost_usd['small-model'] ?? Infinity);
    // three open prompts, two orders each: six judge calls
    expect(judge.received.get('/v1/chat/completions')).toBe(6);

    const before = weak.received.get('/v1/chat/completions');
    const again = await run(args);
    expect(again.report).toMatchObject({ labelled: 0, alreadyDone: 6, toLabel: 0 });
    expect(weak.received.get('/v1/chat/completions')).toBe(before);
    expect(readRows(out)).toHaveLength(6);

    // what switchboard train reads
    const model = join(dir, 'router');
    trainRouter({
      data: [out],
      router: 'mf',
      strong: 'big-model',
      weak: 'small-model',
      epochs: 1,
      buckets: 1024,
      dim: 4,
      out: model,
    });
    expect(NativeRouter.load(model).metadata.models).toEqual(['big-model', 'small-model']);
  });

  it('single-answer grading scores every answer 1-10 / 10; a position-biased judge is cancelled by the two orders', async () => {
    const open = join(dir, 'open.jsonl');
    writeFileSync(open, 'Write a haiku.\nName three colours.\n');
    const single = join(dir, 'single.jsonl');
    await run([
      '--routes',
      routes,
      '--route',
      'smart',
      '--prompts',
      open,
      '--out',
      single,
      '--judge',
      'judges/fair',
      '--judge-mode',
      'single',
      '--json',
    ]);
    for (const r of readRows(single)) expect(r.scores).toEqual({ 'big-model': 0.9, 'small-model': 0.3 });
    const biased = join(dir, 'biased.jsonl');
    await run(['--routes', routes, '--route', 'smart', '--prompts', open, '--out', biased, '--judge', 'judges/biased', '--json']);
    for (const r of readRows(biased)) expect(r.scores['small-model']).toBe(0.5);
  });

  it('stops starting prompts at the budget, and a run cut mid-line is resumed cleanly', async () => {
    const out = join(dir, 'budget.jsonl');
    const refs = join(dir, 'refs.jsonl');
    writeFileSync(
      refs,
      Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `What is 2 + 2? (${i})`, reference: '4' })).join('\n'),
    );
    const dry = await run(['--routes', routes, '--route', 'smart', '--prompts', refs, '--out', out, '--dry-run', '--json']);
    expect(dry.report).toMatchObject({ toLabel: 8, labelled: 0, spent: 0 });
    // one prompt's real cost (every prompt here costs the same), then a budget for three and a half more
    const one = await run(['--routes', routes, '--route', 'smart', '--prompts', refs, '--out', out, '--limit', '1', '--json']);
    const each = one.report.spent as number;
    expect(each).toBeGreaterThan(0);
    expect(each).toBeLessThan((dry.report.estimate as number) / 8);
    const budget = each * 3.5;
    const capped = await run([
      '--routes',
      routes,
      '--route',
      'smart',
      '--prompts',
      refs,
      '--out',
      out,
      '--concurrency',
      '2',
      '--budget',
      String(budget),
      '--json',
    ]);
    expect(capped.report).toMatchObject({ labelled: 3, leftForBudget: 4, alreadyDone: 1 });
    expect(capped.report.spent as number).toBeLessThanOrEqual(budget);
    const labelled = 4;
    // a killed run leaves half a line: that prompt counts as not done and the file stays JSON Lines
    appendFileSync(out, '{"id":"p-half", "prom');
    const rest = await run(['--routes', routes, '--route', 'smart', '--prompts', refs, '--out', out, '--json']);
    expect(rest.report).toMatchObject({ labelled: 8 - labelled, alreadyDone: labelled });
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('{"id":"p-half"'))).toHaveLength(1);
    expect(lines.filter((l) => !l.startsWith('{"id":"p-half"')).map((l) => JSON.parse(l) as unknown)).toHaveLength(8);
  });

  it('labels a sampled conversation in its conversation: the backends and the judge see the earlier turns', async () => {
    const [strong] = mocks as [MockBackend];
    const asked: Body[] = [];
    const judged: Body[] = [];
    strong.options.reply = (b) => (asked.push(b), strongReply(b));
    judge.options.reply = (b) => (judged.push(b), fairJudge(b));
    // the records the gateway's sampling writes for a chat request: the same follow-up in two conversations
    const followUp = 'And what about its history?';
    const record = (opening: string, withContext = true) =>
      JSON.stringify({
        route: 'default/smart',
        operation: 'chat',
        prompt: followUp,
        messages: withContext
          ? [
              { role: 'system', content: 'be brief' },
              { role: 'user', content: opening },
              { role: 'assistant', content: 'It is a city.' },
              { role: 'user', content: followUp },
            ]
          : [{ role: 'user', content: followUp }],
      });
    const convos = join(dir, 'conversations.jsonl');
    writeFileSync(convos, `${record('Tell me about Paris.')}\n${record('Tell me about Rome.')}\n`);
    const out = join(dir, 'conversations-out.jsonl');
    try {
      const { report } = await run([
        '--routes',
        routes,
        '--route',
        'smart',
        '--prompts',
        convos,
        '--out',
        out,
        '--judge',
        'judges/fair',
        '--json',
      ]);
      expect(report).toMatchObject({ labelled: 2, failed: [] });
      for (const body of asked) {
        expect(body.messages?.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
        expect(body.messages?.at(-1)?.content).toBe(followUp);
      }
      expect(asked.map((b) => b.messages?.[1]?.content).sort()).toEqual(['Tell me about Paris.', 'Tell me about Rome.']);
      expect(judged).toHaveLength(4);
      for (const body of judged) {
        expect(system(body)).toMatch(/last turn of a conversation/);
        expect(user(body)).toMatch(
          /\[The Start of the Conversation Before the Question\]\n### System:\nbe brief\n\n### User:\nTell me about (Paris|Rome)\./,
        );
        expect(user(body)).toContain(`[User Question]\n${followUp}`);
      }
      const rows = readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; prompt: string; messages?: { role: string }[] });
      expect(new Set(rows.map((r) => r.id)).size).toBe(2);
      for (const r of rows) {
        expect(r.prompt).toBe(followUp);
        // what train reads the conversation's turns from: two user messages
        expect(r.messages?.filter((m) => m.role === 'user')).toHaveLength(2);
      }
      // the estimate counts the earlier turns the backends and the judge are sent
      const single = join(dir, 'follow-up-alone.jsonl');
      writeFileSync(single, `${record('', false)}\n`);
      const dry = (file: string) =>
        run([
          '--routes',
          routes,
          '--route',
          'smart',
          '--prompts',
          file,
          '--out',
          join(dir, 'dry.jsonl'),
          '--judge',
          'judges/fair',
          '--dry-run',
          '--json',
        ]);
      const [withContext, alone] = [await dry(convos), await dry(single)];
      expect((withContext.report.estimate as number) / 2).toBeGreaterThan(alone.report.estimate as number);
    } finally {
      strong.options.reply = strongReply;
      judge.options.reply = fairJudge;
    }
  });

  it('retries failed calls, and reports prompts that keep failing without writing them', async () => {
    let calls = 0;
    weak.options.reply = (b) => {
      // the first call of every prompt fails (the connection drops); "always fails" prompts never answer
      calls++;
      if (user(b).includes('always fails') || calls % 2 === 1) throw new Error('dropped');
      return weakReply(b);
    };
    const flaky = join(dir, 'flaky.jsonl');
    writeFileSync(flaky, 'What is 2 + 2? ok\nthis always fails\n');
    const out = join(dir, 'flaky-out.jsonl');
    const opts: LabelOptions = {
      routes,
      route: 'smart',
      prompts: flaky,
      out,
      backends: undefined,
      strong: undefined,
      judge: 'judges/fair',
      mode: 'pairwise',
      grading: undefined,
      concurrency: 1,
      retries: 2,
      budget: undefined,
      maxTokens: 64,
      judgeMaxTokens: 64,
      timeoutMs: 10_000,
      source: undefined,
      limit: undefined,
      dryRun: false,
      sleep: () => Promise.resolve(),
    };
    try {
      const report = await runLabel(opts, log, () => undefined);
      expect(report.labelled).toBe(1);
      expect(report.failed).toHaveLength(1);
      expect(report.failed[0]?.error).toBeTruthy();
      expect(readRows(out).map((r) => r.id)).toHaveLength(1);
    } finally {
      weak.options.reply = weakReply;
    }
  });
});

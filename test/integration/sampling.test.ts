import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRouter, trainRouter } from '@switchboard/native';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelCommand } from '../../packages/cli/src/cli/label-command.js';
import { RedisSink } from '../../packages/gateway/src/sampling/redis-sink.js';
import type { SampleOutcome } from '../../packages/gateway/src/table/route.js';
import { chat, eventually, routeYaml, startHarness } from '../helpers/harness.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

// Prompt sampling through a real gateway process (routes folder, socket,
// simulated backends): into a real redis-server's stream, and the whole loop
// sample -> switchboard label -> train -> the route switched to the trained
// router by editing its file (hot reload).

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

type Entry = [id: string, fields: string[]];
const records = (entries: Entry[]) => entries.map(([, f]) => JSON.parse(f[1] as string) as Record<string, unknown>);

describe('prompt sampling to a Redis stream', () => {
  it('writes one XADD entry per sampled answer, and shutdown flushes before closing the connection', async () => {
    const stream = 'samples:e2e';
    const h = await startHarness(
      ([a]) =>
        routeYaml(
          'chatty',
          [{ name: 'a', url: a as string }],
          `  sampling:\n    rate: 1\n    redis: { url: '${redis.url}', stream: '${stream}', maxLength: 1000 }\n    redact: [{ pattern: '\\d{3}-\\d{4}', replacement: '[PHONE]' }]\n`,
        ),
      [{}],
    );
    try {
      for (let i = 0; i < 5; i++) {
        const res = await chat(h.url, 'chatty', `question ${i}, call 555-1234`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    } finally {
      await h.close();
    }
    const entries = (await client.xrange(stream, '-', '+')) as Entry[];
    expect(entries).toHaveLength(5);
    expect(entries[0]?.[1][0]).toBe('record');
    const all = records(entries);
    expect(all.map((r) => r.prompt)).toEqual([0, 1, 2, 3, 4].map((i) => `question ${i}, call [PHONE]`));
    expect(all[0]).toMatchObject({ route: 'default/chatty', backend: 'a', model: 'chatty', operation: 'chat', redactions: 1 });
  });

  it('authenticates with the password from auth (env standalone); a wrong one fails the records, not the requests', async () => {
    const locked = await startRedis(['--requirepass', 'sesame']);
    const reader = new Redis(locked.url, { password: 'sesame' });
    process.env.SB_TEST_SAMPLING_REDIS_PASSWORD = 'sesame';
    process.env.SB_TEST_SAMPLING_REDIS_WRONG = 'not-it';
    const routeWith = (a: string, name: string, env: string) =>
      routeYaml(
        name,
        [{ name: 'a', url: a }],
        `  sampling:\n    rate: 1\n    redis: { url: '${locked.url}', stream: ${name}, auth: { env: ${env} } }\n`,
      );
    const h = await startHarness(
      ([a]) =>
        `${routeWith(a as string, 'opened', 'SB_TEST_SAMPLING_REDIS_PASSWORD')}---\n${routeWith(a as string, 'refused', 'SB_TEST_SAMPLING_REDIS_WRONG')}`,
      [{}],
    );
    try {
      // The sinks connect in the background; sampled records before that would fail, so wait for both to be up (or refused).
      await eventually(async () => {
        const res = await chat(h.url, 'opened', 'probe');
        await res.arrayBuffer();
        return (await reader.xlen('opened')) > 0;
      });
      for (let i = 0; i < 3; i++) expect((await chat(h.url, 'opened', `open ${i}`)).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await chat(h.url, 'refused', `shut ${i}`)).status).toBe(200);
    } finally {
      await h.close();
      delete process.env.SB_TEST_SAMPLING_REDIS_PASSWORD;
      delete process.env.SB_TEST_SAMPLING_REDIS_WRONG;
    }
    try {
      const opened = records((await reader.xrange('opened', '-', '+')) as Entry[]).map((r) => r.prompt);
      expect(opened.slice(-3)).toEqual(['open 0', 'open 1', 'open 2']);
      expect(await reader.exists('refused')).toBe(0);
    } finally {
      reader.disconnect();
      await locked.stop();
    }
  });

  it('MAXLEN ~ trims the stream to about maxLength', async () => {
    const stream = 'samples:trim';
    const outcomes: SampleOutcome[] = [];
    const sink = new RedisSink({ url: redis.url, stream, maxLength: 10, password: undefined, onError: () => undefined });
    await eventually(() => sink.client.status === 'ready');
    for (let i = 0; i < 400; i++) sink.write(JSON.stringify({ prompt: `p${i}` }), (o) => outcomes.push(o));
    await sink.close();
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(400);
    const length = await client.xlen(stream);
    // Approximate trimming removes whole stream nodes (100 entries by default): at least 10 kept, far fewer than 400.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThanOrEqual(110);
    const last = (await client.xrevrange(stream, '+', '-', 'COUNT', 1)) as Entry[];
    expect(records(last)[0]?.prompt).toBe('p399');
  });

  it('Redis away: the records fail (counted), the requests do not', async () => {
    const down = await startRedis();
    const url = down.url;
    await down.stop();
    const h = await startHarness(
      ([a]) =>
        routeYaml(
          'lonely',
          [{ name: 'a', url: a as string }],
          `  sampling:\n    rate: 1\n    redis: { url: '${url}', stream: s }\n`,
        ),
      [{}],
    );
    try {
      for (let i = 0; i < 5; i++) expect((await chat(h.url, 'lonely', `q${i}`)).status).toBe(200);
      await eventually(async () => {
        const text = await (await fetch(`${h.url}/metrics`)).text();
        return /switchboard_sampling_records_total\{route="default\/lonely",outcome="failed"\} 5/.test(text);
      });
    } finally {
      await h.close();
    }
  });
});

// The label test's simulated models: the strong one's answers are the ones a fair judge prefers.
type Body = { messages?: { role: string; content: string }[] };
const text = (b: Body, role: string) => b.messages?.find((m) => m.role === role)?.content ?? '';
const fairJudge = (b: Body) => {
  const u = text(b, 'user');
  const a = /\[The Start of Assistant A's Answer\]\n([\s\S]*?)\n\[The End/.exec(u)?.[1] ?? '';
  const bb = /\[The Start of Assistant B's Answer\]\n([\s\S]*?)\n\[The End/.exec(u)?.[1] ?? '';
  const [ga, gb] = [a.includes('GOOD'), bb.includes('GOOD')];
  return `Verdict: ${ga === gb ? '[[C]]' : ga ? '[[A]]' : '[[B]]'}`;
};

describe('sample -> label -> train -> switch the route router (hot reload)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-loop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the sampled file is the prompts file label reads; the trained router serves the route after a file edit', async () => {
    const samples = join(dir, 'samples.jsonl');
    const routes = (urls: string[], routing = '') => `${routeYaml(
      'smart',
      [
        { name: 'strong', url: urls[0] as string, extra: '' },
        { name: 'weak', url: urls[1] as string },
      ],
      `${routing}  sampling:\n    rate: 1\n    file: { path: '${samples}' }\n`,
    )}---
${routeYaml('judges', [{ name: 'fair', url: urls[2] as string }])}`;
    // what the strong backend was sent for the follow-up: by the gateway, then by label
    const followUp = 'And what about its history?';
    const conversation = [
      { role: 'user', content: 'Tell me about Paris.' },
      { role: 'assistant', content: 'It is a city.' },
      { role: 'user', content: followUp },
    ];
    const sentWithFollowUp: unknown[][] = [];
    const h = await startHarness(
      (urls) => routes(urls),
      [
        {
          reply: (b) => {
            const messages = (b as { messages?: { content?: unknown }[] }).messages ?? [];
            if (messages.at(-1)?.content === followUp) sentWithFollowUp.push(messages);
            return 'A careful, complete answer. GOOD';
          },
        },
        { reply: () => 'meh' },
        { reply: (b) => fairJudge(b) },
      ],
    );
    try {
      const single = ['Write a poem about the sea.', 'Explain recursion.', 'Summarise the French revolution.', 'hi'];
      for (const p of single) expect((await chat(h.url, 'smart', p)).status).toBe(200);
      // and a chat with earlier turns, sampled with its messages
      expect((await chat(h.url, 'smart', '', {}, { messages: conversation })).status).toBe(200);
      const prompts = [...single, followUp];
      await eventually(() => {
        try {
          return readFileSync(samples, 'utf8').split('\n').filter(Boolean).length === prompts.length;
        } catch {
          return false;
        }
      });

      // label: the sampling records are its prompts input, as they are
      const labelled = join(dir, 'labelled.jsonl');
      const out: string[] = [];
      const routesFile = join(h.routesDir, 'routes.yaml');
      await labelCommand.run(
        ['--routes', routesFile, '--route', 'smart', '--prompts', samples, '--out', labelled, '--judge', 'judges/fair', '--json'],
        { log: pino({ level: 'silent' }), progress: () => undefined, write: (t) => out.push(t) },
      );
      expect(JSON.parse(out.join(''))).toMatchObject({ labelled: prompts.length, failed: [] });
      const rows = readFileSync(labelled, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { prompt: string; scores: Record<string, number>; messages?: unknown[] });
      expect(rows.map((r) => r.prompt).sort()).toEqual([...prompts].sort());
      expect(rows[0]?.scores).toEqual({ 'strong-model': 0.5, 'weak-model': 0 });
      // the follow-up was labelled in its conversation, and its row keeps it for train's turns
      expect(rows.find((r) => r.prompt === followUp)?.messages).toEqual(conversation);
      expect(sentWithFollowUp.length).toBeGreaterThanOrEqual(1);
      for (const sent of sentWithFollowUp) expect(sent).toMatchObject(conversation);

      // train (what `switchboard train` runs), then point the route's threshold router at it
      const router = join(dir, 'router');
      trainRouter({
        data: [labelled],
        router: 'mf',
        strong: 'strong-model',
        weak: 'weak-model',
        epochs: 1,
        buckets: 1024,
        dim: 4,
        out: router,
      });
      expect(NativeRouter.load(router).metadata.models).toEqual(['strong-model', 'weak-model']);
      const urls = h.mocks.map((m) => m.url);
      await h.writeRoutes(
        routes(
          urls,
          `  routing:\n    strategy: threshold\n    threshold: { strong: strong, weak: weak, router: '${router}', threshold: 0.5 }\n`,
        ),
      );
      await eventually(async () => {
        const res = await chat(h.url, 'smart', 'Explain recursion.');
        await res.arrayBuffer();
        return res.headers.get('x-switchboard-score') !== null;
      });
      // still sampled, now with the trained router's score and decision
      await eventually(() => readFileSync(samples, 'utf8').includes('"score":'));
      const last = readFileSync(samples, 'utf8').trim().split('\n').at(-1) as string;
      expect(JSON.parse(last)).toMatchObject({
        route: 'default/smart',
        decision: expect.stringMatching(/strong|weak/) as unknown,
      });
    } finally {
      await h.close();
    }
  });
});

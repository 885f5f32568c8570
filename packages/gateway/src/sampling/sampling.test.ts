import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LLMRoute } from '@switchboard/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { backend, chatAnswer, inProcess, KEY, type InProcess } from '../fixtures/in-process.fixture.js';
import type { SampleRecord } from './record.js';

// Prompt sampling through the real app, plan and build: requests answered
// by a scripted transport, records read from the sink's file once the
// gateway's builder has flushed and closed it.

type Spec = LLMRoute['spec'];

/** mulberry32: a seeded source, so the sampled count is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-sampling-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const route = (sampling: NonNullable<Spec['sampling']>, extra: Partial<Spec> = {}): Spec => ({
  backends: [backend('a')],
  sampling,
  ...extra,
});

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'r',
  messages: [{ role: 'user', content }],
  ...extra,
});

const lines = (file: string): SampleRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SampleRecord);

async function count(gw: InProcess, outcome: string): Promise<number> {
  const metric = await gw.deps.metrics.samplingRecords.get();
  return metric.values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
}

async function send(gw: InProcess, n: number, body: unknown = chat('hello')) {
  for (let i = 0; i < n; i++) {
    const res = await gw.post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
}

describe('prompt sampling', () => {
  it('rate 0 writes nothing', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 0, file: { path: file } }) }, { random: seeded(1) });
    await send(gw, 20);
    await gw.builder.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(await count(gw, 'written')).toBe(0);
  });

  it('rate 1 writes every answered request, and none that failed', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: file } }) }, { random: seeded(1) });
    await send(gw, 25);
    gw.transport.answer('a', () => ({
      kind: 'fail',
      error: new GatewayError(400, 'invalid_request_error', 'refused'),
      backendHealthy: true,
    }));
    const failed = await gw.post('/v1/chat/completions', chat('failing'));
    expect(failed.status).toBeGreaterThanOrEqual(400);
    await gw.builder.close();
    const records = lines(file);
    expect(records).toHaveLength(25);
    expect(records.some((r) => r.prompt === 'failing')).toBe(false);
    expect(await count(gw, 'written')).toBe(25);
  });

  it('a seeded rate 0.5 samples about half of 400, the same number every run', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 0.5, file: { path: file } }) }, { random: seeded(42) });
    await send(gw, 400);
    await gw.builder.close();
    const n = lines(file).length;
    expect(n).toBeGreaterThan(160);
    expect(n).toBeLessThan(240);
    // One draw per answered request from the gateway's random source, in order: the count is known beforehand.
    const replay = seeded(42);
    let expected = 0;
    for (let i = 0; i < 400; i++) if (replay() < 0.5) expected++;
    expect(n).toBe(expected);
    expect(n).toBe(197);
  });

  it('a record names the route, tenant, key name, model, backend, operation and endpoint, never the key', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: file } }) }, { auth: true });
    await send(gw, 1, chat('what is 2+2?'));
    await gw.builder.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(3, 15));
    const [r] = lines(file);
    expect(r).toMatchObject({
      route: 'default/r',
      tenant: 't',
      apiKey: 'k',
      model: 'r',
      backend: 'a',
      operation: 'chat',
      endpoint: '/v1/chat/completions',
      prompt: 'what is 2+2?',
      messages: [{ role: 'user', content: 'what is 2+2?' }],
    });
    expect(Date.parse(r?.time ?? '')).not.toBeNaN();
    expect(r?.truncated).toBeUndefined();
  });

  it('a threshold route records the router score and decision the response headers show', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({
      r: {
        backends: [backend('strong'), backend('weak')],
        routing: { strategy: 'threshold', threshold: { strong: 'strong', weak: 'weak', router: 'mf-hashed', threshold: 0.5 } },
        sampling: { rate: 1, file: { path: file } },
      },
    });
    const res = await gw.post('/v1/chat/completions', chat('Prove that there are infinitely many primes.'));
    expect(res.status).toBe(200);
    await gw.builder.close();
    const [r] = lines(file);
    expect(r?.score).toBeCloseTo(Number(res.headers.get('x-switchboard-score')), 3);
    expect(r?.decision).toBe(res.headers.get('x-switchboard-decision'));
    expect(r?.backend).toBe(res.headers.get('x-switchboard-backend'));
    expect(['strong', 'weak']).toContain(r?.backend);
  });

  it('the prompt is the text the routing read: the last user message; messages keep the conversation', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: file } }) });
    await send(gw, 1, {
      model: 'r',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'second question' },
      ],
    });
    await gw.builder.close();
    const [r] = lines(file);
    expect(r?.prompt).toBe('second question');
    expect(r?.messages?.map((m) => m.content)).toEqual(['be brief', 'first', 'ok', 'second question']);
  });

  it('redacts with the route patterns, prompt and messages alike', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({
      r: route({
        rate: 1,
        file: { path: file },
        redact: [
          { pattern: '[\\w.+-]+@[\\w-]+\\.[\\w.]+', replacement: '[EMAIL]' },
          { pattern: '\\b\\d{13,16}\\b|\\b\\d{4}[ -]\\d{4}[ -]\\d{4}[ -]\\d{1,4}\\b' },
          { pattern: 'project nightjar', flags: 'i', replacement: '[CODENAME]' },
        ],
      }),
    });
    await send(gw, 1, chat('mail jane.doe@example.com, card 4111 1111 1111 1111, about Project NIGHTJAR'));
    await gw.builder.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('jane.doe');
    expect(text).not.toContain('4111');
    expect(text).not.toMatch(/nightjar/i);
    const [r] = lines(file);
    expect(r?.prompt).toBe('mail [EMAIL], card [REDACTED], about [CODENAME]');
    expect(r?.messages?.[0]?.content).toBe(r?.prompt);
    expect(r?.redactions).toBe(3);
  });

  it('cuts long prompts to maxPromptChars and says so; a match at the cut is still redacted', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({
      r: route({ rate: 1, file: { path: file }, maxPromptChars: 100, redact: [{ pattern: 'secret-\\d+' }] }),
    });
    // The secret straddles the cut: redaction reads past it, so no half of it is written.
    await send(gw, 1, chat(`${'x'.repeat(95)}secret-123456789${'y'.repeat(5000)}`));
    await send(gw, 1, chat('short'));
    await gw.builder.close();
    const [long, short] = lines(file);
    expect(long?.prompt).toHaveLength(100);
    expect(long?.prompt).toBe(`${'x'.repeat(95)}[REDA`);
    expect(long?.truncated).toBe(true);
    expect(long?.messages?.[0]?.content.length).toBeLessThanOrEqual(100);
    expect(short?.truncated).toBeUndefined();
  });

  it('samples a streamed answer once its stream ends whole', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: file } }) });
    gw.transport.answer('a', () => ({
      sse: [
        'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n',
        'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
        'data: [DONE]\n\n',
      ],
    }));
    const res = await gw.post('/v1/chat/completions', chat('stream me', { stream: true }));
    expect(await res.text()).toContain('[DONE]');
    await gw.builder.close();
    expect(lines(file).map((r) => r.prompt)).toEqual(['stream me']);
  });

  it('a cascade samples its request once, with the backend whose answer was given', async () => {
    const file = join(dir, 's.jsonl');
    const logprobs = (lp: number) => ({ content: [{ token: 'x', logprob: lp, bytes: null, top_logprobs: [] }] });
    const gw = await inProcess({
      r: {
        backends: [backend('cheap', { cost: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.1 } }), backend('pricey')],
        routing: { strategy: 'cascade', cascade: { minMeanLogprob: -0.5 } },
        sampling: { rate: 1, file: { path: file } },
      },
    });
    for (const [name, lp] of [
      ['cheap', -2],
      ['pricey', -0.1],
    ] as const) {
      gw.transport.answer(name, (call) => ({
        json: chatAnswer(call.backend, {
          choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, logprobs: logprobs(lp) }],
        }),
      }));
    }
    const res = await gw.post('/v1/chat/completions', chat('hard one'));
    expect(res.headers.get('x-switchboard-backend')).toBe('pricey');
    await gw.builder.close();
    expect(lines(file).map((r) => [r.prompt, r.backend])).toEqual([['hard one', 'pricey']]);
  });

  it('a request through the Responses door is recorded as routed: its endpoint, and its input as chat messages', async () => {
    const file = join(dir, 's.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: file } }) });
    const res = await gw.post('/v1/responses', { model: 'r', instructions: 'Be brief.', input: 'Hello door!' });
    expect(res.status).toBe(200);
    await gw.builder.close();
    const [r] = lines(file);
    expect(r).toMatchObject({ endpoint: '/v1/responses', operation: 'chat', prompt: 'Hello door!' });
    expect(r?.messages?.map((m) => m.content)).toEqual(['Be brief.', 'Hello door!']);
  });

  it('a sink that cannot write never fails a request: the records are counted failed', async () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the folder should be');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: join(blocker, 's.jsonl') } }) });
    await send(gw, 10);
    await gw.builder.close();
    expect(await count(gw, 'failed')).toBe(10);
    expect(await count(gw, 'written')).toBe(0);
  });

  it('a relative path is resolved against the route file folder (standalone)', async () => {
    const gw = await inProcess({ r: route({ rate: 1, file: { path: 'samples/s.jsonl' } }) }, { routesDir: dir });
    await send(gw, 2);
    await gw.builder.close();
    expect(lines(join(dir, 'samples/s.jsonl'))).toHaveLength(2);
  });

  it('replacing the table flushes and closes the old sink; an unchanged sink carries on', async () => {
    const first = join(dir, 'first.jsonl');
    const second = join(dir, 'second.jsonl');
    const gw = await inProcess({ r: route({ rate: 1, file: { path: first } }) });
    await send(gw, 3);
    expect(gw.builder.resources).toBe(1);
    // Unchanged sink, changed route: the same sink (one resource), records keep going to the file.
    await gw.apply({ r: route({ rate: 1, file: { path: first }, maxPromptChars: 50 }) });
    await send(gw, 2);
    expect(gw.builder.resources).toBe(1);
    await gw.apply({ r: route({ rate: 1, file: { path: second } }) });
    await gw.builder.settled();
    expect(gw.builder.resources).toBe(1);
    expect(lines(first)).toHaveLength(5);
    expect(openFiles().filter((f) => f === first)).toEqual([]);
    await send(gw, 4);
    await gw.builder.close();
    expect(lines(second)).toHaveLength(4);
    expect(lines(first)).toHaveLength(5);
    expect(openFiles().filter((f) => f === second)).toEqual([]);
  });

  it('sampling off (no block) keeps no resource and writes nothing', async () => {
    const gw = await inProcess({ r: { backends: [backend('a')] } });
    await send(gw, 5);
    expect(gw.builder.resources).toBe(0);
    expect(gw.deps.tables.current().routes[0]?.sampler).toBeUndefined();
    expect(await count(gw, 'written')).toBe(0);
  });

  it('one tenant route writes only its own sink', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const gw = await inProcess(
      {
        ra: { backends: [backend('a')], sampling: { rate: 1, file: { path: a } } },
        rb: { backends: [backend('b')], sampling: { rate: 1, file: { path: b } } },
      },
      { auth: true },
    );
    await send(gw, 2, { model: 'ra', messages: [{ role: 'user', content: 'for a' }] });
    await send(gw, 1, { model: 'rb', messages: [{ role: 'user', content: 'for b' }] });
    await gw.builder.close();
    expect(lines(a).map((r) => r.prompt)).toEqual(['for a', 'for a']);
    expect(lines(b).map((r) => r.prompt)).toEqual(['for b']);
  });
});

describe('prompt sampling files in Kubernetes mode (--sampling-dir)', () => {
  it('refuses sampling.file when the gateway has no sampling directory', async () => {
    await expect(
      inProcess(
        { r: route({ rate: 1, file: { path: join(dir, 's.jsonl') } }) },
        { compile: { samplingFiles: { kind: 'dir', dir: undefined } } },
      ),
    ).rejects.toThrow(/sampling.file is not allowed in Kubernetes mode unless the gateway runs with --sampling-dir/);
  });

  for (const path of ['/etc/passwd', '../escape.jsonl', 'sub/s.jsonl', '..', '.hidden', 'a/../../b', '%2e%2e']) {
    it(`refuses "${path}": only a plain file name inside the directory`, async () => {
      await expect(
        inProcess({ r: route({ rate: 1, file: { path } }) }, { compile: { samplingFiles: { kind: 'dir', dir } } }),
      ).rejects.toThrow(/not a plain file name/);
    });
  }

  it('writes a plain name under DIR/<namespace>/', async () => {
    const gw = await inProcess(
      { r: route({ rate: 1, file: { path: 's.jsonl' } }) },
      { compile: { samplingFiles: { kind: 'dir', dir } } },
    );
    await send(gw, 2);
    await gw.builder.close();
    expect(lines(join(dir, 'default', 's.jsonl'))).toHaveLength(2);
  });

  it('a namespace folder that is a symlink out of the directory is not written through', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'sb-outside-'));
    try {
      symlinkSync(outside, join(dir, 'default'));
      expect(readlinkSync(join(dir, 'default'))).toBe(outside);
      const gw = await inProcess(
        { r: route({ rate: 1, file: { path: 's.jsonl' } }) },
        { compile: { samplingFiles: { kind: 'dir', dir } } },
      );
      await send(gw, 3);
      await gw.builder.close();
      expect(readdirSync(outside)).toEqual([]);
      expect(await count(gw, 'failed')).toBe(3);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('the file itself as a symlink is not followed', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'sb-outside-'));
    try {
      mkdirSync(join(dir, 'default'));
      symlinkSync(join(outside, 'target'), join(dir, 'default', 's.jsonl'));
      const gw = await inProcess(
        { r: route({ rate: 1, file: { path: 's.jsonl' } }) },
        { compile: { samplingFiles: { kind: 'dir', dir } } },
      );
      await send(gw, 2);
      await gw.builder.close();
      expect(readdirSync(outside)).toEqual([]);
      expect(await count(gw, 'failed')).toBe(2);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

/** Paths this process has open (Linux). */
function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

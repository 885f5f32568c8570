import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { captureLog, chatBody, routeYaml, startHarness, type Harness } from '../helpers/harness.js';
import { chatAnswer, json, startHostileBackend, writeHuge, type HostileBackend } from '../helpers/hostile-backend.js';

// Backends are untrusted: whatever one sends, the client gets a clear
// OpenAI-shaped error or another backend's answer, and the gateway keeps
// its memory, its secrets and its health.

const MAX_RESPONSE = 1024 * 1024;
const MAX_LINE = 64 * 1024;
const SECRET = 'sk-live-0123456789abcdef';

let hostile: HostileBackend;
let good: HostileBackend;
let h: Harness;
const logs = captureLog();

beforeAll(async () => {
  hostile = await startHostileBackend((_req, res) => json(res, 200, chatAnswer()));
  good = await startHostileBackend((_req, res, body) => {
    if (!body.stream) return json(res, 200, chatAnswer({ model: 'good' }));
    const chunk = {
      id: 'g',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'good',
      choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }],
    };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
  });
  process.env.HOSTILE_TEST_KEY = SECRET;
  h = await startHarness(
    () =>
      [
        routeYaml('alone', [{ name: 'hostile', url: hostile.url, extra: '      auth: { env: HOSTILE_TEST_KEY }\n' }]),
        routeYaml('anthropic', [{ name: 'hostile', url: hostile.url }]).replace(
          'provider: openai-compatible',
          'provider: anthropic',
        ),
        routeYaml('failover', [
          { name: 'hostile', url: hostile.url },
          { name: 'good', url: good.url, extra: '      priority: 1\n' },
        ]),
      ].join('---\n'),
    [],
    { log: logs.log, upstreamLimits: { maxResponseBytes: MAX_RESPONSE, maxSseLineBytes: MAX_LINE } },
  );
});
afterAll(async () => {
  await h.close();
  await Promise.all([hostile.close(), good.close()]);
  delete process.env.HOSTILE_TEST_KEY;
});
beforeEach(() => {
  hostile.bytesWritten = 0;
});

const post = (model: string, extra: Record<string, unknown> = {}) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody(model, extra),
  });

async function expectError(res: Response, status: number, code: string): Promise<{ message: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { message: string; type: string; code: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

/** The stream's events, the last one parsed. */
async function lastEvent(res: Response): Promise<{ events: string[]; last: unknown }> {
  const events = (await res.text())
    .split('\n\n')
    .map((e) => e.trim())
    .filter(Boolean);
  const last = events.at(-1) ?? '';
  return { events, last: last === 'data: [DONE]' ? '[DONE]' : (JSON.parse(last.slice('data: '.length)) as unknown) };
}

describe('hostile backends', () => {
  it('a huge answer is cut at the limit and answered 502, without being read whole', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      void writeHuge(res, '{"x":"', 200 * 1024 * 1024);
    });
    await expectError(await post('alone'), 502, 'upstream_too_large');
    // The connection was dropped at the limit: the backend could push at most the limit plus socket buffers.
    expect(hostile.bytesWritten).toBeLessThan(MAX_RESPONSE + 16 * 1024 * 1024);
  });

  it('a huge declared Content-Length is refused the same way', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(500 * 1024 * 1024) });
      void writeHuge(res, 'x', 8 * 1024 * 1024);
    });
    await expectError(await post('alone'), 502, 'upstream_too_large');
  });

  it('an endless stream line ends the stream with an error event', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n');
      void writeHuge(res, 'data: aaaaaaaa', 32 * 1024 * 1024);
    });
    const res = await post('alone', { stream: true });
    expect(res.status).toBe(200);
    const { last } = await lastEvent(res);
    expect(last).toMatchObject({ error: { code: 'upstream_too_large' } });
    expect(hostile.bytesWritten).toBeLessThan(MAX_LINE + 16 * 1024 * 1024);
  });

  it('garbage instead of JSON fails over to the next backend', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>oops</html>');
    });
    const res = await post('failover');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('good');
    await expectError(await post('alone'), 502, 'upstream_malformed');
  });

  it('JSON that is not an object (an array, null) is as broken as garbage', async () => {
    for (const body of ['[1,2,3]', 'null', '"text"']) {
      hostile.behave((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      await expectError(await post('alone'), 502, 'upstream_malformed');
    }
  });

  it('choices full of nulls and wrong types never give a 500', async () => {
    const shapes = [
      { choices: [null] },
      { choices: [null, 1, 'x', []] },
      { choices: [{ message: null }] },
      { choices: [{ message: { content: [null, 1] } }] },
      { choices: [{ message: { content: 'x', tool_calls: [null, { function: null }, { function: { name: 1 } }] } }] },
      { choices: 'nope', usage: { prompt_tokens: 'x' } },
      { choices: [{ message: { content: 'x' } }], usage: null },
    ];
    for (const shape of shapes) {
      hostile.behave((_req, res) => json(res, 200, { id: 'x', object: 'chat.completion', ...shape }));
      const res = await post('alone');
      expect(res.status, JSON.stringify(shape)).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('a JSON reply to a streaming request is an error, not an empty success, and fails over', async () => {
    hostile.behave((_req, res) => json(res, 200, chatAnswer()));
    await expectError(await post('alone', { stream: true }), 502, 'upstream_not_sse');
    const res = await post('failover', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('good');
    expect((await lastEvent(res)).last).toBe('[DONE]');
  });

  it('a stream that ends without [DONE] ends with an error event', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"half"}}]}\n\n');
    });
    const res = await post('alone', { stream: true });
    expect(res.status).toBe(200);
    const { events, last } = await lastEvent(res);
    expect(events[0]).toContain('half');
    expect(last).toMatchObject({ error: { code: 'upstream_incomplete' } });
  });

  it('the official SDK sees a cut-short stream as an error', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"half"}}]}\n\n');
    });
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'alone',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow(/ended the stream before the answer was complete/);
  });

  it('a backend that hangs up mid-answer is a failover, not a hang', async () => {
    hostile.behave((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":');
      setTimeout(() => res.socket?.destroy(), 5);
    });
    const res = await post('failover');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('good');
  });

  it("never relays a backend's credential error text, and logs it instead", async () => {
    hostile.behave((_req, res) =>
      json(res, 401, { error: { message: `Incorrect API key provided: ${SECRET.slice(0, 8)}****${SECRET.slice(-4)}` } }),
    );
    const res = await post('alone');
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(text).not.toContain(SECRET.slice(0, 8));
    expect(text).not.toContain(SECRET.slice(-4));
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('upstream_auth_failed');
    const logged = logs.lines.find((l) => l.msg === 'backend refused the gateway credentials');
    expect(logged).toMatchObject({ backend: 'hostile', status: 401 });
    expect(String(logged?.detail)).toContain(SECRET.slice(0, 8));
  });

  it.each([400, 429, 500])(
    'scrubs the credential out of an HTTP %i message that echoes it, and cuts the message short',
    async (status) => {
      hostile.behave((req, res) =>
        json(res, status, {
          error: { message: `you sent ${String(req.headers.authorization)}, that is key ${SECRET}; ${'x'.repeat(10_000)}` },
        }),
      );
      const res = await post('alone');
      const text = await res.text();
      expect(res.status).toBe(status === 500 ? 502 : status);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(3));
      const { message } = (JSON.parse(text) as { error: { message: string } }).error;
      expect(message).toContain('you sent Bearer [redacted], that is key [redacted];');
      expect(message.length).toBeLessThan(600);
    },
  );

  it.each([
    ['a string', 'hello'],
    ['an object', { type: 'text', text: 'hello' }],
  ])('an Anthropic answer whose content is %s is a 502, not a gateway error', async (_label, content) => {
    hostile.behave((_req, res) => json(res, 200, { type: 'message', role: 'assistant', content, stop_reason: 'end_turn' }));
    await expectError(await post('anthropic'), 502, 'upstream_malformed');
  });

  it('an Anthropic answer with null blocks keeps the blocks that are there', async () => {
    hostile.behave((_req, res) =>
      json(res, 200, {
        type: 'message',
        role: 'assistant',
        content: [null, 5, { type: 'text', text: 'hi' }],
        stop_reason: 'end_turn',
      }),
    );
    const res = await post('anthropic');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('hi');
  });

  it('keeps serving after all of it', async () => {
    hostile.behave((_req, res) => json(res, 200, chatAnswer()));
    const res = await post('alone');
    expect(res.status).toBe(200);
    expect(logs.lines.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backend, inProcess } from '../../fixtures/in-process.fixture.js';
import { HttpTransport } from '../../transport/http/http-transport.js';
import { Transports } from '../../transport/transport.js';

// Anthropic backends over real HTTP (a local server speaking the Messages
// API), so the gateway's own request building and status mapping run: the
// in-process fixture's scripted transport skips both.

type Obj = Record<string, unknown>;

interface FakeAnthropic {
  url: string;
  /** The bodies the server was sent, in order. */
  requests: Obj[];
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function fakeAnthropic(answer: (body: Obj, res: ServerResponse) => void): Promise<FakeAnthropic> {
  const requests: Obj[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Obj;
      requests.push(body);
      answer(body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, close };
}

const overloaded = (_body: Obj, res: ServerResponse) =>
  res
    .writeHead(529, { 'content-type': 'application/json', 'retry-after': '3' })
    .end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));

const message = (content: Obj[], stop: string) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content,
  stop_reason: stop,
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 8 },
});

const sse = (res: ServerResponse, events: Obj[]) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
};

const anthropic = (name: string, url: string, extra: Obj = {}) =>
  backend(name, { provider: 'anthropic', endpoint: url, model: 'claude-x', apiKey: { value: 'k' }, ...extra });

/** The app on `routes`, its backends reached over HTTP. */
async function gateway(routes: Parameters<typeof inProcess>[0]) {
  const http = new HttpTransport();
  closers.push(() => http.close());
  return inProcess(routes, { auth: true, deps: () => ({ transports: new Transports({ http, grpc: http }) }) });
}

const chat = (model: string, extra: Obj = {}) => ({ model, messages: [{ role: 'user', content: 'Weather in Oslo?' }], ...extra });

describe('an Anthropic backend answering 529 (overloaded)', () => {
  it('is failed over like any 5xx', async () => {
    const busy = await fakeAnthropic(overloaded);
    const free = await fakeAnthropic((_b, res) =>
      res.end(JSON.stringify(message([{ type: 'text', text: 'Sunny' }], 'end_turn'))),
    );
    const gw = await gateway({ main: { backends: [anthropic('busy', busy.url), anthropic('free', free.url, { priority: 1 })] } });
    const res = await gw.post('/v1/chat/completions', chat('main'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('free');
    const metrics = await gw.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/switchboard_retries_total\{route="default\/main",backend="busy",reason="5xx"\} 1/);
  });

  it('is a 503 overload on the OpenAI doors and an overloaded_error on the Messages door, not a 502', async () => {
    const busy = await fakeAnthropic(overloaded);
    const gw = await gateway({ only: { backends: [anthropic('busy', busy.url)] } });
    const viaChat = await gw.post('/v1/chat/completions', chat('only'));
    expect(viaChat.status).toBe(503);
    expect(viaChat.headers.get('retry-after')).toBe('3');
    expect(await viaChat.json()).toEqual({
      error: {
        message: 'Backend "busy" is overloaded: Overloaded',
        type: 'upstream_error',
        code: 'upstream_overloaded',
        param: null,
      },
    });
    const viaResponses = await gw.post('/v1/responses', { model: 'only', input: 'Weather in Oslo?' });
    expect(viaResponses.status).toBe(503);
    const viaMessages = await gw.post(
      '/v1/messages',
      { model: 'only', max_tokens: 64, messages: [{ role: 'user', content: 'Weather in Oslo?' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(viaMessages.status).toBe(503);
    expect(((await viaMessages.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
    expect(viaMessages.headers.get('retry-after')).toBe('3');
  });
});

describe('response_format on an Anthropic backend', () => {
  const SCHEMA = { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number' } } };
  const format = { type: 'json_schema', json_schema: { name: 'weather', schema: SCHEMA, strict: true } };

  it('asks for a json_schema with a forced tool and answers with its input as JSON content', async () => {
    const upstream = await fakeAnthropic((body, res) => {
      const call = { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo', celsius: 4 } };
      if (!body.stream) {
        res.end(JSON.stringify(message([call], 'tool_use')));
        return;
      }
      sse(res, [
        { type: 'message_start', message: { ...message([], 'tool_use'), stop_reason: null } },
        { type: 'content_block_start', index: 0, content_block: { ...call, input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city": "Oslo", ' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"celsius": 4}' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 8 } },
        { type: 'message_stop' },
      ]);
    });
    const gw = await gateway({ main: { backends: [anthropic('claude', upstream.url)] } });
    const res = await gw.post('/v1/chat/completions', chat('main', { response_format: format }));
    expect(res.status).toBe(200);
    const sent = upstream.requests[0]!;
    expect(sent.tools).toEqual([
      {
        name: 'weather',
        description: "Give your answer as this tool's input: the whole answer, in the JSON its schema describes.",
        input_schema: SCHEMA,
      },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'weather', disable_parallel_tool_use: true });
    const answer = (await res.json()) as { choices: { message: Obj; finish_reason: string }[] };
    expect(answer.choices[0]).toMatchObject({
      message: { role: 'assistant', content: '{"city":"Oslo","celsius":4}' },
      finish_reason: 'stop',
    });
    expect(answer.choices[0]!.message.tool_calls).toBeUndefined();

    const streamed = await gw.post('/v1/chat/completions', chat('main', { response_format: format, stream: true }));
    const chunks = (await streamed.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map(
        (e) =>
          JSON.parse(e.slice('data: '.length)) as {
            choices: { delta: { content?: string; tool_calls?: unknown }; finish_reason: string | null }[];
          },
      );
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual({ city: 'Oslo', celsius: 4 });
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('refuses response_format with tools of the request’s own: a 400 that says why, nothing sent', async () => {
    const upstream = await fakeAnthropic((_b, res) => res.end('{}'));
    const gw = await gateway({ main: { backends: [anthropic('claude', upstream.url)] } });
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    for (const response_format of [format, { type: 'json_object' }]) {
      const res = await gw.post('/v1/chat/completions', chat('main', { response_format, tools }));
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { message: string; code: string; param: string } };
      expect([error.code, error.param]).toEqual(['unsupported_parameter', 'response_format']);
      expect(error.message).toMatch(
        new RegExp(`^response_format: ${response_format.type} cannot be combined with tools on backend "claude" \\(anthropic\\)`),
      );
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

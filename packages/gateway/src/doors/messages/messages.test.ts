import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { GatewayError } from '../../errors.js';
import { backend, chatAnswer, inProcess, KEY, type InProcess } from '../../fixtures/in-process.fixture.js';
import { anthropicProvider, type MessagesPassthrough } from '../../providers/anthropic/index.js';
import { chatCompletions } from '../../request/operations.js';
import type { CompiledBackend } from '../../table/backend.js';
import { anthropicErrorType } from './errors.js';

// The Messages door in process: the real app and pipeline, a scripted
// transport behind. The official SDK against a real server is in
// test/conformance/messages.test.ts.

type Obj = Record<string, unknown>;
interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}
interface MessageJson {
  id: string;
  type: string;
  role: string;
  model: string;
  content: Block[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: Obj;
}
interface ErrorJson {
  type: string;
  error: { type: string; message: string };
  request_id?: string;
}
interface EventData {
  type: string;
  index?: number;
  message?: MessageJson;
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: Obj;
  error?: { type: string; message: string };
}

const VERSION = { 'anthropic-version': '2023-06-01' };
const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

const chunk = (delta: Obj, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'a-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = (usage: Obj) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'a-model', choices: [], usage })}\n\n`;
const anthropicEvent = (type: string, fields: Obj = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;

/** SSE text -> [event name, data] in order. */
function events(text: string): [string, EventData][] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return [event, JSON.parse(data) as EventData];
    });
}

/** Each event with the index it names (message-level events have none): the golden form of a stream. */
const shape = (got: [string, EventData][]) => got.map(([e, d]) => (d.index === undefined ? e : `${e}:${d.index}`));

const post = (gw: InProcess, body: unknown, headers: Record<string, string> = {}, path = '/v1/messages') =>
  gw.post(path, body, { ...VERSION, ...headers });

/** A sum of the gateway's token-usage histogram for one token type. */
async function tokens(gw: InProcess, type: string): Promise<number> {
  const text = await gw.deps.metrics.registry.metrics();
  const re = new RegExp(`gen_ai_client_token_usage_sum\\{[^}]*gen_ai_token_type="${type}"[^}]*\\} (\\d+)`);
  return Number(re.exec(text)?.[1] ?? 0);
}

const hello = { model: 'main', max_tokens: 64, messages: [{ role: 'user', content: 'Hello!' }] };

const WEATHER = {
  name: 'weather',
  description: 'Weather now',
  input_schema: { type: 'object', properties: { city: { type: 'string' } } },
};

async function gateway(extra: Obj = {}) {
  return inProcess({ main: { backends: [backend('a', extra)] } }, { auth: true });
}

describe('POST /v1/messages (translated to chat completions)', () => {
  it('sends system, turns and settings as a chat request and answers with a Message', async () => {
    const gw = await gateway();
    const res = await post(gw, {
      ...hello,
      system: 'Be brief.',
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(res.status).toBe(200);
    const sent = gw.transport.calls[0]!;
    expect(sent.path).toBe('chat/completions');
    expect(sent.body).toEqual({
      model: 'main',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ],
      // openai-compatible servers all read max_tokens.
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-1',
    });
    const body = await json<MessageJson>(res);
    expect(body).toEqual({
      id: body.id,
      type: 'message',
      role: 'assistant',
      model: 'a-model',
      content: [{ type: 'text', text: 'from a' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 },
    });
    expect(body.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(res.headers.get('x-switchboard-backend')).toBe('a');
  });

  it('translates system blocks, images, tool uses and tool results (string, blocks, errors) and tools', async () => {
    const gw = await gateway();
    const png = 'iVBORw0KGgo=';
    await post(gw, {
      model: 'main',
      max_tokens: 100,
      system: [
        { type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in metres.' },
      ],
      tools: [WEATHER],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here and there?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'image', source: { type: 'url', url: 'https://img.invalid/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'rain' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'station offline' },
                { type: 'image', source: { type: 'url', url: 'https://img.invalid/err.png' } },
              ],
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    const sent = gw.transport.calls[0]!.body;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are a weather bot.\n\nAnswer in metres.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here and there?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          { type: 'image_url', image_url: { url: 'https://img.invalid/a.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'rain' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: station offline' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://img.invalid/err.png' } },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
    expect(sent.tools).toEqual([
      { type: 'function', function: { name: 'weather', description: 'Weather now', parameters: WEATHER.input_schema } },
    ]);
    expect(sent.tool_choice).toBe('required');
    expect(sent.parallel_tool_calls).toBe(false);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'none' }, 'none'],
    [
      { type: 'tool', name: 'weather' },
      { type: 'function', function: { name: 'weather' } },
    ],
  ])('maps tool_choice %j', async (choice, expected) => {
    const gw = await gateway();
    await post(gw, { ...hello, tools: [WEATHER], tool_choice: choice });
    expect(gw.transport.calls[0]!.body.tool_choice).toEqual(expected);
    expect(gw.transport.calls[0]!.body.parallel_tool_calls).toBeUndefined();
  });

  it('answers tool calls as tool_use blocks, and reports cache reads and writes apart from input_tokens', async () => {
    const gw = await gateway();
    gw.transport.answer('a', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Let me look.',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 7,
          total_tokens: 107,
          prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      }),
    }));
    const body = await json<MessageJson>(post(gw, { ...hello, tools: [WEATHER] }));
    expect(body.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(body.stop_reason).toBe('tool_use');
    expect(body.usage).toEqual({
      input_tokens: 30,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 10,
      output_tokens: 7,
      output_tokens_details: { thinking_tokens: 2 },
    });
    expect(await tokens(gw, 'input')).toBe(100);
    expect(await tokens(gw, 'cached_input')).toBe(60);
  });

  it.each([
    ['length', 'max_tokens', null, undefined],
    ['content_filter', 'refusal', null, undefined],
    // vLLM names the stop string that matched.
    ['stop', 'stop_sequence', 'END', 'END'],
    ['stop', 'end_turn', null, 'NOT-ASKED'],
  ])('maps finish_reason %s to stop_reason %s', async (finish, stop, sequence, matched) => {
    const gw = await gateway();
    gw.transport.answer('a', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: finish, stop_reason: matched }],
      }),
    }));
    const body = await json<MessageJson>(post(gw, { ...hello, stop_sequences: ['END'] }));
    expect([body.stop_reason, body.stop_sequence]).toEqual([stop, sequence]);
  });

  it('sends OpenAI max_completion_tokens and output_config.effort as reasoning_effort; thinking is not sent', async () => {
    const gw = await gateway({ provider: 'openai', endpoint: 'https://api.openai.invalid/v1', apiKey: { value: 'sk-up' } });
    await post(gw, {
      ...hello,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    const sent = gw.transport.calls[0]!.body;
    expect(sent.max_completion_tokens).toBe(64);
    expect(sent.max_tokens).toBeUndefined();
    expect(sent.reasoning_effort).toBe('xhigh');
    expect(sent.thinking).toBeUndefined();
    expect(sent.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema: { type: 'object' }, strict: true },
    });
  });

  it('refuses what only anthropic backends take (a document block, a server tool) with an Anthropic-shaped 400', async () => {
    const gw = await gateway();
    const document = {
      role: 'user',
      content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }],
    };
    const res = await post(gw, { ...hello, messages: [document] });
    expect(res.status).toBe(400);
    const body = await json<ErrorJson>(res);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(
      /^messages\.0\.content\.0: a 'document' block is passed through to anthropic backends only/,
    );
    const server = await post(gw, { ...hello, tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect((await json<ErrorJson>(server)).error.message).toMatch(/^tools\.0: the 'web_search_20250305' tool/);
    expect(gw.transport.calls).toHaveLength(0);
  });

  it("gives the backend's concurrency slot back when the door refuses the backend it was routed to", async () => {
    // One slot and no queue: a refusal that kept its slot would turn every later request into a 503.
    const gw = await gateway({ maxConcurrency: 1, maxQueue: 0 });
    const document = {
      role: 'user',
      content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }],
    };
    for (let i = 0; i < 3; i++) expect((await post(gw, { ...hello, messages: [document] })).status).toBe(400);
    const res = await post(gw, hello);
    expect(res.status).toBe(200);
    expect(gw.transport.calls).toHaveLength(1);
  });

  it('counts input tokens with the native tokenizer (system and tools included), calling no backend', async () => {
    const gw = await gateway();
    const count = async (body: Obj) =>
      (await json<{ input_tokens: number }>(post(gw, { model: 'main', ...body }, {}, '/v1/messages/count_tokens'))).input_tokens;
    const short = await count({ messages: [{ role: 'user', content: 'Hi' }] });
    const long = await count({ messages: [{ role: 'user', content: 'Hi there, how are you doing on this fine morning?' }] });
    const system = await count({ system: 'You are a pirate.', messages: [{ role: 'user', content: 'Hi' }] });
    const tools = await count({ tools: [WEATHER], messages: [{ role: 'user', content: 'Hi' }] });
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short);
    expect(system).toBeGreaterThan(short);
    expect(tools).toBeGreaterThan(short);
    expect(gw.transport.calls).toHaveLength(0);
  });
});

describe('POST /v1/messages, streaming (translated)', () => {
  it('emits the golden event sequence for text, usage in message_delta', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({
      sse: [
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hel' }),
        chunk({ content: 'lo' }),
        chunk({}, 'stop'),
        usageChunk({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 4 } }),
        'data: [DONE]\n\n',
      ],
    }));
    const res = await post(gw, { ...hello, stream: true });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(gw.transport.calls[0]!.body.stream_options).toEqual({ include_usage: true });
    const got = events(await res.text());
    expect(shape(got)).toEqual([
      'message_start',
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    expect(got.every(([e, d]) => d.type === e)).toBe(true);
    expect(got[0]![1].message).toMatchObject({ type: 'message', role: 'assistant', model: 'a-model', content: [] });
    expect(got[1]![1].content_block).toEqual({ type: 'text', text: '' });
    expect(got.map(([, d]) => d.delta?.text ?? '').join('')).toBe('Hello');
    expect(got[5]![1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 3, cache_read_input_tokens: 4, cache_creation_input_tokens: 0, output_tokens: 2 },
    });
  });

  it('streams tool calls as tool_use blocks with input_json_delta, each block indexed in order', async () => {
    const gw = await gateway();
    const call = (index: number, fn: Obj, id?: string) =>
      chunk({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });
    gw.transport.answer('a', () => ({
      sse: [
        chunk({ role: 'assistant', content: 'Checking.' }),
        call(0, { name: 'a', arguments: '' }, 'call_a'),
        call(0, { arguments: '{"x":' }),
        call(0, { arguments: '1}' }),
        call(1, { name: 'b', arguments: '{}' }, 'call_b'),
        chunk({}, 'tool_calls'),
        usageChunk({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 }),
        'data: [DONE]\n\n',
      ],
    }));
    const tools = [
      { name: 'a', input_schema: { type: 'object' } },
      { name: 'b', input_schema: { type: 'object' } },
    ];
    const got = events(await (await post(gw, { ...hello, tools, stream: true })).text());
    expect(shape(got)).toEqual([
      'message_start',
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_delta:1',
      'content_block_stop:1',
      'content_block_start:2',
      'content_block_delta:2',
      'content_block_stop:2',
      'message_delta',
      'message_stop',
    ]);
    expect(got[4]![1].content_block).toEqual({ type: 'tool_use', id: 'call_a', name: 'a', input: {} });
    expect(got[5]![1].delta).toEqual({ type: 'input_json_delta', partial_json: '{"x":' });
    expect(got[8]![1].content_block).toMatchObject({ type: 'tool_use', id: 'call_b', name: 'b' });
    expect(got.at(-2)![1].delta?.stop_reason).toBe('tool_use');
  });

  it('ends with an Anthropic error event when the backend stream breaks', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({ sse: [chunk({ role: 'assistant', content: 'par' }), 'data: {not json\n\n'] }));
    const got = events(await (await post(gw, { ...hello, stream: true })).text());
    expect(shape(got)).toEqual(['message_start', 'content_block_start:0', 'content_block_delta:0', 'error']);
    expect(got.at(-1)![1]).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Backend "a" sent a stream event that is not valid JSON; the stream was ended.' },
    });
  });

  it('reports the usage the gateway counted when the backend streams none, the same input from start to end', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({ sse: [chunk({ content: 'Hello there' }), chunk({}, 'stop'), 'data: [DONE]\n\n'] }));
    const got = events(await (await post(gw, { ...hello, stream: true })).text());
    const usage = got.find(([e]) => e === 'message_delta')![1].usage!;
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(got[0]![1].message!.usage.input_tokens).toBe(usage.input_tokens);
  });

  it("puts the gateway's count of the prompt in message_start, the backend's own counts in message_delta", async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({
      sse: [
        chunk({ content: 'Hi' }),
        chunk({}, 'stop'),
        usageChunk({ prompt_tokens: 70, completion_tokens: 1, total_tokens: 71, prompt_tokens_details: { cached_tokens: 40 } }),
        'data: [DONE]\n\n',
      ],
    }));
    const counted = (
      await json<{ input_tokens: number }>(post(gw, { model: 'main', messages: hello.messages }, {}, '/v1/messages/count_tokens'))
    ).input_tokens;
    expect(counted).toBeGreaterThan(0);
    const got = events(await (await post(gw, { ...hello, stream: true })).text());
    expect(got[0]![1].message!.usage).toEqual({
      input_tokens: counted,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 0,
    });
    // message_delta restates every count (the SDKs take them in place of message_start's).
    expect(got.find(([e]) => e === 'message_delta')![1].usage).toEqual({
      input_tokens: 30,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 40,
      output_tokens: 1,
    });
  });
});

describe('POST /v1/messages (passed through to anthropic backends)', () => {
  const anthropic = { provider: 'anthropic', endpoint: 'https://api.anthropic.invalid/v1', apiKey: { value: 'k' } };
  const upstreamMessage = {
    id: 'msg_upstream',
    type: 'message',
    role: 'assistant',
    model: 'c-model',
    content: [{ type: 'text', text: 'Bonjour' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, cache_read_input_tokens: 40, cache_creation_input_tokens: 20, output_tokens: 3 },
  };

  it('sends the client body as it is and returns the answer byte for byte, usage read from Anthropic usage', async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic)] } }, { auth: true });
    gw.transport.answer('c', () => ({ json: upstreamMessage }));
    const request = {
      ...hello,
      system: [{ type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] },
      ],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      container: 'c-1',
    };
    const res = await post(gw, request, { 'anthropic-beta': 'files-api-2025-04-14' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(upstreamMessage);
    const sent = gw.transport.calls[0]!;
    expect(sent.path).toBe('messages');
    expect(sent.body).toEqual(request);
    expect(await tokens(gw, 'input')).toBe(65);
    expect(await tokens(gw, 'cached_input')).toBe(40);
    expect(await tokens(gw, 'output')).toBe(3);
  });

  it("fills in the gateway's count, in the Messages shape, when the backend reports no usage", async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic)] } }, { auth: true });
    gw.transport.answer('c', () => ({ json: { ...upstreamMessage, usage: 5 } }));
    const res = await post(gw, hello);
    expect(res.status).toBe(200);
    const { usage } = (await res.json()) as { usage: Obj };
    expect(Object.keys(usage)).toEqual(expect.arrayContaining(['input_tokens', 'output_tokens']));
    expect(usage).not.toHaveProperty('prompt_tokens');
  });

  it("builds the upstream request with the backend's model and key, the client's version and betas", () => {
    const passthrough = {
      ...chatCompletions,
      path: 'messages',
      anthropicHeaders: { 'anthropic-version': '2026-10-21', 'anthropic-beta': 'files-api-2025-04-14' },
    } as unknown as MessagesPassthrough;
    const b = {
      baseUrl: new URL('https://api.anthropic.invalid/v1/'),
      model: 'claude-x',
      apiKey: 'sk-backend',
      headers: { 'anthropic-beta': 'operator-beta' },
      settings: { kind: 'anthropic', apiVersion: '2023-06-01' },
    } as unknown as CompiledBackend;
    const body = { model: 'main', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], top_k: 3 };
    const built = anthropicProvider.buildRequest(passthrough, b, body, 'req-1');
    expect(built.path).toBe('/v1/messages');
    expect(JSON.parse(built.body)).toEqual({ ...body, model: 'claude-x' });
    expect(built.headers).toMatchObject({
      'x-api-key': 'sk-backend',
      'anthropic-version': '2026-10-21',
      'anthropic-beta': 'operator-beta,files-api-2025-04-14',
    });
    // A chat completions request (any other door) is still translated, under the backend's version.
    const chat = anthropicProvider.buildRequest(chatCompletions, b, body, 'req-2');
    expect(chat.headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.parse(chat.body)).not.toHaveProperty('top_k');
  });

  it('relays the backend stream event for event, usage from message_start and message_delta', async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic)] } }, { auth: true });
    const sent = [
      anthropicEvent('message_start', {
        message: { ...upstreamMessage, content: [], stop_reason: null, usage: { ...upstreamMessage.usage, output_tokens: 1 } },
      }),
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      anthropicEvent('ping'),
      anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Bon' } }),
      anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'jour' } }),
      anthropicEvent('content_block_stop', { index: 0 }),
      anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
      anthropicEvent('message_stop'),
    ];
    gw.transport.answer('c', () => ({ sse: sent }));
    const res = await post(gw, { ...hello, stream: true });
    expect(await res.text()).toBe(sent.join(''));
    expect(gw.transport.calls[0]!.body).toEqual({ ...hello, stream: true });
    expect(await tokens(gw, 'input')).toBe(65);
    expect(await tokens(gw, 'output')).toBe(9);
  });

  it("fills a message_start that reports no input tokens with the gateway's count, and counts the same", async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic)] } }, { auth: true });
    gw.transport.answer('c', () => ({
      sse: [
        anthropicEvent('message_start', {
          message: { ...upstreamMessage, content: [], stop_reason: null, usage: { input_tokens: 0, output_tokens: 0 } },
        }),
        anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Bonjour' } }),
        anthropicEvent('content_block_stop', { index: 0 }),
        anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
        anthropicEvent('message_stop'),
      ],
    }));
    const counted = (
      await json<{ input_tokens: number }>(post(gw, { model: 'main', messages: hello.messages }, {}, '/v1/messages/count_tokens'))
    ).input_tokens;
    const got = events(await (await post(gw, { ...hello, stream: true })).text());
    expect(got[0]![1].message!.usage).toEqual({ input_tokens: counted, output_tokens: 0 });
    expect(await tokens(gw, 'input')).toBe(counted);
    expect(await tokens(gw, 'output')).toBe(2);
  });

  it("passes the backend's error event on, and ends a stream cut short with one of its own", async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic)] } }, { auth: true });
    const start = anthropicEvent('message_start', { message: { ...upstreamMessage, content: [] } });
    const overloaded = anthropicEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
    gw.transport.answer('c', () => ({ sse: [start, overloaded] }));
    expect(await (await post(gw, { ...hello, stream: true })).text()).toBe(start + overloaded);
    gw.transport.answer('c', () => ({ sse: [start] }));
    const cut = events(await (await post(gw, { ...hello, stream: true })).text());
    expect(shape(cut)).toEqual(['message_start', 'error']);
    expect(cut[1]![1].error).toEqual({
      type: 'api_error',
      message: 'Backend "c" ended the stream before the answer was complete.',
    });
  });

  it('fails over from an anthropic backend to a chat backend, translating for the second', async () => {
    const gw = await inProcess({ main: { backends: [backend('c', anthropic), backend('a', { priority: 1 })] } }, { auth: true });
    gw.transport.answer('c', () => ({
      kind: 'retry',
      reason: '5xx',
      error: new GatewayError(502, 'upstream_error', 'c is down'),
    }));
    const body = await json<MessageJson>(post(gw, hello));
    expect(gw.transport.calls.map((c) => c.path)).toEqual(['messages', 'chat/completions']);
    expect(body.content).toEqual([{ type: 'text', text: 'from a' }]);
  });
});

describe('POST /v1/messages through a runner (cascade)', () => {
  it("answers with the runner's chosen answer as a Message, streamed or not", async () => {
    const gw = await inProcess(
      {
        c: {
          backends: [backend('cheap', { cost: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.1 } }), backend('pricey')],
          routing: { strategy: 'cascade', cascade: { minMeanLogprob: -0.5 } },
        },
      },
      { auth: true },
    );
    const answer = (text: string, lp: number) => (call: Parameters<Parameters<InProcess['transport']['answer']>[1]>[0]) => ({
      json: chatAnswer(call.backend, {
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text },
            logprobs: { content: [{ token: 'x', logprob: lp, bytes: null, top_logprobs: [] }] },
            finish_reason: 'stop',
          },
        ],
      }),
    });
    gw.transport.answer('cheap', answer('meh', -2));
    gw.transport.answer('pricey', answer('sure', -0.1));
    const res = await post(gw, { ...hello, model: 'c' });
    expect(res.headers.get('x-switchboard-backend')).toBe('pricey');
    const body = await json<MessageJson>(res);
    expect(body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'sure' }], stop_reason: 'end_turn' });
    const streamed = events(await (await post(gw, { ...hello, model: 'c', stream: true })).text());
    expect(shape(streamed)).toEqual([
      'message_start',
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    expect(streamed[2]![1].delta?.text).toBe('sure');
    // The answer was whole before it was streamed: message_start already has its input tokens.
    expect(streamed[0]![1].message!.usage.input_tokens).toBe(10);
    expect(streamed[4]![1].usage!.input_tokens).toBe(10);
  });
});

describe('Messages API errors are Anthropic-shaped', () => {
  it('requires anthropic-version (Anthropic’s own 400) and takes any date-shaped version', async () => {
    const gw = await gateway();
    const missing = await gw.post('/v1/messages', hello);
    expect(missing.status).toBe(400);
    const body = await json<ErrorJson>(missing);
    expect(body).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      request_id: missing.headers.get('x-request-id'),
    });
    expect(missing.headers.get('request-id')).toBe(body.request_id);
    expect((await gw.post('/v1/messages', hello, { 'anthropic-version': 'latest' })).status).toBe(400);
    expect((await gw.post('/v1/messages/count_tokens', hello)).status).toBe(400);
    expect((await post(gw, hello, { 'anthropic-version': '2026-10-21' })).status).toBe(200);
    expect(gw.transport.calls).toHaveLength(1);
  });

  it("serves the SDKs' beta path (?beta=true, as Claude Code calls it) the same way", async () => {
    const gw = await gateway();
    const res = await post(gw, hello, { 'anthropic-beta': 'claude-code-20250219' }, '/v1/messages?beta=true');
    expect(res.status).toBe(200);
    expect((await json<MessageJson>(res)).type).toBe('message');
    const count = await post(gw, { model: 'main', messages: hello.messages }, {}, '/v1/messages/count_tokens?beta=true');
    expect(count.status).toBe(200);
    const unknown = await post(gw, { ...hello, model: 'nope' }, {}, '/v1/messages?beta=true');
    expect((await json<ErrorJson>(unknown)).error.type).toBe('not_found_error');
  });

  it('authenticates with x-api-key or Bearer, and answers auth failures in Anthropic’s shape', async () => {
    const gw = await gateway();
    const viaKey = await gw.app.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...VERSION },
      body: JSON.stringify(hello),
    });
    expect(viaKey.status).toBe(200);
    const wrong = await post(gw, hello, { authorization: 'Bearer sk-wrong-key-0000' });
    expect(wrong.status).toBe(401);
    expect((await json<ErrorJson>(wrong)).error.type).toBe('authentication_error');
  });

  it.each([
    ['an unknown model', { ...hello, model: 'nope' }, 404, 'not_found_error'],
    ['a missing max_tokens', { model: 'main', messages: hello.messages }, 400, 'invalid_request_error'],
    [
      'a tool_result in an assistant turn',
      { ...hello, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }] },
      400,
      'invalid_request_error',
    ],
  ])('%s', async (_what, body, status, type) => {
    const gw = await gateway();
    const res = await post(gw, body);
    expect(res.status).toBe(status);
    expect((await json<ErrorJson>(res)).error.type).toBe(type);
  });

  it('answers a wrong method, an unknown path below /v1/messages and a body over the limit in the same shape', async () => {
    const gw = await gateway();
    const get = await gw.app.request('/v1/messages', { headers: { authorization: `Bearer ${KEY}` } });
    expect(get.status).toBe(405);
    expect((await json<ErrorJson>(get)).error.type).toBe('invalid_request_error');
    const batches = await post(gw, {}, {}, '/v1/messages/batches');
    expect(batches.status).toBe(404);
    expect((await json<ErrorJson>(batches)).error.type).toBe('not_found_error');
    const small = createApp({ ...gw.deps, bodyLimitBytes: 100 });
    const big = await small.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...VERSION },
      body: JSON.stringify({ ...hello, system: 'x'.repeat(200) }),
    });
    expect(big.status).toBe(413);
    expect((await json<ErrorJson>(big)).error.type).toBe('request_too_large');
  });

  it('maps statuses to Anthropic error types, overloaded for 503 and 529', () => {
    expect([400, 401, 403, 404, 405, 413, 415, 429, 500, 502, 503, 504, 529].map(anthropicErrorType)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'invalid_request_error',
      'request_too_large',
      'invalid_request_error',
      'rate_limit_error',
      'api_error',
      'api_error',
      'overloaded_error',
      'timeout_error',
      'overloaded_error',
    ]);
  });

  it("carries request-id, the gateway's x-request-id, on answers, streams, count_tokens and errors", async () => {
    const gw = await inProcess(
      {
        main: { backends: [backend('a')] },
        claude: {
          backends: [
            backend('c', { provider: 'anthropic', endpoint: 'https://api.anthropic.invalid/v1', apiKey: { value: 'k' } }),
          ],
        },
      },
      { auth: true },
    );
    gw.transport.answer('c', () => ({ json: { type: 'message', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }));
    const answers = [
      await post(gw, hello),
      await post(gw, { ...hello, stream: true }),
      await post(gw, { ...hello, model: 'claude' }),
      await post(gw, { model: 'main', messages: hello.messages }, {}, '/v1/messages/count_tokens'),
      await post(gw, { ...hello, model: 'nope' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 404]);
    for (const res of answers) {
      expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('request-id')).toBe(res.headers.get('x-request-id'));
    }
    // The caller's own id, when it sends one, as for x-request-id.
    expect((await post(gw, hello, { 'x-request-id': 'req-42' })).headers.get('request-id')).toBe('req-42');
    const chat = await gw.post('/v1/chat/completions', { model: 'main', messages: hello.messages });
    expect(chat.headers.get('request-id')).toBeNull();
  });

  it('leaves the OpenAI endpoints OpenAI-shaped', async () => {
    const gw = await gateway();
    const res = await gw.post('/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
    expect(Object.keys(await json<Obj>(res))).toEqual(['error']);
  });
});

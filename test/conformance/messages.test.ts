import Anthropic from '@anthropic-ai/sdk';
import { startMockTritonHttp, type MockTriton } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type Flavor } from '../helpers/fake-providers.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startHostileBackend, type HostileBackend } from '../helpers/hostile-backend.js';

// The Messages API door with the official Anthropic SDK as the client
// (messages.create / messages.stream / countTokens), against a real gateway
// process and a simulated upstream of every provider kind: passed through to
// anthropic backends, translated to chat completions for the others.

const PROVIDERS: [provider: string, flavor: Flavor, extra: string, path: string][] = [
  ['openai-compatible', 'openai', '', '/v1/chat/completions'],
  ['nim', 'openai', '', '/v1/chat/completions'],
  ['openai', 'openai', '', '/v1/chat/completions'],
  [
    'azure-openai',
    'azure',
    '      apiVersion: 2024-10-21\n',
    '/openai/deployments/upstream-model/chat/completions?api-version=2024-10-21',
  ],
  ['anthropic', 'anthropic', '', '/v1/messages'],
];

const KEY = 'sk-messages-conformance-key';
const API_KEYS = `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\n`;

const route = (provider: string, url: string, extra: string) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: claude }
spec:
  backends:
    - name: upstream
      provider: ${provider}
      endpoint: ${url}
      model: upstream-model
      auth: { env: SWITCHBOARD_PROVIDER_KEY }
${extra}`;

const weather: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'Weather for a city',
    input_schema: { type: 'object', properties: { location: { type: 'string' } } },
  },
];

const TEXT = 'Hello from the fake upstream.';
const textOf = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

/** Each raw stream event with the block index it names: the golden form of a stream. */
async function shapeOf(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of stream) out.push('index' in e ? `${e.type}:${e.index}` : e.type);
  return out;
}

describe.each(PROVIDERS)('Messages API on provider %s', (provider, flavor, extra, path) => {
  let h: Harness | undefined;
  let upstream: FakeUpstream;
  let client: Anthropic;
  const passthrough = flavor === 'anthropic';
  const start = async () => {
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    upstream = await startFakeUpstream(flavor);
    h = await startHarness(() => route(provider, upstream.url, extra), [], { apiKeys: API_KEYS });
    client = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
  };
  afterEach(async () => {
    await h?.close();
    await upstream.close();
    h = undefined;
  });

  it('answers messages.create with text and usage, in the provider wire format upstream', async () => {
    await start();
    const { data, response } = await client.messages
      .create({
        model: 'claude',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
        stop_sequences: ['END'],
        metadata: { user_id: 'user-1' },
      })
      .withResponse();
    expect(textOf(data)).toBe(TEXT);
    expect(data).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 6 });
    expect(response.headers.get('x-switchboard-backend')).toBe('upstream');
    const sent = upstream.requests[0]!;
    expect(sent.path).toBe(path);
    if (passthrough) {
      // As the SDK sent it, with the backend's model, under the client's own API version.
      expect(sent.body).toEqual({
        model: 'upstream-model',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
        stop_sequences: ['END'],
        metadata: { user_id: 'user-1' },
      });
      expect(sent.headers['anthropic-version']).toBe('2026-10-21');
      expect(sent.headers['x-api-key']).toBe('sk-provider-secret');
      expect(sent.headers.authorization).toBeUndefined();
    } else {
      expect(sent.body).toMatchObject({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        stop: ['END'],
        user: 'user-1',
      });
      const limit = provider === 'openai' || provider === 'azure-openai' ? 'max_completion_tokens' : 'max_tokens';
      expect(sent.body[limit]).toBe(100);
      expect(JSON.stringify(sent.headers)).not.toContain(KEY);
    }
  });

  it('streams with messages.stream: the SDK accumulates the events into the final message', async () => {
    await start();
    const stream = client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    let deltas = '';
    stream.on('text', (t) => (deltas += t));
    const final = await stream.finalMessage();
    expect(deltas).toBe(TEXT);
    expect(textOf(final)).toBe(TEXT);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 6 });
  });

  it('streams the golden event sequence, indexes included', async () => {
    await start();
    const stream = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    expect(await shapeOf(stream)).toEqual([
      'message_start',
      'content_block_start:0',
      ...Array.from({ length: 6 }, () => 'content_block_delta:0'),
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    const tools = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      tools: weather,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
    });
    expect(await shapeOf(tools)).toEqual([
      'message_start',
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
  });

  it('returns tool_use, streamed or not, and takes the tool_result back', async () => {
    await start();
    const ask: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris?' };
    const first = await client.messages.create({ model: 'claude', max_tokens: 100, tools: weather, messages: [ask] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(use).toMatchObject({ id: 'call_1', name: 'get_weather', input: { location: 'Paris' } });

    const streamed = await client.messages
      .stream({ model: 'claude', max_tokens: 100, tools: weather, messages: [ask] })
      .finalMessage();
    expect(streamed.content.find((b) => b.type === 'tool_use')).toMatchObject({
      name: 'get_weather',
      input: { location: 'Paris' },
    });

    const result: Anthropic.MessageParam = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: use!.id, content: [{ type: 'text', text: '{"celsius":21}' }] }],
    };
    await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      tools: weather,
      messages: [ask, { role: 'assistant', content: first.content }, result],
    });
    const sent = upstream.requests.at(-1)!.body;
    if (passthrough) {
      expect(sent.messages).toEqual([ask, { role: 'assistant', content: first.content }, result]);
    } else {
      expect(sent.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
      ]);
      expect(sent.tools).toEqual([{ type: 'function', function: { name: 'get_weather', ...withoutName(weather[0]!) } }]);
    }
  });

  it('counts tokens natively, without calling the backend', async () => {
    await start();
    const short = await client.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    const withTools = await client.messages.countTokens({
      model: 'claude',
      tools: weather,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(withTools.input_tokens).toBeGreaterThan(short.input_tokens);
    expect(upstream.requests).toHaveLength(0);
  });

  it('maps an upstream failure to an Anthropic error the SDK raises as its typed error', async () => {
    await start();
    upstream.failWith = 500;
    const call = client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    await expect(call).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(call).rejects.toMatchObject({ status: 502, type: 'api_error' });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    await expect(stream.finalMessage()).rejects.toMatchObject({ status: 502, type: 'api_error' });
  });
});

const withoutName = (tool: Anthropic.Tool) => ({ description: tool.description, parameters: tool.input_schema });

describe('Messages API on provider triton (HTTP generate)', () => {
  let triton: MockTriton;
  let h: Harness;
  let client: Anthropic;
  beforeAll(async () => {
    triton = await startMockTritonHttp();
    h = await startHarness(
      () => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: llama }
spec:
  backends:
    - { name: trt, provider: triton, endpoint: "${triton.url}", model: ensemble, chatTemplate: llama-3, maxOutputTokens: 64 }
`,
      [],
      { apiKeys: API_KEYS },
    );
    client = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await triton.close();
  });

  it('answers create and stream through the chat template, usage counted natively', async () => {
    const res = await client.messages.create({ model: 'llama', max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] });
    expect(textOf(res)).toBe('Triton says hello');
    expect(res.usage.output_tokens).toBeGreaterThan(0);
    expect(triton.requests.at(-1)?.inputs).toMatchObject({ max_tokens: 32 });
    const final = await client.messages
      .stream({ model: 'llama', max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(textOf(final)).toBe('Triton says hello');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(triton.requests.at(-1)?.method).toBe('generate_stream');
  });

  it('refuses tools for a raw-text model with a BadRequestError', async () => {
    const call = client.messages.create({
      model: 'llama',
      max_tokens: 32,
      tools: weather,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await expect(call).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(call).rejects.toMatchObject({ type: 'invalid_request_error' });
  });
});

describe('Messages API errors through the SDK', () => {
  let upstream: FakeUpstream;
  let h: Harness;
  beforeAll(async () => {
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    upstream = await startFakeUpstream('openai');
    h = await startHarness(() => route('openai-compatible', upstream.url, ''), [], { apiKeys: API_KEYS });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });
  const sdk = (options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
    new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0, ...options });

  it('raises NotFoundError for an unknown model, BadRequestError for a bad body, AuthenticationError for a bad key', async () => {
    const hi: Anthropic.MessageParam[] = [{ role: 'user', content: 'Hi' }];
    await expect(sdk().messages.create({ model: 'gpt-9', max_tokens: 5, messages: hi })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    const bad = sdk().messages.create({ model: 'claude', max_tokens: 5, messages: [] });
    await expect(bad).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(bad).rejects.toMatchObject({ type: 'invalid_request_error' });
    const denied = sdk({ apiKey: 'sk-not-a-key-000000' }).messages.create({ model: 'claude', max_tokens: 5, messages: hi });
    await expect(denied).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(denied).rejects.toMatchObject({ type: 'authentication_error' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('takes the key as x-api-key too (Anthropic-style clients)', async () => {
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(200);
    const missing = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });
});

describe('Messages API streams cut short by the backend', () => {
  const chunk = (delta: object) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
  const event = (type: string, fields: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
  const CUT: [provider: string, first: string[]][] = [
    ['openai-compatible', [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' })]],
    [
      'anthropic',
      [
        event('message_start', {
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            content: [],
            model: 'm',
            usage: { input_tokens: 3, output_tokens: 1 },
          },
        }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
      ],
    ],
  ];
  let backend: HostileBackend;
  let h: Harness;
  afterEach(async () => {
    await h.close();
    await backend.close();
  });

  it.each(CUT)('%s: the SDK raises the error event as an api_error, after the text so far', async (provider, first) => {
    backend = await startHostileBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const c of first) res.write(c);
      // Ends without its end marker ([DONE] / message_stop): the answer is incomplete.
      res.end();
    });
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    h = await startHarness(() => route(provider, backend.url, ''), [], { apiKeys: API_KEYS });
    const client = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const failure = await stream.finalMessage().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({
      type: 'api_error',
      error: {
        type: 'error',
        error: { type: 'api_error', message: 'Backend "upstream" ended the stream before the answer was complete.' },
      },
    });
    expect(text).toBe('Hel');
  });
});

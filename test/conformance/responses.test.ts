import { startMockTritonHttp, type MockTriton } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type Flavor } from '../helpers/fake-providers.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

// The Responses API door with the official OpenAI SDK as the client
// (responses.create / responses.stream), against a simulated upstream of
// every provider kind: passed through to OpenAI and Azure OpenAI, translated
// to chat completions (or Anthropic Messages) for the others.

const PROVIDERS: [provider: string, flavor: Flavor, extra: string, path: string][] = [
  ['openai', 'openai', '', '/v1/responses'],
  ['azure-openai', 'azure', '      apiVersion: 2024-10-21\n', '/openai/v1/responses'],
  ['openai-compatible', 'openai', '', '/v1/chat/completions'],
  ['nim', 'openai', '', '/v1/chat/completions'],
  ['anthropic', 'anthropic', '', '/v1/messages'],
];

const route = (provider: string, url: string, extra: string) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: chat }
spec:
  backends:
    - name: upstream
      provider: ${provider}
      endpoint: ${url}
      model: upstream-model
      auth: { env: SWITCHBOARD_PROVIDER_KEY }
${extra}`;

const weather: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
    strict: false,
  },
];

const TEXT = 'Hello from the fake upstream.';

describe.each(PROVIDERS)('Responses API on provider %s', (provider, flavor, extra, path) => {
  let h: Harness | undefined;
  let upstream: FakeUpstream;
  let client: OpenAI;
  const start = async () => {
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    upstream = await startFakeUpstream(flavor);
    h = await startHarness(() => route(provider, upstream.url, extra), []);
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  };
  afterEach(async () => {
    await h?.close();
    await upstream.close();
    h = undefined;
  });
  const passthrough = path.endsWith('/responses');

  it('answers responses.create with output_text and usage, in the provider wire format upstream', async () => {
    await start();
    const res = await client.responses.create({ model: 'chat', instructions: 'Be brief.', input: 'Hi', max_output_tokens: 100 });
    expect(res.output_text).toBe(TEXT);
    expect(res.status).toBe('completed');
    expect(res.id).toMatch(/^resp_/);
    expect(res.usage).toMatchObject({ input_tokens: 11, output_tokens: 6, total_tokens: 17 });
    const sent = upstream.requests[0]!;
    expect(sent.path.split('?')[0]).toBe(path);
    if (passthrough) {
      expect(sent.body).toMatchObject({
        model: 'upstream-model',
        instructions: 'Be brief.',
        store: false,
        max_output_tokens: 100,
      });
      expect(res.usage?.input_tokens_details.cached_tokens).toBe(4);
    } else if (flavor === 'anthropic') {
      expect(sent.body).toMatchObject({
        system: 'Be brief.',
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      });
    } else {
      expect(sent.body).toMatchObject({
        max_completion_tokens: 100,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      });
    }
  });

  it('streams with responses.stream: the SDK accumulates the events into the final response', async () => {
    await start();
    const stream = client.responses.stream({ model: 'chat', input: 'Hi' });
    const types: string[] = [];
    let deltas = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
    }
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(deltas).toBe(TEXT);
    expect(final.output_text).toBe(TEXT);
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 6 });
    // Stored: it can be read back, by its gateway id.
    expect((await client.responses.retrieve(final.id)).output_text).toBe(TEXT);
  });

  it('returns function calls and continues with their output through previous_response_id', async () => {
    await start();
    const first = await client.responses.create({ model: 'chat', input: 'Weather in Paris?', tools: weather });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
    expect(call).toMatchObject({ call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' });
    const streamed = client.responses.stream({ model: 'chat', input: 'Weather in Paris?', tools: weather });
    let args = '';
    for await (const event of streamed) if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    expect(JSON.parse(args)).toEqual({ location: 'Paris' });

    await client.responses.create({
      model: 'chat',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call!.call_id, output: '{"celsius":21}' }],
    });
    const sent = upstream.requests.at(-1)!.body;
    if (passthrough) {
      expect(sent.previous_response_id).toBeUndefined();
      expect(sent.input).toMatchObject([
        { type: 'message', role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"celsius":21}' },
      ]);
    } else if (flavor === 'anthropic') {
      expect(sent.messages).toMatchObject([
        { role: 'user' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"celsius":21}' }] },
      ]);
    } else {
      expect(sent.messages).toMatchObject([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
      ]);
    }
  });

  it('asks for JSON-schema output in the backend’s own terms', async () => {
    await start();
    const format = {
      type: 'json_schema' as const,
      name: 'city',
      schema: { type: 'object', properties: { name: { type: 'string' } } },
      strict: true,
    };
    await client.responses.create({ model: 'chat', input: 'A city?', text: { format } });
    const sent = upstream.requests[0]!.body;
    if (flavor === 'anthropic') {
      // The Messages API has no JSON mode: the schema is a tool the model is made to call.
      expect(sent.tools).toEqual([expect.objectContaining({ name: 'city', input_schema: format.schema })]);
      expect(sent.tool_choice).toEqual({ type: 'tool', name: 'city', disable_parallel_tool_use: true });
    } else if (passthrough) expect(sent.text).toEqual({ format });
    else
      expect(sent.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'city', schema: format.schema, strict: true },
      });
  });

  it('maps an upstream failure to an OpenAI error the SDK raises', async () => {
    await start();
    upstream.failWith = 500;
    await expect(client.responses.create({ model: 'chat', input: 'Hi' })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });
});

describe('Responses API on provider triton (HTTP generate)', () => {
  let triton: MockTriton;
  let h: Harness;
  let client: OpenAI;
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
    );
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await triton.close();
  });

  it('answers create and stream through the chat template', async () => {
    const res = await client.responses.create({ model: 'llama', input: 'Hi' });
    expect(res.output_text).toBe('Triton says hello');
    expect(res.usage?.output_tokens).toBeGreaterThan(0);
    const stream = client.responses.stream({ model: 'llama', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Triton says hello');
    expect(triton.requests.at(-1)?.method).toBe('generate_stream');
  });
});

describe('stored responses across two replicas sharing Redis', () => {
  const KEY_A = 'sk-responses-tenant-a';
  const KEY_B = 'sk-responses-tenant-b';
  const keys = `keys:
  - { name: a, tenant: team-a, sha256: ${hashKey(KEY_A)} }
  - { name: b, tenant: team-b, sha256: ${hashKey(KEY_B)} }
`;
  let redis: RedisServer;
  let upstream: FakeUpstream;
  let one: Harness;
  let two: Harness;
  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startFakeUpstream('openai');
    const routes = () => route('openai-compatible', upstream.url, '');
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    one = await startHarness(routes, [], { redisUrl: redis.url, apiKeys: keys });
    two = await startHarness(routes, [], { redisUrl: redis.url, apiKeys: keys });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await upstream.close();
    await redis.stop();
  });
  const sdk = (h: Harness, key: string) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: key, maxRetries: 0 });

  it('continues on one replica a conversation the other answered, streamed or not', async () => {
    const first = await sdk(one, KEY_A).responses.create({ model: 'chat', input: 'My name is Ada.' });
    const second = await sdk(two, KEY_A).responses.create({
      model: 'chat',
      input: 'What is my name?',
      previous_response_id: first.id,
    });
    expect(upstream.requests.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: [{ type: 'text', text: TEXT }] },
      { role: 'user', content: 'What is my name?' },
    ]);
    const stream = sdk(one, KEY_A).responses.stream({ model: 'chat', input: 'And again?', previous_response_id: second.id });
    const third = await stream.finalResponse();
    expect((upstream.requests.at(-1)!.body.messages as unknown[]).length).toBe(5);
    const items = await sdk(two, KEY_A).responses.inputItems.list(third.id, { order: 'asc' });
    expect(items.data.map((i) => (i.type === 'message' ? i.role : i.type))).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
  });

  it("never shows, continues or deletes another tenant's response, on either replica", async () => {
    const mine = await sdk(one, KEY_A).responses.create({ model: 'chat', input: 'team-a secret' });
    for (const h of [one, two]) {
      const other = sdk(h, KEY_B);
      await expect(other.responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(other.responses.inputItems.list(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(other.responses.delete(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(other.responses.create({ model: 'chat', input: 'x', previous_response_id: mine.id })).rejects.toBeInstanceOf(
        OpenAI.BadRequestError,
      );
    }
    expect((await sdk(two, KEY_A).responses.retrieve(mine.id)).id).toBe(mine.id);
    await sdk(two, KEY_A).responses.delete(mine.id);
    await expect(sdk(one, KEY_A).responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('counts input tokens natively, earlier turns included', async () => {
    const first = await sdk(one, KEY_A).responses.create({ model: 'chat', input: 'Count me.' });
    const alone = await sdk(two, KEY_A).responses.inputTokens.count({ model: 'chat', input: 'And me.' });
    const continued = await sdk(two, KEY_A).responses.inputTokens.count({
      model: 'chat',
      input: 'And me.',
      previous_response_id: first.id,
    });
    expect(alone.input_tokens).toBeGreaterThan(0);
    expect(continued.input_tokens).toBeGreaterThan(alone.input_tokens);
  });
});

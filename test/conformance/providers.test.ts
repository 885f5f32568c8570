import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type Flavor } from '../helpers/fake-providers.js';
import { eventually, startHarness, type Harness } from '../helpers/harness.js';

const PROVIDERS: [string, Flavor, string][] = [
  ['openai-compatible', 'openai', ''],
  ['nim', 'openai', ''],
  ['azure-openai', 'azure', '      apiVersion: 2024-10-21\n'],
  ['anthropic', 'anthropic', ''],
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
      headers: { x-team: routing }
${extra}`;

const weather = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
    },
  },
];

// One suite, every provider (DESIGN.md example 3): the official SDK as the
// client, a simulated upstream speaking each provider's own protocol.
describe.each(PROVIDERS)('provider %s', (provider, flavor, extra) => {
  let h: Harness | undefined;
  let upstream: FakeUpstream;
  let client: OpenAI;
  const start = async (slow = false) => {
    process.env.SWITCHBOARD_PROVIDER_KEY = 'sk-provider-secret';
    upstream = await startFakeUpstream(flavor, { slow });
    h = await startHarness(() => route(provider, upstream.url, extra), []);
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  };
  afterEach(async () => {
    await h?.close();
    await upstream.close();
    h = undefined;
  });

  it('answers a chat completion with usage, in the provider wire format upstream', async () => {
    await start();
    const res = await client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6 });
    const sent = upstream.requests[0]!;
    expect(sent.headers['x-team']).toBe('routing');
    if (flavor === 'azure') {
      expect(sent.path).toBe('/openai/deployments/upstream-model/chat/completions?api-version=2024-10-21');
      expect(sent.headers['api-key']).toBe('sk-provider-secret');
    } else if (flavor === 'anthropic') {
      expect(sent.path).toBe('/v1/messages');
      expect(sent.headers['x-api-key']).toBe('sk-provider-secret');
      expect(sent.headers['anthropic-version']).toBe('2023-06-01');
      expect(sent.body).toMatchObject({ model: 'upstream-model', system: 'Be brief.', max_tokens: 4096 });
    } else {
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe('Bearer sk-provider-secret');
      expect(sent.body.model).toBe('upstream-model');
    }
  });

  it('streams a chat completion, with usage when asked', async () => {
    await start();
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Hello from the fake upstream.');
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6 });
  });

  it('passes tools through and returns tool calls, streaming and not', async () => {
    await start();
    const res = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: weather,
    });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(res.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
    });
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: weather,
      stream: true,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += call.function?.name ?? '';
        args += call.function?.arguments ?? '';
      }
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Paris' });
  });

  it('maps an upstream failure to an OpenAI-shaped 502', async () => {
    await start();
    upstream.failWith = 500;
    const call = client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(call).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(call).rejects.toMatchObject({ status: 502, type: 'upstream_error' });
  });

  it('cancels the upstream stream when the client goes away', async () => {
    await start(true);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'chat', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    controller.abort();
    await eventually(() => upstream.abandoned === 1);
  });
});

describe('operations a provider cannot serve', () => {
  it('skips an Anthropic backend for embeddings with a clear error', async () => {
    const upstream = await startFakeUpstream('anthropic');
    const h = await startHarness(() => route('anthropic', upstream.url, ''), []);
    try {
      const res = await fetch(`${h.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', input: 'x' }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_operation');
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await h.close();
      await upstream.close();
    }
  });
});

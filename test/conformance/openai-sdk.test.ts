import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeYaml, startHarness, type Harness } from '../helpers/harness.js';

// The official OpenAI SDK as the client: what an application switching its
// base URL to Switchboard would see.
describe('OpenAI SDK against the gateway', () => {
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    h = await startHarness(
      ([good, broken]) =>
        [
          routeYaml('assistant', [{ name: 'main', url: good ?? '' }]),
          routeYaml('broken', [{ name: 'down', url: broken ?? '' }]),
        ].join('---\n'),
      [{ completionTokens: 8 }, { errorRate: 1, errorStatus: 500 }],
    );
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => h.close());

  it('creates a chat completion', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'assistant', messages: [{ role: 'user', content: 'Say hi' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe('Switchboard routes each prompt to the model that');
    expect(data.usage?.completion_tokens).toBe(8);
    expect(response.headers.get('x-switchboard-backend')).toBe('main');
  });

  it('streams a chat completion, usage included when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Switchboard routes each prompt to the model that');
    expect(usage?.completion_tokens).toBe(8);
  });

  it('creates a legacy completion, streaming and not', async () => {
    const done = await client.completions.create({ model: 'assistant', prompt: 'Once upon a time' });
    expect(done.choices[0]?.text).toBe('Switchboard routes each prompt to the model that');
    const stream = await client.completions.create({ model: 'assistant', prompt: 'Once', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('Switchboard routes each prompt to the model that');
  });

  it('creates embeddings', async () => {
    const res = await client.embeddings.create({ model: 'assistant', input: ['one', 'two'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding).toHaveLength(16);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['assistant', 'broken']);
    expect((await client.models.retrieve('assistant')).id).toBe('assistant');
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('surfaces gateway errors as the SDK typed errors', async () => {
    const unknown = client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    await expect(unknown).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });

    const empty = client.chat.completions.create({ model: 'assistant', messages: [] });
    await expect(empty).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(empty).rejects.toMatchObject({ code: 'empty_array', param: 'messages' });

    const upstream = client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }] });
    await expect(upstream).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(upstream).rejects.toMatchObject({ status: 502, type: 'upstream_error' });

    const streamed = client.chat.completions.create({
      model: 'broken',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(streamed).rejects.toMatchObject({ status: 502 });
  });
});

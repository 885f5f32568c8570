import { loadTokenizer } from '@switchboard/native';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockTritonHttp, type MockTriton } from '@switchboard/cli';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('Triton over the HTTP generate extension, with the OpenAI SDK as client', () => {
  let triton: MockTriton;
  /** The last request as the simulated Triton received it: its path and JSON body. */
  const last = () => {
    const r = triton.requests.at(-1);
    return r && { path: `/v2/models/${r.model}/${r.method}`, body: r.inputs };
  };
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

  it('renders the chat template into text_input and answers a chat completion', async () => {
    const res = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      stop: ['\n'],
    });
    expect(res.choices[0]?.message.content).toBe('Triton says hello');
    expect(last()).toEqual({
      path: '/v2/models/ensemble/generate',
      body: {
        text_input:
          '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
        max_tokens: 64,
        stream: false,
        temperature: 0.2,
        stop_words: ['\n'],
      },
    });
  });

  it('streams through generate_stream and counts usage natively', async () => {
    const stream = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Triton says hello');
    expect(last()?.path).toBe('/v2/models/ensemble/generate_stream');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const output = /gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="output"[^}]*\} (\d+)/.exec(metrics)?.[1];
    expect(Number(output)).toBe(2 * loadTokenizer('o200k_base').count('Triton says hello'));
  });

  it('serves legacy completions with the prompt as is', async () => {
    const res = await client.completions.create({ model: 'llama', prompt: 'Once upon a time' });
    expect(res.choices[0]?.text).toBe('Triton says hello');
    expect(last()?.body.text_input).toBe('Once upon a time');
  });

  it('does not send tools to a raw-text model', async () => {
    const call = client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    await expect(call).rejects.toMatchObject({ status: 400, code: 'unsupported_operation' });
  });
});

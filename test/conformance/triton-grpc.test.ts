import { startMockTritonGrpc, type MockTriton } from '@switchboard/cli';
import * as grpc from '@grpc/grpc-js';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const LLAMA3_HI =
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';

describe('Triton over KServe v2 gRPC, with the OpenAI SDK as client', () => {
  let triton: MockTriton;
  let spare: MockTriton;
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    triton = await startMockTritonGrpc();
    spare = await startMockTritonGrpc({ pieces: ['from', ' the', ' spare'] });
    h = await startHarness(
      () => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: llama }
spec:
  backends:
    - { name: trt, provider: triton, endpoint: "${triton.url}", model: ensemble, chatTemplate: llama-3, maxOutputTokens: 64 }
---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: legacy }
spec:
  backends:
    - { name: old, provider: triton, endpoint: "${triton.url}", model: legacy, chatTemplate: chatml }
---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: failover }
spec:
  backends:
    - { name: down, provider: triton, endpoint: "grpc://127.0.0.1:1", model: ensemble, priority: 0 }
    - { name: spare, provider: triton, endpoint: "${spare.url}", model: ensemble, priority: 1 }
---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: slow }
spec:
  backends:
    - { name: slow, provider: triton, endpoint: "${spare.url}", model: ensemble }
  resilience:
    timeouts: { firstToken: 150ms }
    maxAttempts: 1
`,
      [],
    );
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await triton.close();
    await spare.close();
  });
  beforeEach(() => {
    triton.options.failWith = undefined;
    triton.options.pieceDelayMs = 0;
    spare.options.pieceDelayMs = 0;
  });

  it('learns the tensors from ModelMetadata/ModelConfig and answers a decoupled model over ModelStreamInfer', async () => {
    const res = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.25,
      stop: ['\n'],
    });
    expect(res.choices[0]?.message.content).toBe('Triton says hello');
    const sent = triton.requests.at(-1);
    expect(sent?.method).toBe('ModelStreamInfer');
    expect(sent?.parameters).toEqual({
      triton_enable_empty_final_response: { bool_param: true, parameter_choice: 'bool_param' },
    });
    // batch dimension first, stop words along the last dimension, only declared inputs
    expect(sent?.inputs).toEqual({
      text_input: { datatype: 'BYTES', shape: [1, 1], values: [LLAMA3_HI] },
      max_tokens: { datatype: 'INT32', shape: [1, 1], values: [64] },
      stream: { datatype: 'BOOL', shape: [1, 1], values: [false] },
      temperature: { datatype: 'FP32', shape: [1, 1], values: [0.25] },
      stop_words: { datatype: 'BYTES', shape: [1, 1], values: ['\n'] },
    });
  });

  it('streams one SSE chunk per gRPC response', async () => {
    const stream = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
    expect(pieces).toEqual(['Triton', ' says', ' hello']);
    expect((triton.requests.at(-1)?.inputs.stream as { values: boolean[] }).values).toEqual([true]);
  });

  it('uses ModelInfer and raw_output_contents for a non-decoupled INPUT_0/OUTPUT_0 model', async () => {
    const res = await client.completions.create({ model: 'legacy', prompt: 'Once upon a time' });
    expect(res.choices[0]?.text).toBe('Triton says hello');
    expect(triton.requests.at(-1)).toMatchObject({
      method: 'ModelInfer',
      inputs: { INPUT_0: { datatype: 'BYTES', shape: [1], values: ['Once upon a time'] } },
    });
  });

  it('maps INVALID_ARGUMENT to 400 with the server message', async () => {
    const call = client.completions.create({ model: 'legacy', prompt: 'this is INVALID' });
    await expect(call).rejects.toMatchObject({ status: 400, code: 'upstream_rejected' });
    await expect(call).rejects.toThrow(/input 'text_input' is invalid/);
  });

  it('fails over to the next backend when a server is UNAVAILABLE', async () => {
    const res = await client.chat.completions
      .create({ model: 'failover', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(res.data.choices[0]?.message.content).toBe('from the spare');
    expect(res.response.headers.get('x-switchboard-backend')).toBe('spare');
  });

  it('maps a server-side UNAVAILABLE with no alternative to 502', async () => {
    triton.options.failWith = grpc.status.UNAVAILABLE;
    const call = client.completions.create({ model: 'legacy', prompt: 'x' });
    await expect(call).rejects.toMatchObject({ status: 502 });
  });

  it('gives 504 when the first token does not come within the route timeout', async () => {
    spare.options.pieceDelayMs = 1000;
    const call = client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    await expect(call).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('cancels the gRPC stream when the client goes away', async () => {
    triton.options.pieceDelayMs = 100;
    const before = triton.cancelled;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'llama', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect.poll(() => triton.cancelled, { timeout: 5000 }).toBe(before + 1);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBackend } from '@switchboard/cli';
import { freePort } from '../helpers/cli-process.js';
import { chat, eventually, startHarness, type Harness } from '../helpers/harness.js';
import { interopPython, interopScript } from '../helpers/python.js';

const PROMPT = '<|im_start|>user\nHello KServe<|im_end|>\n<|im_start|>assistant\n';

// The kserve package's model server is an independent implementation of the
// v2 gRPC protocol: the gateway must interoperate with it unchanged.
describe('wire compatibility with the kserve model server (v2 gRPC)', () => {
  let server: ChildProcess;
  let h: Harness;
  let client: OpenAI;
  let log = '';
  let httpPort = 0;
  let grpcPort = 0;
  beforeAll(async () => {
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    server = spawn(interopPython(), [interopScript('kserve_echo_server.py'), String(httpPort), String(grpcPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(
      () =>
        fetch(`http://127.0.0.1:${httpPort}/v2/models/echo/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      () => log,
    );
    h = await startHarness(
      () => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: echo }
spec:
  backends:
    - { name: kserve, provider: triton, endpoint: "grpc://127.0.0.1:${grpcPort}", model: echo, chatTemplate: chatml }
  resilience:
    healthCheck: { interval: 1s }
---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: missing }
spec:
  backends:
    - { name: nosuch, provider: triton, endpoint: "grpc://127.0.0.1:${grpcPort}", model: nosuch }
  resilience:
    healthCheck: { interval: 1s }
    outlierDetection: { consecutiveFailures: 2 }
`,
      [],
    );
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    server?.kill('SIGKILL');
  });

  it('reads ModelMetadata (no ModelConfig on KServe) and answers through ModelInfer', async () => {
    const res = await client.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'Hello KServe' }],
      max_tokens: 42,
    });
    expect(res.choices[0]?.message.content, log).toBe(
      `kserve heard ${PROMPT.length} chars ending ${JSON.stringify(PROMPT.slice(-12)).replace(/"/g, "'").replace(/\\n/g, '\\n')} with max_tokens=42`,
    );
  });

  it('streams a non-decoupled model as one chunk', async () => {
    const stream = await client.completions.create({ model: 'echo', prompt: 'abc', stream: true, max_tokens: 5 });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(`kserve heard 3 chars ending 'abc' with max_tokens=5`);
  });

  it("passes the server's INVALID_ARGUMENT message through as a 400", async () => {
    const call = client.completions.create({ model: 'echo', prompt: 'INVALID input' });
    await expect(call).rejects.toMatchObject({ status: 400 });
    await expect(call).rejects.toThrow(/must not contain INVALID/);
  });

  it('ejects a backend whose model ModelReady does not report ready, and keeps the served one', async () => {
    const state = async (backend: string) =>
      new RegExp(`switchboard_backend_health\\{[^}]*backend="${backend}"[^}]*state="(\\w+)"[^}]*\\} 1`).exec(
        await (await fetch(`${h.url}/metrics`)).text(),
      )?.[1];
    await expect.poll(() => state('nosuch'), { timeout: 10_000 }).toBe('ejected');
    expect(await state('kserve')).toBe('healthy');
  });

  it('a classifier served over the v2 protocol (gRPC and HTTP) picks the backend, as the NVIDIA blueprint deploys it', async () => {
    const [coder, chatter] = await Promise.all([startMockBackend({}), startMockBackend({})]);
    try {
      const route = (name: string, endpoint: string) => `---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
    - { name: coder, provider: openai-compatible, endpoint: "${coder.url}", model: m }
    - { name: chatter, provider: openai-compatible, endpoint: "${chatter.url}", model: m }
  routing:
    strategy: classifier
    classifier:
      triton: { endpoint: "${endpoint}", model: task_router, labels: [code, chat] }
      classes: { code: coder, chat: chatter }
      default: chatter
`;
      await h.writeRoutes(
        route('tasks-grpc', `grpc://127.0.0.1:${grpcPort}`) + route('tasks-http', `http://127.0.0.1:${httpPort}`),
        'tasks.yaml',
      );
      await eventually(() => h.gateway.store.current().byModel.has('tasks-http'), 10_000);
      for (const model of ['tasks-grpc', 'tasks-http']) {
        const pick = async (content: string) => {
          const res = await chat(h.url, model, content);
          return [
            res.headers.get('x-switchboard-backend'),
            res.headers.get('x-switchboard-decision'),
            res.headers.get('x-switchboard-score'),
          ];
        };
        expect(await pick('write a python function'), log).toEqual(['coder', 'code', '0.9000']);
        expect(await pick('hello there'), log).toEqual(['chatter', 'chat', '0.8000']);
      }
    } finally {
      await Promise.all([coder.close(), chatter.close()]);
    }
  });
});

import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddingsClient } from '@switchboard/gateway';
import { NativeRouter, trainEnsemble, trainRouter } from '@switchboard/native';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, eventually, startHarness, type Harness } from '../helpers/harness.js';
import { interopPython } from '../helpers/python.js';

// Every strategy beyond strong/weak, end to end: a real gateway process,
// simulated backends, and routers trained here on small data sets.

const CODE = ['write a python function', 'fix this code bug', 'compile the rust program', 'refactor this function'];
const CHAT = ['hello how are you', 'tell me a joke', 'good morning friend', 'what a nice weather today'];

function lines(rows: object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

describe('routing strategies through the gateway', () => {
  let h: Harness;
  let dir: string;
  let client: OpenAI;
  const ask = async (model: string, content: string, headers: Record<string, string> = {}, extra: object = {}) => {
    return chat(h.url, model, content, headers, extra);
  };
  const backendOf = async (model: string, content: string, headers: Record<string, string> = {}) =>
    (await ask(model, content, headers)).headers.get('x-switchboard-backend');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-strategies-'));
    // A label classifier (train --router classifier --labels task).
    const labelled = Array.from({ length: 200 }, (_, i) => {
      const code = i % 2 === 0;
      const pool = code ? CODE : CHAT;
      return {
        id: String(i),
        prompt: `${pool[i % 4] as string} ${i}`,
        source: `s/${i % 5}`,
        scores: {},
        task: code ? 'code' : 'chat',
      };
    });
    await writeFile(join(dir, 'tasks.jsonl'), lines(labelled));
    trainRouter({
      data: [join(dir, 'tasks.jsonl')],
      router: 'classifier',
      labels: 'task',
      strong: '',
      weak: '',
      out: join(dir, 'tasks'),
      epochs: 6,
      dim: 8,
      buckets: 4096,
    });
    // A predictive router: "big" is good everywhere, "small" only on chat.
    const scored = Array.from({ length: 200 }, (_, i) => {
      const code = i % 2 === 0;
      return {
        id: String(i),
        prompt: `${(code ? CODE : CHAT)[i % 4] as string} ${i}`,
        source: `s/${i % 5}`,
        scores: { big: 0.95, small: code ? 0.1 : 0.8 },
        output_chars: { big: 800, small: 400 },
      };
    });
    await writeFile(join(dir, 'quality.jsonl'), lines(scored));
    trainRouter({
      data: [join(dir, 'quality.jsonl')],
      router: 'predictive',
      strong: '',
      weak: '',
      out: join(dir, 'quality'),
      epochs: 8,
      dim: 8,
      buckets: 4096,
      k: 4,
    });
    h = await startHarness(
      ([a, b, c, embedder, shaky, sure, yes, no]) => {
        const backend = (name: string, url: string | undefined, price = 1) =>
          `    - { name: ${name}, provider: openai-compatible, endpoint: "${url}", model: ${name}-model, cost: { inputPerMillionTokens: ${price}, outputPerMillionTokens: ${price * 2} } }\n`;
        const three = backend('a', a) + backend('b', b) + backend('c', c);
        const route = (name: string, backends: string, routing: string) =>
          `---\napiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: ${name} }\nspec:\n  backends:\n${backends}  routing:\n${routing}`;
        return [
          route(
            'tasks',
            three,
            `    strategy: classifier\n    classifier: { router: "${join(dir, 'tasks')}", classes: { code: a, chat: b }, default: c }\n    rules:\n      - { name: vip, backend: c, header: { name: x-tier, equals: vip } }\n      - { name: long, backend: c, minPromptTokens: 400 }\n`,
          ),
          route(
            'confident',
            three,
            `    strategy: classifier\n    classifier: { router: "${join(dir, 'tasks')}", classes: { code: a, chat: b }, default: c, minConfidence: 0.999999 }\n`,
          ),
          route(
            'semantic',
            three,
            `    strategy: semantic\n    semantic:\n      topK: 2\n      default: c\n      routes:\n        - { name: coding, backend: a, threshold: 0.2, utterances: ${JSON.stringify(CODE)} }\n        - { name: smalltalk, backend: b, threshold: 0.2, utterances: ${JSON.stringify(CHAT)} }\n`,
          ),
          route(
            'semantic-remote',
            three,
            `    strategy: semantic\n    embeddings: { endpoint: "${embedder}", model: words-64 }\n    semantic:\n      encoder: remote\n      default: c\n      routes:\n        - { name: coding, backend: a, threshold: 0.3, utterances: ${JSON.stringify(CODE)} }\n        - { name: smalltalk, backend: b, threshold: 0.3, utterances: ${JSON.stringify(CHAT)} }\n`,
          ),
          route(
            'predictive',
            backend('big', a, 30) + backend('small', b, 0.1),
            `    strategy: predictive\n    predictive: { router: "${join(dir, 'quality')}", models: { big: big, small: small } }\n`,
          ),
          route(
            'predictive-capped',
            backend('big', a, 30) + backend('small', b, 0.1),
            `    strategy: predictive\n    predictive: { router: "${join(dir, 'quality')}", models: { big: big, small: small }, maxCostPerRequest: 0.0001 }\n`,
          ),
          route(
            'bandit',
            backend('a', a) + backend('b', b),
            `    strategy: bandit\n    bandit: { algorithm: epsilon-greedy, epsilon: 0 }\n`,
          ),
          route(
            'bandit-ctx',
            backend('a', a) + backend('b', b),
            `    strategy: bandit\n    bandit:\n      algorithm: epsilon-greedy\n      epsilon: 0\n      contextual: true\n      contexts:\n        clusters:\n          - { name: code, utterances: ${JSON.stringify(CODE)} }\n          - { name: chat, utterances: ${JSON.stringify(CHAT)} }\n`,
          ),
          route(
            'cascade',
            backend('cheap', shaky, 0.1) + backend('pricey', sure, 10),
            `    strategy: cascade\n    cascade: { minMeanLogprob: -0.5 }\n`,
          ),
          route(
            'verified',
            backend('cheap', sure, 0.1) + backend('pricey', a, 10) + backend('judge', no, 1),
            `    strategy: cascade\n    cascade: { stages: [cheap, pricey], confidence: verifier, verifier: judge }\n`,
          ),
          route(
            'verified-yes',
            backend('cheap', sure, 0.1) + backend('pricey', a, 10) + backend('judge', yes, 1),
            `    strategy: cascade\n    cascade: { stages: [cheap, pricey], confidence: verifier, verifier: judge }\n`,
          ),
        ].join('\n');
      },
      [
        {},
        {},
        {},
        { embeddingKind: 'words', embeddingDimensions: 64 },
        { tokenLogprob: -2 },
        { tokenLogprob: -0.05 },
        { replyText: 'yes' },
        { replyText: 'No, it is wrong.' },
      ],
    );
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('classifier (native label classifier) and rules', () => {
    it('sends each class to its backend and names the class in x-switchboard-decision', async () => {
      const code = await ask('tasks', 'please write a python function that sorts');
      expect(code.headers.get('x-switchboard-backend')).toBe('a');
      expect(code.headers.get('x-switchboard-decision')).toBe('code');
      expect(Number(code.headers.get('x-switchboard-score'))).toBeGreaterThan(0.5);
      const chat = await ask('tasks', 'hello, tell me a joke');
      expect(chat.headers.get('x-switchboard-backend')).toBe('b');
      expect(chat.headers.get('x-switchboard-decision')).toBe('chat');
    });

    it('a rule matches before the classifier: a header, a prompt-length range', async () => {
      const vip = await ask('tasks', 'please write a python function', { 'x-tier': 'vip' });
      expect(vip.headers.get('x-switchboard-backend')).toBe('c');
      expect(vip.headers.get('x-switchboard-decision')).toBe('rule:vip');
      expect(await backendOf('tasks', 'please write a python function', { 'x-tier': 'basic' })).toBe('a');
      const long = await ask('tasks', 'hello there '.repeat(300));
      expect(long.headers.get('x-switchboard-decision')).toBe('rule:long');
    });

    it('below minConfidence the default backend answers', async () => {
      const res = await ask('confident', 'please write a python function');
      expect(res.headers.get('x-switchboard-backend')).toBe('c');
      expect(res.headers.get('x-switchboard-decision')).toBe('code:low-confidence');
    });
  });

  describe('semantic routes', () => {
    it('lexical: the route with the most similar utterances, else the default', async () => {
      expect(await backendOf('semantic', 'can you write a python function for me')).toBe('a');
      expect(await backendOf('semantic', 'hello friend, tell me a joke')).toBe('b');
      const none = await ask('semantic', 'zyxw qwerty plonk');
      expect(none.headers.get('x-switchboard-backend')).toBe('c');
      expect(none.headers.get('x-switchboard-decision')).toBe('default');
    });

    it('remote: utterances and prompts embedded by an OpenAI-compatible /v1/embeddings server', async () => {
      const embedder = h.mocks[3]!;
      const before = embedder.received.get('/v1/embeddings') ?? 0;
      expect(await backendOf('semantic-remote', 'write a python function')).toBe('a');
      expect(await backendOf('semantic-remote', 'tell me a joke')).toBe('b');
      expect(await backendOf('semantic-remote', 'zyxw qwerty')).toBe('c');
      // the utterances were embedded once at load, not per request: one call per prompt now
      expect((embedder.received.get('/v1/embeddings') ?? 0) - before).toBe(3);
    });
  });

  describe('predictive (Tryage)', () => {
    it('picks the best predicted quality, and a cost weight flips the choice', async () => {
      const code = 'please write a python function';
      const quality = await ask('predictive', code);
      expect(quality.headers.get('x-switchboard-backend')).toBe('big');
      // The per-request preference header replaces the route's lambdaCost (dollars -> quality points).
      const cheap = await ask('predictive', code, { 'x-switchboard-preference': 'cost=100000' });
      expect(cheap.headers.get('x-switchboard-backend')).toBe('small');
      expect(cheap.headers.get('x-switchboard-decision')).toBe('small');
      // On chat prompts the small model is predicted good enough at a modest cost weight.
      expect(await backendOf('predictive', 'hello, tell me a joke', { 'x-switchboard-preference': 'cost=30' })).toBe('small');
      expect(await backendOf('predictive', code, { 'x-switchboard-preference': 'cost=30' })).toBe('big');
    });

    it('a max cost per request removes backends that would exceed it', async () => {
      expect(await backendOf('predictive-capped', 'please write a python function')).toBe('small');
    });
  });

  describe('bandit (PickLLM) with feedback', () => {
    it('negative feedback moves the learner away from a backend', async () => {
      const first = await ask('bandit', 'hi');
      const second = await ask('bandit', 'hi');
      // untried arms first, in order
      expect([first.headers.get('x-switchboard-backend'), second.headers.get('x-switchboard-backend')]).toEqual(['a', 'b']);
      // equal default rewards: the greedy choice is the first arm
      expect(await backendOf('bandit', 'hi')).toBe('a');
      const id = first.headers.get('x-request-id') as string;
      const fb = await fetch(`${h.url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: id, score: 0 }),
      });
      expect(fb.status).toBe(200);
      expect(await fb.json()).toMatchObject({ request_id: id, backend: 'a', route: 'default/bandit' });
      expect(await backendOf('bandit', 'hi')).toBe('b');
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/switchboard_feedback_total\{route="default\/bandit"\} 1/);
    });

    it('contextual: one learner per prompt cluster, so feedback on code prompts leaves chat prompts alone', async () => {
      const code = 'please write a python function';
      const chat = 'hello, tell me a joke';
      const first = await ask('bandit-ctx', code);
      expect(first.headers.get('x-switchboard-backend')).toBe('a');
      expect(await backendOf('bandit-ctx', code)).toBe('b');
      expect(await backendOf('bandit-ctx', chat)).toBe('a'); // a separate learner: untried arms again
      expect(await backendOf('bandit-ctx', chat)).toBe('b');
      const fb = await fetch(`${h.url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: first.headers.get('x-request-id'), score: 0 }),
      });
      expect(await fb.json()).toMatchObject({ backend: 'a', context: 'code' });
      expect(await backendOf('bandit-ctx', code)).toBe('b');
      expect(await backendOf('bandit-ctx', chat)).toBe('a');
    });

    it('rejects feedback for unknown requests and out-of-range scores', async () => {
      const post = (body: object) =>
        fetch(`${h.url}/v1/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const unknown = await post({ request_id: 'nope', score: 1 });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('request_not_found');
      expect((await post({ request_id: 'x', score: 2 })).status).toBe(400);
      expect((await post({ score: 1 })).status).toBe(400);
    });
  });

  describe('cascade (FrugalGPT / AutoMix)', () => {
    it('escalates when the cheap answer is not confident, and says what it tried', async () => {
      const res = await ask('cascade', 'hard question');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchboard-backend')).toBe('pricey');
      expect(res.headers.get('x-switchboard-decision')).toBe('stage-2:pricey');
      expect(res.headers.get('x-switchboard-cascade')).toBe('cheap=-2.000, pricey=-0.050');
      const body = (await res.json()) as { choices: { logprobs: unknown }[] };
      // logprobs were asked for by the gateway, not by the client: not passed on
      expect(body.choices[0]?.logprobs).toBeNull();
    });

    it('accepts the cheap answer when it is confident', async () => {
      h.mocks[4]!.options.tokenLogprob = -0.2;
      try {
        const res = await ask('cascade', 'easy question');
        expect(res.headers.get('x-switchboard-backend')).toBe('cheap');
        expect(res.headers.get('x-switchboard-cascade')).toBe('cheap=-0.200');
      } finally {
        h.mocks[4]!.options.tokenLogprob = -2;
      }
    });

    it('streams the accepted answer to a streaming client (OpenAI SDK)', async () => {
      const stream = await client.chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        usage = chunk.usage?.total_tokens ?? usage;
      }
      expect(text).toMatch(/^Switchboard routes/);
      expect(usage).toBeGreaterThan(0);
    });

    it('verifier: a "no" escalates, a "yes" accepts', async () => {
      const no = await ask('verified', 'question');
      expect(no.headers.get('x-switchboard-backend')).toBe('pricey');
      expect(no.headers.get('x-switchboard-cascade')).toBe('cheap=0.000, pricey=0.000');
      const yes = await ask('verified-yes', 'question');
      expect(yes.headers.get('x-switchboard-backend')).toBe('cheap');
      expect(yes.headers.get('x-switchboard-cascade')).toBe('cheap=1.000');
    });
  });
});

describe('ONNX classifier through onnxruntime-node', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-onnx-'));
    // The model and tokenizer are written by the onnx package's own graph helpers.
    execFileSync(interopPython(), [fileURLToPath(new URL('../fixtures/onnx/make_classifier.py', import.meta.url)), dir]);
    h = await startHarness(
      ([a, b, c]) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: onnx }
spec:
  backends:
    - { name: coder, provider: openai-compatible, endpoint: "${a}", model: m }
    - { name: mathematician, provider: openai-compatible, endpoint: "${b}", model: m }
    - { name: chatter, provider: openai-compatible, endpoint: "${c}", model: m }
  routing:
    strategy: classifier
    classifier:
      onnx: { model: "${join(dir, 'model.onnx')}", tokenizer: "${join(dir, 'tokenizer.json')}", labels: [code, math, chat] }
      classes: { code: coder, math: mathematician }
      default: chatter
`,
      [{}, {}, {}],
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the ONNX model's class picks the backend", async () => {
    const pick = async (content: string) => {
      const res = await chat(h.url, 'onnx', content);
      return [res.headers.get('x-switchboard-backend'), res.headers.get('x-switchboard-decision')];
    };
    expect(await pick('there is a bug in my python code')).toEqual(['coder', 'code']);
    expect(await pick('prove this theorem about the integral')).toEqual(['mathematician', 'math']);
    expect(await pick('hello thanks for the joke')).toEqual(['chatter', 'chat']);
  });
});

describe('threshold routing with the remote encoder', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-remote-'));
    h = await startHarness(() => '', [{}, {}, { embeddingKind: 'words', embeddingDimensions: 64 }]);
    const [strong, weak, embedder] = h.mocks.map((m) => m.url);
    // Train on vectors from the same embeddings server the route will use.
    const rows = Array.from({ length: 300 }, (_, i) => {
      const hard = i % 2 === 0;
      const prompt = hard ? `prove the integral bound theorem ${i}` : `hello what is the weather like ${i}`;
      return { id: String(i), prompt, source: `s/${i % 3}`, scores: { s: 1, w: hard ? 0 : 1 } };
    });
    await writeFile(join(dir, 'data.jsonl'), lines(rows));
    const embeddings = new EmbeddingsClient({
      endpoint: embedder as string,
      model: 'words-64',
      apiKey: undefined,
      dimensions: undefined,
      timeoutMs: 5000,
    });
    const vectors = await embeddings.embedAll(rows.map((r) => r.prompt));
    const flat = new Float32Array(vectors.length * 64);
    vectors.forEach((v, i) => flat.set(v, i * 64));
    trainRouter({
      data: [join(dir, 'data.jsonl')],
      router: 'classifier',
      encoder: 'remote',
      vectors: flat,
      encoderModel: 'words-64',
      strong: 's',
      weak: 'w',
      out: join(dir, 'remote'),
      epochs: 20,
    });
    const route = (name: string, threshold: string, model = 'words-64') => `---
apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
    - { name: strong, provider: openai-compatible, endpoint: "${strong}", model: big }
    - { name: weak, provider: openai-compatible, endpoint: "${weak}", model: small }
  routing:
    strategy: threshold
    embeddings: { endpoint: "${embedder}", model: ${model} }
    threshold: { strong: strong, weak: weak, router: "${join(dir, 'remote')}", ${threshold} }
`;
    await h.writeRoutes(
      route('remote', 'threshold: 0.75') +
        route('all-strong', 'targetStrongFraction: 1') +
        route('none-strong', 'targetStrongFraction: 0'),
    );
    await eventually(() => h.gateway.store.current().byModel.has('none-strong'), 10_000);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const decide = async (model: string, content: string) => {
    const res = await chat(h.url, model, content);
    expect(res.status).toBe(200);
    return res.headers.get('x-switchboard-decision');
  };

  it('embeds the prompt remotely and scores the vector natively', async () => {
    expect(await decide('remote', 'prove the integral theorem')).toBe('strong');
    expect(await decide('remote', 'hello, what is the weather')).toBe('weak');
  });

  it("targetStrongFraction without calibrationPrompts uses the training prompts' score percentiles", async () => {
    expect(await decide('all-strong', 'hello, what is the weather')).toBe('strong');
    expect(await decide('none-strong', 'prove the integral theorem')).toBe('weak');
  });
});

describe('bandit with an evaluator backend (LLM as a judge)', () => {
  let h: Harness;
  let judge: Server;
  let judged = 0;
  beforeAll(async () => {
    // The judge rates answers containing "good" 9/10, the others 1/10.
    judge = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        judged++;
        const { messages } = JSON.parse(body) as { messages: { content: string }[] };
        const answer = (messages[1]?.content ?? '').split('Answer:\n')[1] ?? '';
        const rating = answer.includes('good') ? '9' : '1';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'j',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: rating }, finish_reason: 'stop' }],
          }),
        );
      });
    });
    await new Promise<void>((r) => judge.listen(0, '127.0.0.1', r));
    const port = (judge.address() as { port: number }).port;
    h = await startHarness(
      ([a, b]) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: judged }
spec:
  backends:
    - { name: a, provider: openai-compatible, endpoint: "${a}", model: m }
    - { name: b, provider: openai-compatible, endpoint: "${b}", model: m }
    - { name: judge, provider: openai-compatible, endpoint: "http://127.0.0.1:${port}/v1", model: judge }
  routing:
    strategy: bandit
    bandit: { algorithm: epsilon-greedy, epsilon: 0, evaluator: { backend: judge } }
`,
      [{ replyText: 'a bad answer' }, { replyText: 'a good answer' }],
    );
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    judge?.close();
  });

  it("the evaluator's ratings move the learner to the better backend", async () => {
    const pick = async () => (await chat(h.url, 'judged', 'question')).headers.get('x-switchboard-backend');
    // untried arms first; the judge is never an arm
    expect([await pick(), await pick()]).toEqual(['a', 'b']);
    await eventually(() => judged === 2);
    // equal default rewards would pick a; the ratings (0.1 vs 0.9) pick b
    await eventually(async () => (await pick()) === 'b');
    expect(await pick()).toBe('b');
  });
});

describe('threshold routing with an ensemble router', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-ensemble-'));
    const rows = Array.from({ length: 300 }, (_, i) => {
      const hard = i % 2 === 0;
      const prompt = hard ? `prove the integral bound theorem ${i}` : `hello what is the weather like ${i}`;
      return { id: String(i), prompt, source: `s/${i % 3}`, scores: { s: 1, w: hard ? 0 : 1 } };
    });
    await writeFile(join(dir, 'data.jsonl'), lines(rows));
    const member = (router: string) => ({
      data: [join(dir, 'data.jsonl')],
      router,
      strong: 's',
      weak: 'w',
      epochs: 5,
      dim: 8,
      buckets: 4096,
      k: 4,
    });
    trainEnsemble([member('mf'), member('classifier')], join(dir, 'both'));
    h = await startHarness(
      ([strong, weak]) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: both }
spec:
  backends:
    - { name: strong, provider: openai-compatible, endpoint: "${strong}", model: big }
    - { name: weak, provider: openai-compatible, endpoint: "${weak}", model: small }
  routing:
    strategy: threshold
    threshold: { strong: strong, weak: weak, router: "${join(dir, 'both')}", targetStrongFraction: 0.5 }
`,
      [{}, {}],
    );
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads members from members/, scores in [0, 1] and routes by the combined percentile', async () => {
    const router = NativeRouter.load(join(dir, 'both'));
    expect(JSON.parse(router.info)).toMatchObject({ router: 'ensemble', members: ['mf-hashed', 'classifier-hashed'] });
    const [hard, easy] = [router.score('prove the integral theorem'), router.score('hello, what is the weather')];
    expect(hard).toBeGreaterThan(easy);
    expect(hard).toBeLessThanOrEqual(1);
    expect(easy).toBeGreaterThanOrEqual(0);
    const decide = async (content: string) => (await chat(h.url, 'both', content)).headers.get('x-switchboard-decision');
    expect(await decide('prove the integral theorem')).toBe('strong');
    expect(await decide('hello, what is the weather')).toBe('weak');
  });
});

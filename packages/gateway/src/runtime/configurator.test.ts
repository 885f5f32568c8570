import type { LLMRoute } from '@switchboard/api';
import { loadTokenizer, NativeSemanticIndex } from '@switchboard/native';
import { describe, expect, it } from 'vitest';
import { MemoryLearningStore } from '../learning/store.js';
import type { RouteSource, SecretResolver } from '../plan/secrets.js';
import type { EmbeddingsClient } from '../sources/embeddings.js';
import type { BuildFactories } from '../strategies/build-context.js';
import { RouteTableStore } from '../table/table-store.js';
import { Configurator } from './configurator.js';
import { TableBuilder } from './table-builder.js';

/** Factories that count what a build opens and closes (gRPC channels, ONNX sessions, embeddings calls). */
function countingFactories() {
  const n = { triton: 0, tritonClosed: 0, onnx: 0, onnxClosed: 0, embedAll: 0 };
  const source = (labels: string[]) => ({ labels, classify: () => labels.map((_, i) => (i === 0 ? 1 : 0)) });
  const factories: BuildFactories = {
    loadTokenizer,
    resolveRouterDir: () => {
      throw new Error('no routers in this test');
    },
    loadRouter: () => {
      throw new Error('no routers in this test');
    },
    readPrompts: () => ({ texts: [], turns: [] }),
    readText: () => '',
    routeFile: (spec) => spec,
    semanticIndex: (e, u, r, k, t) => NativeSemanticIndex.fromText(e, u, r, k, t),
    semanticIndexFromVectors: (v, d, r, k, t) => NativeSemanticIndex.fromVectors(v, d, r, k, t),
    onnxClassifier(c) {
      n.onnx++;
      return Promise.resolve({ value: source(c.labels), close: () => void n.onnxClosed++ });
    },
    tritonClassifier(c) {
      n.triton++;
      return { value: source(c.labels), close: () => void n.tritonClosed++ };
    },
    embeddings: () =>
      ({
        embed: (texts: readonly string[]) => Promise.resolve(texts.map(() => Float32Array.from([1, 0]))),
        embedAll(texts: readonly string[]) {
          n.embedAll++;
          return Promise.resolve(texts.map((_, i) => Float32Array.from([i % 2, (i + 1) % 2])));
        },
      }) as unknown as EmbeddingsClient,
    ask: () => Promise.reject(new Error('no evaluator in this test')),
    learning: new MemoryLearningStore(),
    onError: () => undefined,
  };
  return { n, factories };
}

const backends = (key = false) => [
  { name: 'a', provider: 'openai' as const, endpoint: 'http://a:1/v1', model: 'a', ...(key ? { auth: { env: 'A_KEY' } } : {}) },
  { name: 'b', provider: 'openai' as const, endpoint: 'http://b:1/v1', model: 'b' },
];
const llmRoute = (name: string, routing: NonNullable<LLMRoute['spec']['routing']>, key = false): RouteSource => ({
  route: {
    apiVersion: 'switchboard.dev/v1alpha1',
    kind: 'LLMRoute',
    metadata: { name },
    spec: { backends: backends(key), routing },
  },
});
const triton = (endpoint = 'grpc://classifier:8001') =>
  llmRoute('triton', {
    strategy: 'classifier',
    classifier: { triton: { endpoint, model: 'task', labels: ['code', 'chat'] }, classes: { code: 'a' }, default: 'b' },
  });
const onnx = (key = false) =>
  llmRoute(
    'onnx',
    {
      strategy: 'classifier',
      classifier: {
        onnx: { model: '/m/model.onnx', tokenizer: '/m/tokenizer.json', labels: ['hard', 'easy'] },
        classes: { hard: 'a' },
        default: 'b',
      },
    },
    key,
  );
const remoteSemantic = llmRoute('semantic', {
  strategy: 'semantic',
  semantic: { encoder: 'remote', routes: [{ name: 'code', backend: 'a', utterances: ['write code', 'fix this bug'] }] },
  embeddings: { endpoint: 'http://embedder:8080/v1', model: 'e5' },
});

const secrets =
  (values: Record<string, string>): SecretResolver =>
  (auth) =>
    auth.env && values[auth.env] ? { key: values[auth.env] as string } : { error: 'missing' };

function setup() {
  const { n, factories } = countingFactories();
  const store = new RouteTableStore();
  const builder = new TableBuilder(factories);
  return { n, store, builder, configurator: new Configurator(store, builder) };
}

describe('Configurator: plan, then build only what changed', () => {
  it('an unrelated Secret event, a relist or a re-applied route opens nothing new and makes no embeddings call', async () => {
    const { n, configurator } = setup();
    const sources = [triton(), onnx(true), remoteSemantic];
    const first = await configurator.apply(sources, secrets({ A_KEY: 'k1' }), 'per-route');
    expect(first.swapped).toBe(true);
    expect(first.problems).toEqual([]);
    expect(n).toMatchObject({ triton: 1, onnx: 1, embedAll: 1 });
    // a relist / re-apply: the same objects again
    const again = await configurator.apply(structuredClone(sources), secrets({ A_KEY: 'k1' }), 'per-route');
    // an unrelated Secret appeared: the resolver knows more keys, the routes use the same
    const unrelated = await configurator.apply(sources, secrets({ A_KEY: 'k1', OTHER: 'x' }), 'per-route');
    expect([again.swapped, unrelated.swapped]).toEqual([false, false]);
    expect(n).toMatchObject({ triton: 1, onnx: 1, embedAll: 1, tritonClosed: 0, onnxClosed: 0 });
  });

  it("a rotated key rebuilds its route but reuses the route's resources; an untouched route stays the same object", async () => {
    const { n, configurator, store } = setup();
    await configurator.apply([triton(), onnx(true)], secrets({ A_KEY: 'k1' }), 'per-route');
    const before = store.current();
    await configurator.apply([triton(), onnx(true)], secrets({ A_KEY: 'k2' }), 'per-route');
    const after = store.current();
    expect(after.byModel.get('onnx')).not.toBe(before.byModel.get('onnx'));
    expect(after.byModel.get('onnx')?.backends[0]?.apiKey).toBe('k2');
    expect(after.byModel.get('triton')).toBe(before.byModel.get('triton'));
    expect(n).toMatchObject({ triton: 1, onnx: 1, onnxClosed: 0 });
  });

  it("replacing a route closes the old route's channel and session, once the requests holding the old table are done", async () => {
    const { n, configurator, store } = setup();
    await configurator.apply([triton(), onnx()], secrets({}), 'per-route');
    const lease = store.acquire();
    await configurator.apply([triton('grpc://other:8001')], secrets({}), 'per-route');
    expect(n).toMatchObject({ triton: 2, tritonClosed: 0, onnxClosed: 0 });
    lease.release();
    await new Promise((r) => setImmediate(r));
    expect(n).toMatchObject({ triton: 2, tritonClosed: 1, onnx: 1, onnxClosed: 1 });
  });

  it('whole mode: a build problem rejects the new table, serves the last good one, and releases what it made', async () => {
    const { n, configurator, store, builder } = setup();
    await configurator.apply([triton()], secrets({}), 'whole');
    const good = store.current();
    const broken = llmRoute('broken', {
      strategy: 'classifier',
      classifier: { triton: { endpoint: 'grpc://x:1', model: 'm', labels: ['x', 'y'] }, classes: { nope: 'a' }, default: 'b' },
    });
    const outcome = await configurator.apply([triton(), onnx(), broken], secrets({}), 'whole');
    expect(outcome.swapped).toBe(false);
    expect(outcome.problems[0]?.message).toContain('the classifier has no class "nope"');
    expect(store.current()).toBe(good);
    await new Promise((r) => setImmediate(r));
    expect(n).toMatchObject({ triton: 2, tritonClosed: 1, onnx: 1, onnxClosed: 1 });
    expect(builder.resources).toBe(1);
  });
});

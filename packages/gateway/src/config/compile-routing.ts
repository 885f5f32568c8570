import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseDuration, type LLMRoute, type Problem } from '@switchboard/api';
import { NativeSemanticIndex, type NativeRouter } from '@switchboard/native';
import { banditStrategy } from '../routing/bandit/strategy.js';
import { learningStore } from '../routing/bandit/store.js';
import { classifierStrategy, type ClassSource } from '../routing/classifier.js';
import { createStrategy, type Strategy } from '../routing/index.js';
import { predictiveStrategy, type PredictiveMember } from '../routing/predictive.js';
import { compileRule, withRules, type CompiledRule } from '../routing/rules.js';
import { semanticStrategy } from '../routing/semantic.js';
import { EmbeddingsClient } from '../routing/sources/embeddings.js';
import { OnnxClassifier } from '../routing/sources/onnx-classifier.js';
import { TritonClassifier } from '../routing/sources/triton-classifier.js';
import { thresholdStrategy } from '../routing/threshold.js';
import { calibrate, loadRouter, resolveRouterDir, routerNames, thresholdAtShare } from './routers.js';
import type { CompiledBackend, ProviderName } from './route-table.js';
import type { CompileContext } from './compile.js';
import type { RouteOrigin } from './secrets.js';

type Routing = NonNullable<LLMRoute['spec']['routing']>;

export interface RoutingScope {
  routeId: string;
  backends: readonly CompiledBackend[];
  origin: RouteOrigin;
  ctx: CompileContext;
  problems: Problem[];
}

const DEFAULT_SIDE_TIMEOUT_MS = 2000;

/**
 * `spec.routing` -> the route's Strategy: models loaded, utterances
 * embedded, thresholds calibrated and references checked now, so a bad
 * route is rejected at load with the reason, not at request time.
 */
export function compileRouting(routing: Routing | undefined, s: RoutingScope): Strategy | undefined {
  const name = routing?.strategy ?? 'priority';
  const at = `spec.routing.${name}`;
  let strategy: Strategy | undefined;
  try {
    switch (name) {
      case 'threshold':
        strategy = compileThreshold(routing?.threshold, routing?.embeddings, s);
        break;
      case 'classifier':
        strategy = compileClassifier(routing?.classifier, s);
        break;
      case 'semantic':
        strategy = compileSemantic(routing?.semantic, routing?.embeddings, s);
        break;
      case 'predictive':
        strategy = compilePredictive(routing?.predictive, s);
        break;
      case 'bandit':
        strategy = compileBandit(routing?.bandit ?? {}, s);
        break;
      case 'cascade':
        strategy = compileCascade(routing?.cascade ?? {}, s);
        break;
      default:
        strategy = createStrategy(name, s.backends);
        if (!strategy) s.problems.push({ path: 'spec.routing.strategy', message: `unknown strategy "${name}"` });
    }
  } catch (err) {
    s.problems.push({ path: at, message: (err as Error).message });
    return undefined;
  }
  if (!strategy || !routing?.rules?.length) return strategy;
  const rules: CompiledRule[] = [];
  routing.rules.forEach((r, i) => {
    const backend = backendNamed(r.backend, `spec.routing.rules[${i}].backend`, s);
    if (!backend) return;
    try {
      rules.push(compileRule(r, backend));
    } catch (err) {
      s.problems.push({ path: `spec.routing.rules[${i}]`, message: (err as Error).message });
    }
  });
  return withRules(rules, s.backends, strategy);
}

function backendNamed(name: string | undefined, path: string, s: RoutingScope): CompiledBackend | undefined {
  const b = s.backends.find((x) => x.name === name);
  if (!b) s.problems.push({ path, message: `"${name ?? ''}" is not a backend of this route`, reason: 'BackendNotFound' });
  return b;
}

function localPath(file: string, s: RoutingScope): string {
  return isAbsolute(file) || !s.origin.file ? file : resolve(s.origin.file, '..', file);
}

function timeoutMs(text: string | undefined): number {
  return text === undefined ? DEFAULT_SIDE_TIMEOUT_MS : parseDuration(text);
}

function embeddingsClient(cfg: Routing['embeddings'], s: RoutingScope): EmbeddingsClient {
  if (!cfg) throw new Error('the remote encoder needs the routing.embeddings block (an OpenAI-compatible /v1/embeddings server)');
  let apiKey: string | undefined;
  if (cfg.auth) {
    const resolved = s.ctx.secrets(cfg.auth, s.origin);
    if ('error' in resolved) throw new Error(`routing.embeddings.auth: ${resolved.error}`);
    apiKey = resolved.key;
  }
  return new EmbeddingsClient({
    endpoint: cfg.endpoint,
    model: cfg.model,
    apiKey,
    dimensions: cfg.dimensions,
    timeoutMs: timeoutMs(cfg.timeout),
  });
}

function loadNamedRouter(spec: string, s: RoutingScope): { dir: string; router: NativeRouter; info: RouterInfo } {
  const dir = resolveRouterDir(spec, s.origin.file, s.ctx.modelsDir);
  const router = (s.ctx.loadRouter ?? loadRouter)(dir);
  return { dir, router, info: JSON.parse(router.info) as RouterInfo };
}

interface RouterInfo {
  router: string;
  encoder: string;
  encoder_model?: string;
  strong: string;
  weak: string;
  models?: string[];
  classes?: string[];
  output_tokens?: number[];
  score_percentiles?: number[];
}

/** RouteLLM strong/weak: router loaded, pair checked, threshold calibrated. */
function compileThreshold(
  cfg: Routing['threshold'],
  embeddingsCfg: Routing['embeddings'],
  s: RoutingScope,
): Strategy | undefined {
  const path = 'spec.routing.threshold';
  if (!cfg) throw new Error('strategy threshold needs the routing.threshold block');
  const strong = s.backends.find((b) => b.name === cfg.strong);
  const weak = s.backends.find((b) => b.name === cfg.weak);
  if (!strong || !weak) {
    s.problems.push({
      path,
      message: 'routing.threshold.strong and routing.threshold.weak must name backends of this route',
      reason: 'BackendNotFound',
    });
    return undefined;
  }
  const loaded = loadNamedRouter(cfg.router, s);
  const { dir, info } = loaded;
  let router = loaded.router;
  if (cfg.strongModel !== undefined || cfg.weakModel !== undefined) {
    router = router.withPair(cfg.strongModel ?? info.strong, cfg.weakModel ?? info.weak);
  }
  const embeddings = info.encoder === 'remote' ? embeddingsClient(embeddingsCfg, s) : undefined;
  if (embeddings && info.encoder_model && info.encoder_model !== embeddings.config.model) {
    throw new Error(
      `router ${dir} was trained on "${info.encoder_model}" embeddings, but routing.embeddings.model is "${embeddings.config.model}"`,
    );
  }
  let threshold = cfg.threshold;
  if (threshold === undefined) {
    const share = cfg.targetStrongFraction as number;
    if (cfg.calibrationPrompts !== undefined) {
      if (embeddings)
        throw new Error('calibrationPrompts with a remote-encoder router: omit it to calibrate on the training prompts');
      threshold = calibrate(router, localPath(cfg.calibrationPrompts, s), share);
    } else if (info.score_percentiles?.length) {
      threshold = thresholdAtShare(info.score_percentiles, share);
    } else {
      throw new Error(`router ${dir} records no training-prompt scores (trained before they were kept): set calibrationPrompts`);
    }
  }
  return thresholdStrategy(s.backends, { strong, weak, router, threshold, routerNames: routerNames(dir, router), embeddings });
}

function compileClassifier(cfg: Routing['classifier'], s: RoutingScope): Strategy | undefined {
  if (!cfg) throw new Error('strategy classifier needs the routing.classifier block');
  const fallback = backendNamed(cfg.default, 'spec.routing.classifier.default', s);
  const classes = new Map<string, CompiledBackend>();
  for (const [label, name] of Object.entries(cfg.classes)) {
    const b = backendNamed(name, `spec.routing.classifier.classes.${label}`, s);
    if (b) classes.set(label, b);
  }
  let source: ClassSource;
  if (cfg.router !== undefined) {
    const { dir, router, info } = loadNamedRouter(cfg.router, s);
    if (!info.classes?.length) {
      throw new Error(`router ${dir} is not a label classifier (train it with --router classifier --labels FIELD)`);
    }
    if (info.encoder === 'remote')
      throw new Error('classifier routers with the remote encoder are not supported; use hashed or sentence');
    source = { labels: info.classes, classify: (text) => router.outputs(text) };
  } else if (cfg.onnx) {
    const model = localPath(cfg.onnx.model, s);
    const tokenizer = localPath(cfg.onnx.tokenizer, s);
    for (const f of [model, tokenizer]) if (!existsSync(f)) throw new Error(`routing.classifier.onnx: no file ${f}`);
    source = new OnnxClassifier(model, tokenizer, cfg.onnx.labels, cfg.onnx.maxTokens ?? 512);
  } else if (cfg.triton) {
    const t = cfg.triton;
    source = new TritonClassifier({
      endpoint: t.endpoint,
      model: t.model,
      input: t.input,
      output: t.output,
      labels: t.labels,
      timeoutMs: timeoutMs(t.timeout),
    });
  } else throw new Error('routing.classifier: set exactly one of router, onnx or triton');
  const unknown = [...classes.keys()].filter((c) => !source.labels.includes(c));
  if (unknown.length) {
    s.problems.push({
      path: 'spec.routing.classifier.classes',
      message: `the classifier has no class ${unknown.map((c) => `"${c}"`).join(', ')} (its classes: ${source.labels.join(', ')})`,
    });
  }
  if (!fallback) return undefined;
  return classifierStrategy(s.backends, { source, classes, fallback, minConfidence: cfg.minConfidence ?? 0 });
}

function compileSemantic(cfg: Routing['semantic'], embeddingsCfg: Routing['embeddings'], s: RoutingScope): Strategy | undefined {
  if (!cfg) throw new Error('strategy semantic needs the routing.semantic block');
  const routes = cfg.routes.map((r, i) => ({
    name: r.name,
    backend: backendNamed(r.backend, `spec.routing.semantic.routes[${i}].backend`, s),
    threshold: r.threshold ?? 0,
    utterances: r.utterances,
  }));
  const fallback =
    cfg.default !== undefined
      ? backendNamed(cfg.default, 'spec.routing.semantic.default', s)
      : [...s.backends].sort((a, b) => a.priority - b.priority)[0];
  if (!fallback || routes.some((r) => !r.backend)) return undefined;
  const utterances = routes.flatMap((r) => r.utterances);
  const routeOf = routes.flatMap((r, i) => r.utterances.map(() => i));
  const topK = cfg.topK ?? 3;
  const encoder = cfg.encoder ?? 'lexical';
  const resolved = routes.map((r) => ({ name: r.name, backend: r.backend as CompiledBackend, threshold: r.threshold }));
  if (encoder !== 'remote') {
    const index = NativeSemanticIndex.fromText(encoder, utterances, routeOf, routes.length, topK);
    return semanticStrategy(s.backends, { index, routes: resolved, fallback });
  }
  // Remote: utterance vectors are fetched once, before the route starts serving.
  const embeddings = embeddingsClient(embeddingsCfg, s);
  return deferred(
    'semantic',
    embeddings.embedAll(utterances).then((vectors) => {
      const dim = vectors[0]?.length ?? 0;
      const flat = new Float32Array(dim * vectors.length);
      vectors.forEach((v, i) => flat.set(v, i * dim));
      const index = NativeSemanticIndex.fromVectors(flat, dim, routeOf, routes.length, topK);
      return semanticStrategy(s.backends, { index, routes: resolved, fallback, embeddings });
    }),
    s.backends,
  );
}

/**
 * A strategy whose set-up is asynchronous (remote utterance embeddings):
 * requests wait for it; if it fails, they get the backends by priority.
 */
function deferred(name: string, ready: Promise<Strategy>, backends: readonly CompiledBackend[]): Strategy {
  const byPriority = [...backends].sort((a, b) => a.priority - b.priority);
  let strategy: Strategy | undefined;
  const settled = ready.then(
    (st) => (strategy = st),
    () => undefined,
  );
  return {
    name,
    rank(random, request) {
      if (strategy) return strategy.rank(random, request);
      return settled.then((st) => {
        if (!st) {
          if (request) request.decision = `${name}-unavailable`;
          return byPriority;
        }
        return st.rank(random, request);
      });
    },
  };
}

function compilePredictive(cfg: Routing['predictive'], s: RoutingScope): Strategy | undefined {
  if (!cfg) throw new Error('strategy predictive needs the routing.predictive block');
  const { dir, router, info } = loadNamedRouter(cfg.router, s);
  if (info.router !== 'predictive' || !info.models?.length) {
    throw new Error(`router ${dir} is not a predictive router (train it with --router predictive)`);
  }
  if (info.encoder === 'remote')
    throw new Error('predictive routers with the remote encoder are not supported; use hashed or sentence');
  const models = info.models;
  const members: PredictiveMember[] = [];
  for (const [backendName, model] of Object.entries(cfg.models)) {
    const backend = backendNamed(backendName, `spec.routing.predictive.models.${backendName}`, s);
    const index = models.indexOf(model);
    if (index < 0) {
      s.problems.push({
        path: `spec.routing.predictive.models.${backendName}`,
        message: `the router knows no model "${model}" (known: ${models.join(', ')})`,
      });
      continue;
    }
    if (backend) members.push({ backend, model: index, outputTokens: info.output_tokens?.[index] || (cfg.outputTokens ?? 256) });
  }
  if (!members.length) return undefined;
  return predictiveStrategy(s.backends, {
    router,
    members,
    lambdaCost: cfg.lambdaCost ?? 0,
    lambdaLatency: cfg.lambdaLatency ?? 0,
    maxCostPerRequest: cfg.maxCostPerRequest,
    allowedProviders: cfg.allowedProviders ? new Set(cfg.allowedProviders as ProviderName[]) : undefined,
  });
}

function compileBandit(cfg: NonNullable<Routing['bandit']>, s: RoutingScope): Strategy | undefined {
  const ev = cfg.evaluator;
  const evaluator = ev ? backendNamed(ev.backend, 'spec.routing.bandit.evaluator.backend', s) : undefined;
  if (ev && !evaluator) return undefined;
  if (evaluator && s.backends.length < 2)
    throw new Error('routing.bandit: besides the evaluator, at least one backend must serve requests');
  return banditStrategy(s.backends, {
    routeId: s.routeId,
    params: {
      algorithm: cfg.algorithm ?? 'thompson',
      epsilon: cfg.epsilon ?? 0.1,
      exploration: cfg.exploration ?? 1,
      learningRate: cfg.learningRate ?? 0.1,
    },
    weights: { quality: cfg.weights?.quality ?? 1, cost: cfg.weights?.cost ?? 0, latency: cfg.weights?.latency ?? 0 },
    defaultQuality: cfg.defaultQuality ?? 0.5,
    contextual: cfg.contextual ?? false,
    contextOf: cfg.contexts ? clusterOf(cfg.contexts) : undefined,
    store: learningStore,
    evaluator:
      evaluator && ev
        ? { backend: evaluator, sampleRate: ev.sampleRate ?? 1, timeoutMs: ev.timeout ? parseDuration(ev.timeout) : 30_000 }
        : undefined,
  });
}

/** The nearest prompt cluster by its utterances (a semantic index built now, queried natively per request). */
function clusterOf(contexts: NonNullable<NonNullable<Routing['bandit']>['contexts']>): (prompt: string) => string {
  const names = contexts.clusters.map((c) => c.name);
  const index = NativeSemanticIndex.fromText(
    contexts.encoder ?? 'lexical',
    contexts.clusters.flatMap((c) => c.utterances),
    contexts.clusters.flatMap((c, i) => c.utterances.map(() => i)),
    names.length,
    contexts.topK ?? 3,
  );
  return (prompt) => {
    const scores = index.scores(prompt);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
    return names[best] as string;
  };
}

function compileCascade(cfg: NonNullable<Routing['cascade']>, s: RoutingScope): Strategy | undefined {
  const price = (b: CompiledBackend) => b.inputPricePerToken + b.outputPricePerToken;
  const stages = cfg.stages
    ? cfg.stages.map((n, i) => backendNamed(n, `spec.routing.cascade.stages[${i}]`, s))
    : [...s.backends].filter((b) => b.name !== cfg.verifier).sort((a, b) => price(a) - price(b));
  const confidence = cfg.confidence ?? 'logprob';
  const verifier = cfg.verifier !== undefined ? backendNamed(cfg.verifier, 'spec.routing.cascade.verifier', s) : undefined;
  if (confidence === 'verifier' && cfg.verifier === undefined) {
    s.problems.push({ path: 'spec.routing.cascade.verifier', message: 'confidence verifier needs a verifier backend' });
    return undefined;
  }
  if (stages.some((b) => !b) || !stages.length) return undefined;
  const ordered = stages as CompiledBackend[];
  return {
    name: 'cascade',
    rank: () => ordered,
    cascade: { stages: ordered, confidence, minMeanLogprob: cfg.minMeanLogprob ?? -0.5, verifier },
  };
}

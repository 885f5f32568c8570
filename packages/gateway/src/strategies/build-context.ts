import type { LLMRoute } from '@switchboard/api';
import type { NativeRouter, NativeSemanticIndex, NativeTokenizer } from '@switchboard/native';
import type { LearningStore } from '../learning/store.js';
import { durationMs, type PlanScope } from '../plan/compile.js';
import type { RouteOrigin, SampleSinkPlan, StrategySettings } from '../plan/types.js';
import type { RouteFileKind, RouteFileScope } from '../runtime/route-files.js';
import type { SampleSink } from '../sampling/sink.js';
import type { ClassSource, OnnxClassifierConfig, TritonClassifierConfig } from '../sources/class-source.js';
import type { EmbeddingsClient, EmbeddingsConfig } from '../sources/embeddings.js';
import type { CompiledBackend } from '../table/backend.js';
import type { Runner } from '../table/route.js';
import type { Strategy } from '../table/strategy.js';

// What every strategy folder builds with: the shared layer below all of
// them (they import it, never the registry or each other).

export type Routing = NonNullable<LLMRoute['spec']['routing']>;
export type { ClassSource, OnnxClassifierConfig, TritonClassifierConfig };

/** Something a strategy holds that costs to make or must be closed: made once per plan, shared, closed when unused. */
export interface Resource<T> {
  value: T;
  /** May be async (a sink flushing its last records); the builder's close() waits for it. */
  close?(): void | Promise<void>;
}

/** Sample prompts, each with its conversation's turns (0: a single prompt), for `scoreMany`. */
export interface SamplePrompts {
  texts: string[];
  turns: number[];
}

/**
 * The ways a build reaches files, native code and the network, injected so
 * that tests count them (and so that compile never does any of it).
 */
export interface BuildFactories {
  loadTokenizer(spec: string): NativeTokenizer;
  /**
   * A router folder by name or path, checked as every file a route names
   * (runtime/route-files.ts: confined to the model folders in Kubernetes
   * mode); throws naming the places looked.
   */
  resolveRouterDir(spec: string, origin: RouteFileScope): string;
  loadRouter(dir: string): NativeRouter;
  /**
   * A file a route names -> its real path, checked (runtime/route-files.ts
   * routeFile): confined to the model folders in Kubernetes mode, a regular
   * file, within the kind's cap. `extraBases`: more folders a relative name
   * is looked for in.
   */
  routeFile(spec: string, scope: RouteFileScope, kind: RouteFileKind, extraBases?: readonly string[]): string;
  /** Sample prompts (JSON Lines with "prompt", or one per line) and their turns, from a file `BuildContext.file` checked. */
  readPrompts(file: string): SamplePrompts;
  /** A small text file `BuildContext.file` checked (a trained collaboration policy), at most `maxBytes`. */
  readText(path: string, maxBytes: number): string;
  semanticIndex(encoder: string, utterances: string[], routeOf: number[], routes: number, topK: number): NativeSemanticIndex;
  semanticIndexFromVectors(
    vectors: Float32Array,
    dim: number,
    routeOf: number[],
    routes: number,
    topK: number,
  ): NativeSemanticIndex;
  onnxClassifier(config: OnnxClassifierConfig): Promise<Resource<ClassSource>>;
  tritonClassifier(config: TritonClassifierConfig): Resource<ClassSource>;
  embeddings(config: EmbeddingsConfig): EmbeddingsClient;
  /** One non-streaming chat call to a backend outside any client request (an evaluator), through its transport. */
  ask: (backend: CompiledBackend, body: Record<string, unknown>, timeoutMs: number) => Promise<unknown>;
  /** Where bandit statistics and the feedback ledger live. */
  learning: LearningStore;
  /** A prompt sampling sink (file or Redis stream), shared by every route and table with the same plan; absent: sampling is refused. */
  sampleSink?: ((plan: SampleSinkPlan) => Resource<SampleSink>) | undefined;
  /** For strategies' own side errors (a failing classifier, an evaluator): logged, never fatal. */
  onError(err: Error, what: string): void;
}

/** What one route's strategy build may use. */
export interface BuildContext {
  routeId: string;
  backends: readonly CompiledBackend[];
  origin: RouteOrigin;
  factories: BuildFactories;
  /** The backend named `name` (the plan checked it exists). */
  backend(name: string): CompiledBackend;
  /** A problem that rejects the route (a missing file, a model that does not fit the route). */
  problem(path: string, message: string, reason?: string): void;
  /**
   * A resource shared by every route and table whose plan asks for the same
   * `key`: made once, and closed when no table in use holds it any more.
   */
  resource<T>(key: unknown, make: () => Resource<T> | Promise<Resource<T>>): Promise<T>;
  /**
   * A file the route names -> its real path (runtime/route-files.ts):
   * relative to the route file's folder (standalone), or confined to the
   * operator's model folders (Kubernetes mode); a regular file within the
   * kind's cap. Throws a RouteFileError whose message never quotes content.
   */
  file(spec: string, kind: RouteFileKind): string;
}

/** A strategy, and for strategies that run requests themselves (cascade), their runner. */
export interface BuiltStrategy {
  strategy: Strategy;
  runner?: Runner;
}

/**
 * One strategy's two halves: plan (pure: `spec.routing` -> settings, or
 * undefined with problems recorded) and build (settings -> live strategy, or
 * undefined with problems recorded; a thrown error is a problem too).
 */
export interface StrategyModule<S extends StrategySettings = StrategySettings> {
  readonly kind: string;
  plan(routing: Routing | undefined, scope: PlanScope): S | undefined;
  build(settings: S, ctx: BuildContext): BuiltStrategy | undefined | Promise<BuiltStrategy | undefined>;
}

/** Checks at plan time that `name` is a backend of the route; records a BackendNotFound problem when not. */
export function planBackend(scope: PlanScope, name: string | undefined, path: string): string | undefined {
  if (name !== undefined && scope.backends.some((b) => b.name === name)) return name;
  scope.problems.push({ path, message: `"${name ?? ''}" is not a backend of this route`, reason: 'BackendNotFound' });
  return undefined;
}

/** A duration of a side call (embeddings, classifier), in milliseconds; default 2 s. */
export const DEFAULT_SIDE_TIMEOUT_MS = 2000;

/** The routing.embeddings block, its key resolved: what the remote encoder calls. */
export function planEmbeddings(routing: Routing | undefined, scope: PlanScope): EmbeddingsConfig | undefined {
  const cfg = routing?.embeddings;
  if (!cfg) return undefined;
  let apiKey: string | undefined;
  if (cfg.auth) {
    const resolved = scope.secrets(cfg.auth, scope.origin);
    if ('error' in resolved) {
      scope.problems.push({
        path: 'spec.routing.embeddings.auth',
        message: resolved.error,
        ...(resolved.reason ? { reason: resolved.reason } : {}),
      });
      return undefined;
    }
    apiKey = resolved.key;
  }
  return {
    endpoint: cfg.endpoint,
    model: cfg.model,
    apiKey,
    dimensions: cfg.dimensions,
    timeoutMs: durationOr(scope, 'spec.routing.embeddings.timeout', cfg.timeout, DEFAULT_SIDE_TIMEOUT_MS),
  };
}

/** A duration field at plan time (problem when invalid). */
export function durationOr(scope: PlanScope, path: string, text: string | undefined, fallback: number): number {
  return durationMs(scope.problems, path, text, fallback);
}

import type { V1Secret } from '@kubernetes/client-node';
import { formatProblem, LLMROUTE_API_VERSION, LLMROUTE_KIND, validateLLMRoute, type Problem } from '@switchboard/api';
import type { Configurator, RouteSource, SecretResolver } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { readCredentials, referencedSecrets } from './credentials.js';
import { byAge, routeId, type LLMRouteObject } from './llmroute-object.js';
import { podModelDirs } from './pod-files.js';
import type { ScopedReflectors } from './scoped-reflectors.js';
import { splitSecretName, type SecretExistence } from './secret-existence.js';

/** What reconciling made of one route, for its status. */
export interface ReconciledRoute {
  /** metadata.generation the outcome was computed from. */
  generation: number | undefined;
  /** Problems from validation and compilation; empty when the route is fine. */
  problems: Problem[];
  /** The route is in the table the gateway serves. */
  programmed: boolean;
}

export interface RouteReconcilerOptions {
  routes: Pick<ScopedReflectors<LLMRouteObject>, 'values'>;
  secrets: Pick<ScopedReflectors<V1Secret>, 'get'>;
  existence: Pick<SecretExistence, 'existing'>;
  configurator: Pick<Configurator, 'apply'>;
  /** The pod's allow-listed environment and files. */
  podCredentials: SecretResolver;
  /**
   * The folders every file a route names must resolve inside (router
   * folders, policies, calibration prompts, ONNX models, tokenizers);
   * default podModelDirs(): SWITCHBOARD_MODELS and ./models.
   */
  modelDirs?: readonly string[] | undefined;
  log: Logger;
}

type Checked = { ok: true; source: RouteSource } | { ok: false; problems: Problem[] };

/**
 * LLMRoutes and the credentials they name -> `Configurator.apply`, like
 * Envoy AI Gateway's ai_gateway_route.go: a deleted route is simply absent
 * from the next apply; a bad one is left out alone ('per-route'). When the
 * routes (uid, generation, age) and what their credentials resolved to are
 * those of the last clean apply, nothing is applied: status writes, relists
 * and events of unrelated Secrets cost a cache read.
 */
export class RouteReconciler {
  readonly #opts: RouteReconcilerOptions;
  readonly #modelDirs: readonly string[];
  #outcomes: ReadonlyMap<string, ReconciledRoute> = new Map();
  /** Validation by uid and generation: a spec is only checked once. */
  #checked = new Map<string, Checked>();
  #lastInputs = '';

  constructor(opts: RouteReconcilerOptions) {
    this.#opts = opts;
    this.#modelDirs = opts.modelDirs ?? podModelDirs();
  }

  /** Every reflected route's outcome as of the last apply. */
  outcomes(): ReadonlyMap<string, ReconciledRoute> {
    return this.#outcomes;
  }

  /** Resolves true when it applied a configuration, false when nothing had changed. */
  async reconcile(): Promise<boolean> {
    const objects = this.#opts.routes.values().sort(byAge);
    const validated = new Map<string, Checked>();
    const checked = objects.map((o) => [o, this.#check(o, validated)] as const);
    this.#checked = validated;
    const sources = checked.flatMap(([, c]) => (c.ok ? [c.source] : []));
    const referenced = referencedSecrets(sources);
    const missing = referenced.filter((n) => !this.#opts.secrets.get(...splitSecretName(n)));
    const unlabelled = await this.#opts.existence.existing(missing);
    const { resolver, digest } = readCredentials(sources, {
      secret: (ns, name) => this.#opts.secrets.get(ns, name),
      unlabelled,
      pod: this.#opts.podCredentials,
    });
    const inputs = JSON.stringify([
      objects.map((o) => [routeId(o), o.metadata.uid, o.metadata.generation, String(o.metadata.creationTimestamp)]),
      digest,
    ]);
    if (inputs === this.#lastInputs) return false;

    const result = await this.#opts.configurator.apply(sources, resolver, 'per-route');
    const programmed = new Set(result.table.routes.map((r) => r.id));
    this.#outcomes = new Map(
      checked.map(([o, c]) => {
        const id = routeId(o);
        const problems = c.ok ? (result.problemsByRoute.get(id) ?? []) : c.problems;
        return [id, { generation: o.metadata.generation, problems, programmed: programmed.has(id) }];
      }),
    );
    // A rejected route may be rejected for a passing reason (a build step); the next event tries again.
    this.#lastInputs = result.rejected.length ? '' : inputs;
    if (result.swapped) this.#logApplied(result, checked);
    return true;
  }

  /** Validates a route, or reuses the last pass's answer for the same uid and generation; records it in `into`. */
  #check(o: LLMRouteObject, into: Map<string, Checked>): Checked {
    // Without uid and generation (never from the API server) nothing says the spec is unchanged.
    const key = o.metadata.uid && o.metadata.generation !== undefined ? `${o.metadata.uid}/${o.metadata.generation}` : undefined;
    const known = key && this.#checked.get(key);
    if (known) {
      into.set(key, known);
      return known;
    }
    const checked = validateLLMRoute({
      apiVersion: LLMROUTE_API_VERSION,
      kind: LLMROUTE_KIND,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
      spec: structuredClone(o.spec),
    });
    // Route authors do not own the pod's filesystem: every file the route names stays in the model folders.
    const result: Checked = checked.ok
      ? { ok: true, source: { route: checked.route, confineTo: this.#modelDirs } }
      : { ok: false, problems: checked.problems };
    if (key) into.set(key, result);
    return result;
  }

  #logApplied(
    result: Awaited<ReturnType<Configurator['apply']>>,
    checked: readonly (readonly [LLMRouteObject, Checked])[],
  ): void {
    const { log } = this.#opts;
    for (const p of result.problems) log.warn({ problem: formatProblem(p) }, 'LLMRoute rejected');
    for (const [o, c] of checked) {
      if (!c.ok) for (const p of c.problems) log.warn({ route: routeId(o), problem: formatProblem(p) }, 'LLMRoute invalid');
    }
    log.info(
      { routes: result.table.routes.length, rejected: result.rejected.length, version: result.table.version },
      'route table updated',
    );
  }
}

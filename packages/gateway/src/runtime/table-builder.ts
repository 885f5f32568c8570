import type { Problem } from '@switchboard/api';
import { claimRouterNames } from '../plan/router-names.js';
import { stableHash } from '../plan/hash.js';
import type { BackendPlan, RouteOrigin, RoutePlan, TablePlan } from '../plan/types.js';
import { compileChatTemplate } from '../providers/triton/chat-template.js';
import type { BuildContext, BuildFactories, Resource } from '../strategies/build-context.js';
import { buildSampler } from '../sampling/build.js';
import { buildStrategy } from '../strategies/registry.js';
import type { CompiledBackend, ProviderSettings } from '../table/backend.js';
import type { CompiledRoute, RouteTable } from '../table/route.js';
import { ResourcePool } from './resources.js';
import { ROUTE_FILE_LIMITS, RouteFileError } from './route-files.js';

/** A built table and what it cost: the plan's problems plus the build's, by route. */
export interface BuildResult {
  table: RouteTable;
  problemsByRoute: Map<string, Problem[]>;
  /** Problems of rejected routes (plan and build), each message prefixed with the route id. */
  problems: Problem[];
  rejected: string[];
}

interface Held {
  /** Adopted tables (served or draining) that contain the route. */
  tables: number;
  /** Pool keys of the resources the route holds. */
  keys: string[];
}

/**
 * RoutePlan -> RouteTable, through injected factories (files, native code,
 * network). A route whose plan hash is unchanged is not rebuilt: the new
 * table holds the very same route object. Resources are shared by plan
 * (ResourcePool), and released once no adopted table holds the routes that
 * use them — after the requests holding a replaced table are done, which
 * the table store reports (`retire`). Remote work (utterance embeddings)
 * finishes before build() returns, so a table is never served half-built.
 */
export class TableBuilder {
  readonly #pool = new ResourcePool();
  readonly #held = new Map<CompiledRoute, Held>();
  readonly #byHash = new Map<string, CompiledRoute>();

  constructor(private readonly factories: BuildFactories) {}

  async build(plan: TablePlan, version: number): Promise<BuildResult> {
    const problemsByRoute = new Map(plan.problemsByRoute);
    const problems = [...plan.problems];
    const rejected = [...plan.rejected];
    const built = await Promise.all(plan.routes.map((r) => this.#route(r)));
    const loaded: { plan: RoutePlan; route: CompiledRoute }[] = [];
    const reject = (rp: RoutePlan, routeProblems: Problem[]) => {
      problemsByRoute.set(rp.id, routeProblems);
      rejected.push(rp.id);
      for (const p of routeProblems) problems.push({ ...p, message: `route ${rp.id}: ${p.message}`, ...fileOf(rp) });
    };
    built.forEach((result, i) => {
      const rp = plan.routes[i] as RoutePlan;
      if ('problems' in result) reject(rp, result.problems);
      else loaded.push({ plan: rp, route: result.route });
    });
    // `router-<name>-<t>` is claimed like a model name, in the plan's order, once the routers name themselves.
    const claims = claimRouterNames(
      loaded.map(({ plan: rp, route }) => ({
        id: rp.id,
        modelNames: route.modelNames,
        explicitModelNames: route.modelNames.join() !== rp.id.slice(rp.id.indexOf('/') + 1),
        routerNames: route.strategy.routerNames ?? [],
      })),
    );
    const routes: CompiledRoute[] = [];
    const byModel = new Map<string, CompiledRoute>();
    const byId = new Map<string, CompiledRoute>();
    for (const { plan: rp, route } of loaded) {
      const conflicts = claims.rejected.get(rp.id);
      if (conflicts) {
        reject(rp, conflicts);
        // Built for nothing: what it alone holds is released (a table being served may hold it still).
        const held = this.#held.get(route);
        if (held && held.tables <= 0) this.#drop(route, held);
        continue;
      }
      // Served without the alias an earlier route claimed: the problem is the route's status, not a rejection.
      const lost = claims.withheld.get(rp.id);
      if (lost)
        problemsByRoute.set(
          rp.id,
          lost.map((p) => ({ ...p, ...fileOf(rp) })),
        );
      routes.push(route);
      byId.set(rp.id, route);
      for (const model of route.modelNames) byModel.set(model, route);
    }
    const byRouterName = new Map<string, CompiledRoute>();
    for (const [name, id] of claims.owners) {
      const route = byId.get(id);
      if (route) byRouterName.set(name, route);
    }
    return { table: { version, byModel, byRouterName, routes }, problemsByRoute, problems, rejected };
  }

  /** The table is being served: its routes (and their resources) stay. */
  adopt(table: RouteTable): void {
    for (const route of table.routes) {
      const held = this.#held.get(route);
      if (held) held.tables++;
    }
  }

  /** A replaced table has no request left: routes no other adopted table holds let go of their resources. */
  retire(table: RouteTable): void {
    for (const route of table.routes) {
      const held = this.#held.get(route);
      if (held && --held.tables <= 0) this.#drop(route, held);
    }
  }

  /** A built table that will not be served (its folder was rejected): what it alone made is released. */
  discard(table: RouteTable): void {
    for (const route of table.routes) {
      const held = this.#held.get(route);
      if (held && held.tables <= 0) this.#drop(route, held);
    }
  }

  /** Process shutdown: every resource closed (sampling sinks flushed), whatever table still holds it. */
  async close(): Promise<void> {
    this.#held.clear();
    this.#byHash.clear();
    await this.#pool.closeAll();
  }

  /** Resolves once the resources being closed are closed (tests). */
  settled(): Promise<void> {
    return this.#pool.settled();
  }

  /** Resources alive (tests count them). */
  get resources(): number {
    return this.#pool.size;
  }

  #drop(route: CompiledRoute, held: Held): void {
    this.#held.delete(route);
    if (this.#byHash.get(route.planHash) === route) this.#byHash.delete(route.planHash);
    for (const key of held.keys) this.#pool.release(key);
  }

  async #route(plan: RoutePlan): Promise<{ route: CompiledRoute } | { problems: Problem[] }> {
    const same = this.#byHash.get(plan.hash);
    if (same) return { route: same };
    const problems: Problem[] = [];
    const keys: string[] = [];
    const backends = plan.backends
      .map((b, i) => this.#backend(b, plan.origin, `spec.backends[${i}]`, problems))
      .filter((b): b is CompiledBackend => b !== undefined);
    if (problems.length) return { problems };
    const ctx = this.#context(plan, backends, problems, keys);
    let built;
    try {
      built = await buildStrategy(plan.strategy, ctx);
    } catch (err) {
      problems.push({ path: `spec.routing.${plan.strategy.kind}`, message: (err as Error).message, ...reasonOf(err) });
    }
    const sampler = built && plan.sampling ? await buildSampler(plan.sampling, ctx) : undefined;
    if (problems.length || !built) {
      for (const key of keys) this.#pool.release(key);
      return { problems };
    }
    const route: CompiledRoute = {
      id: plan.id,
      modelNames: plan.modelNames,
      backends,
      strategy: built.strategy,
      runner: built.runner,
      timeouts: plan.timeouts,
      resilience: { ...plan.resilience, retryOn: new Set(plan.resilience.retryOn) },
      limits: plan.limits,
      reserveOutputTokens: plan.reserveOutputTokens,
      sampler,
      planHash: plan.hash,
    };
    this.#held.set(route, { tables: 0, keys });
    this.#byHash.set(plan.hash, route);
    return { route };
  }

  #context(plan: RoutePlan, backends: readonly CompiledBackend[], problems: Problem[], keys: string[]): BuildContext {
    const byName = new Map(backends.map((b) => [b.name, b]));
    return {
      routeId: plan.id,
      backends,
      origin: plan.origin,
      factories: this.factories,
      backend: (name) => {
        const b = byName.get(name);
        if (!b) throw new Error(`"${name}" is not a backend of this route`);
        return b;
      },
      problem: (path, message, reason) => problems.push({ path, message, ...(reason ? { reason } : {}) }),
      resource: async <T>(key: unknown, make: () => Resource<T> | Promise<Resource<T>>) => {
        const k = stableHash(key);
        const value = await this.#pool.hold(k, make);
        keys.push(k);
        return value;
      },
      file: (spec, kind) => this.factories.routeFile(spec, plan.origin, kind),
    };
  }

  /**
   * An encoding name as it is; a tokenizer.json (a name ending in .json, as
   * the native loader tells them apart) checked as every file a route names,
   * looked for next to the route file and then in the working directory.
   */
  #tokenizerSpec(spec: string, origin: RouteOrigin): string {
    if (!spec.endsWith('.json')) return spec;
    const kind = { what: 'tokenizer', maxBytes: ROUTE_FILE_LIMITS.tokenizer };
    return this.factories.routeFile(spec, origin, kind, [process.cwd()]);
  }

  #backend(b: BackendPlan, origin: RouteOrigin, path: string, problems: Problem[]): CompiledBackend | undefined {
    let tokenizer;
    try {
      tokenizer = this.factories.loadTokenizer(this.#tokenizerSpec(b.tokenizer, origin));
    } catch (err) {
      problems.push({ path: `${path}.tokenizer`, message: (err as Error).message, ...reasonOf(err) });
      return undefined;
    }
    let settings: ProviderSettings;
    if (b.settings.kind === 'triton') {
      try {
        settings = { kind: 'triton', chatTemplate: compileChatTemplate(b.settings.chatTemplate) };
      } catch (err) {
        problems.push({ path: `${path}.chatTemplate`, message: `invalid Jinja template: ${(err as Error).message}` });
        return undefined;
      }
    } else settings = b.settings;
    return {
      ...b,
      baseUrl: new URL(b.baseUrl),
      tokenizer,
      capabilities: new Set(b.capabilities),
      settings,
    };
  }
}

/** A route file's refusal carries its status reason (FileNotAllowed). */
const reasonOf = (err: unknown): { reason?: string } =>
  err instanceof RouteFileError && err.reason ? { reason: err.reason } : {};

const fileOf = (plan: RoutePlan): { file?: string } => (plan.origin.file ? { file: plan.origin.file } : {});

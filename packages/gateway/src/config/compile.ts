import { parseDuration, type Backend, type LLMRoute, type Problem } from '@switchboard/api';
import type { NativeRouter, NativeTokenizer } from '@switchboard/native';
import { compileChatTemplate, isTemplateSpec, type ChatTemplate } from '../providers/triton/chat-template.js';
import { compileRouting } from './compile-routing.js';
import type { CompiledBackend, CompiledRoute, ResilienceConfig, RetryOn, RouteTable, TimeoutsMs } from './route-table.js';
import type { RouteOrigin, SecretResolver } from './secrets.js';

export interface RouteSource {
  route: LLMRoute;
  /** File the route came from (standalone mode), for messages and relative paths. */
  file?: string;
}

export interface CompileContext {
  secrets: SecretResolver;
  loadTokenizer: (spec: string) => NativeTokenizer;
  /** Learned routers by folder; the default loads (and caches) from disk. */
  loadRouter?: (dir: string) => NativeRouter;
  /** Where `router: NAME` is looked up (default ./models). */
  modelsDir?: string;
  version: number;
}

export interface CompileResult {
  table: RouteTable;
  /** Every route's problems by id (empty list = accepted), for status conditions. */
  problemsByRoute: Map<string, Problem[]>;
  /** Problems of rejected routes; each carries the route id in `path`'s prefix message. */
  problems: Problem[];
  /** Ids (`namespace/name`) of routes left out of the table. */
  rejected: string[];
}

export const DEFAULT_TIMEOUTS: TimeoutsMs = { connect: 10_000, firstToken: 60_000, idle: 60_000, total: 600_000 };
/** What a request without max_tokens is assumed to write, per choice, until its usage is known. */
export const DEFAULT_RESERVE_OUTPUT_TOKENS = 4096;
const ALL_RETRY_ON: RetryOn[] = ['connect-error', 'reset', '5xx', '429', 'timeout'];

/**
 * LLMRoutes -> RouteTable. Pure apart from the injected secret resolver and
 * tokenizer loader, so standalone mode and the controller share it and it is
 * tested without a cluster. Routes are considered in order: when two claim
 * the same model name, the earlier keeps it and the later is rejected.
 * A rejected route is left out whole; the caller decides whether that
 * rejects the table (standalone) or only the route (controller).
 */
export function compileRoutes(sources: readonly RouteSource[], ctx: CompileContext): CompileResult {
  const byModel = new Map<string, CompiledRoute>();
  const routes: CompiledRoute[] = [];
  const problems: Problem[] = [];
  const rejected: string[] = [];
  const seenIds = new Set<string>();
  const problemsByRoute = new Map<string, Problem[]>();

  for (const source of sources) {
    const id = routeId(source.route);
    const withFile = (p: Omit<Problem, 'file'>): Problem => (source.file ? { ...p, file: source.file } : p);
    const routeProblems: Problem[] = [];
    if (seenIds.has(id)) {
      routeProblems.push({ path: 'metadata.name', message: `route ${id} is defined more than once` });
    }
    seenIds.add(id);
    const modelNames = source.route.spec.modelNames ?? [source.route.metadata.name];
    modelNames.forEach((model, i) => {
      const owner = byModel.get(model);
      if (owner) {
        routeProblems.push({
          path: source.route.spec.modelNames ? `spec.modelNames[${i}]` : 'metadata.name',
          message: `model name "${model}" is already served by route ${owner.id}`,
          reason: 'ModelNameConflict',
        });
      }
    });
    const compiled = compileRoute(source, id, modelNames, ctx, routeProblems);
    problemsByRoute.set(id, routeProblems);
    if (routeProblems.length || !compiled) {
      rejected.push(id);
      for (const p of routeProblems) problems.push(withFile({ ...p, message: `route ${id}: ${p.message}` }));
      continue;
    }
    routes.push(compiled);
    for (const model of modelNames) byModel.set(model, compiled);
  }
  return { table: { version: ctx.version, byModel, routes }, problems, rejected, problemsByRoute };
}

export function routeId(route: LLMRoute): string {
  return `${route.metadata.namespace ?? 'default'}/${route.metadata.name}`;
}

function compileRoute(
  source: RouteSource,
  id: string,
  modelNames: readonly string[],
  ctx: CompileContext,
  problems: Problem[],
): CompiledRoute | undefined {
  const { spec } = source.route;
  const origin = { file: source.file, namespace: source.route.metadata.namespace ?? 'default' };
  const backends = spec.backends
    .map((b, i) => compileBackend(b, `spec.backends[${i}]`, origin, ctx, problems))
    .filter((b): b is CompiledBackend => b !== undefined);
  const timeouts = compileTimeouts(source.route, problems);
  const resilience = compileResilience(source.route, problems);
  const strategy = problems.length ? undefined : compileRouting(spec.routing, { routeId: id, backends, origin, ctx, problems });
  if (problems.length || !strategy) {
    strategy?.close?.();
    return undefined;
  }
  const { reserveOutputTokens = DEFAULT_RESERVE_OUTPUT_TOKENS, ...rates } = spec.limits ?? {};
  const limits = rates.requestsPerMinute || rates.tokensPerMinute ? rates : undefined;
  return { id, modelNames, backends, strategy, timeouts, resilience, limits, reserveOutputTokens };
}

function compileBackend(
  b: Backend,
  path: string,
  origin: RouteOrigin,
  ctx: CompileContext,
  problems: Problem[],
): CompiledBackend | undefined {
  let apiKey: string | undefined;
  if (b.auth) {
    const resolved = ctx.secrets(b.auth, origin);
    if ('error' in resolved) {
      problems.push({ path: `${path}.auth`, message: resolved.error, ...(resolved.reason ? { reason: resolved.reason } : {}) });
    } else apiKey = resolved.key;
  }
  let tokenizer: NativeTokenizer | undefined;
  try {
    tokenizer = ctx.loadTokenizer(b.tokenizer ?? 'o200k_base');
  } catch (err) {
    problems.push({ path: `${path}.tokenizer`, message: (err as Error).message });
  }
  let baseUrl: URL | undefined;
  const endpoint = b.endpoint ?? serviceUrl(b.serviceRef, origin.namespace);
  if (endpoint === undefined) {
    problems.push({ path, message: `backend ${b.name}: set exactly one of endpoint or serviceRef` });
  } else {
    try {
      baseUrl = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
    } catch {
      problems.push({ path: `${path}.endpoint`, message: `invalid URL "${endpoint}"` });
    }
  }
  if (baseUrl?.protocol.startsWith('grpc') && b.provider !== 'triton') {
    problems.push({
      path: `${path}.endpoint`,
      message: `${baseUrl.protocol}// endpoints speak the KServe v2 gRPC protocol, which only provider "triton" uses (got provider "${b.provider}")`,
    });
    baseUrl = undefined;
  }
  let chatTemplate: ChatTemplate | undefined;
  if (b.chatTemplate !== undefined && !isTemplateSpec(b.chatTemplate)) {
    problems.push({
      path: `${path}.chatTemplate`,
      message: `unknown template "${b.chatTemplate.slice(0, 40)}" (known: llama-3, mistral, chatml, or a Jinja template)`,
    });
  } else {
    try {
      chatTemplate = compileChatTemplate(b.chatTemplate);
    } catch (err) {
      problems.push({ path: `${path}.chatTemplate`, message: `invalid Jinja template: ${(err as Error).message}` });
    }
  }
  if (!tokenizer || !baseUrl || !chatTemplate) return undefined;
  return {
    name: b.name,
    provider: b.provider,
    baseUrl,
    model: b.model,
    apiKey,
    inputPricePerToken: (b.cost?.inputPerMillionTokens ?? 0) / 1e6,
    outputPricePerToken: (b.cost?.outputPerMillionTokens ?? 0) / 1e6,
    contextWindow: b.contextWindow,
    priority: b.priority ?? 0,
    weight: b.weight ?? 1,
    tokenizer,
    chatTemplate,
    capabilities: new Set(b.capabilities ?? (b.provider === 'triton' ? [] : ['tools', 'images', 'json-mode'])),
    headers: b.headers ?? {},
    apiVersion: b.apiVersion,
    maxOutputTokens: b.maxOutputTokens,
    maxConcurrency: b.maxConcurrency,
    maxQueue: b.maxQueue ?? 64,
  };
}

function compileResilience(route: LLMRoute, problems: Problem[]): ResilienceConfig {
  const r = route.spec.resilience ?? {};
  const duration = (path: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    try {
      const ms = parseDuration(text);
      if (ms > 0) return ms;
      problems.push({ path, message: 'must be greater than zero' });
    } catch (err) {
      problems.push({ path, message: (err as Error).message });
    }
    return fallback;
  };
  const o = r.outlierDetection ?? {};
  const at = 'spec.resilience.outlierDetection';
  const outlier = {
    consecutiveFailures: o.consecutiveFailures ?? 5,
    failureRate: o.failureRate ?? 0.5,
    minRequests: o.minRequests ?? 20,
    windowMs: duration(`${at}.window`, o.window, 30_000),
    baseEjectionMs: duration(`${at}.baseEjectionTime`, o.baseEjectionTime, 30_000),
    maxEjectionMs: duration(`${at}.maxEjectionTime`, o.maxEjectionTime, 300_000),
  };
  if (outlier.maxEjectionMs < outlier.baseEjectionMs) {
    problems.push({ path: `${at}.maxEjectionTime`, message: 'must not be shorter than baseEjectionTime' });
  }
  const hc = r.healthCheck;
  return {
    retryOn: new Set(r.retryOn ?? ALL_RETRY_ON),
    maxAttempts: r.maxAttempts ?? 3,
    retryBudget: { ratio: r.retryBudget?.ratio ?? 0.2, minRetriesPerSecond: r.retryBudget?.minRetriesPerSecond ?? 10 },
    outlier,
    healthCheck: hc
      ? {
          intervalMs: duration('spec.resilience.healthCheck.interval', hc.interval, 10_000),
          timeoutMs: duration('spec.resilience.healthCheck.timeout', hc.timeout, 2_000),
          path: hc.path?.replace(/^\//, ''),
        }
      : undefined,
  };
}

function compileTimeouts(route: LLMRoute, problems: Problem[]): TimeoutsMs {
  const given = route.spec.resilience?.timeouts ?? {};
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof TimeoutsMs)[]) {
    const text = given[key];
    if (text === undefined) continue;
    try {
      const ms = parseDuration(text);
      if (ms <= 0) throw new Error(`must be greater than zero`);
      out[key] = ms;
    } catch (err) {
      problems.push({ path: `spec.resilience.timeouts.${key}`, message: (err as Error).message });
    }
  }
  return out;
}

/** A Service reference as its cluster DNS URL: scheme://name.namespace.svc:port/path. */
function serviceUrl(ref: Backend['serviceRef'], routeNamespace: string): string | undefined {
  if (!ref) return undefined;
  return `${ref.scheme ?? 'http'}://${ref.name}.${ref.namespace ?? routeNamespace}.svc:${ref.port}${ref.path ?? ''}`;
}

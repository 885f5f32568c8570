import { parseDuration, type Backend, type LLMRoute, type Problem } from '@switchboard/api';
import { ANTHROPIC_DEFAULT_VERSION } from '../providers/anthropic/index.js';
import { DEFAULT_MAX_TOKENS as ANTHROPIC_DEFAULT_MAX_TOKENS } from '../providers/anthropic/request.js';
import { AZURE_DEFAULT_API_VERSION } from '../providers/azure-openai/index.js';
import { isTemplateSpec } from '../providers/triton/chat-template.js';
import { TRITON_DEFAULT_MAX_TOKENS } from '../providers/triton/index.js';
import type { RetryOn, TimeoutsMs } from '../table/backend.js';
import { stableHash } from './hash.js';
import { planSampling, type SamplingFiles } from './sampling.js';
import { originOf, type ResolvedSecrets, type RouteSource } from './secrets.js';
import type {
  BackendPlan,
  ProviderSettingsPlan,
  ResiliencePlan,
  RouteOrigin,
  RoutePlan,
  StrategyPlan,
  TablePlan,
} from './types.js';

type Routing = NonNullable<LLMRoute['spec']['routing']>;

/** What a strategy's plan() sees of its route. */
export interface PlanScope {
  routeId: string;
  backends: readonly BackendPlan[];
  origin: RouteOrigin;
  secrets: ResolvedSecrets;
  /** Problems found (each rejects the route). */
  problems: Problem[];
}

/** Turns `spec.routing` into the strategy's plan; the strategies' registry provides it. */
export type RoutingPlanner = (routing: Routing | undefined, scope: PlanScope) => StrategyPlan | undefined;

/** How the deployment constrains what routes may do (the same for every route of a gateway). */
export interface CompileOptions {
  /** Where sampling.file may write; default `paths` (standalone). */
  samplingFiles?: SamplingFiles;
}

export const DEFAULT_TIMEOUTS: TimeoutsMs = { connect: 10_000, firstToken: 60_000, idle: 60_000, total: 600_000 };
/** What a request without max_tokens is assumed to write, per choice, until its usage is known. */
const DEFAULT_RESERVE_OUTPUT_TOKENS = 4096;
const ALL_RETRY_ON: RetryOn[] = ['connect-error', 'reset', '5xx', '429', 'timeout'];
const PROVIDER_MAX_OUTPUT: Partial<Record<Backend['provider'], number>> = {
  anthropic: ANTHROPIC_DEFAULT_MAX_TOKENS,
  triton: TRITON_DEFAULT_MAX_TOKENS,
};

const routeId = (route: LLMRoute): string => `${route.metadata.namespace ?? 'default'}/${route.metadata.name}`;

/**
 * LLMRoutes (and their keys, already read) -> the table's plan: data only,
 * no file, native or network work, so standalone mode and the controller
 * share it and it is table-tested. Routes are considered in order: when two
 * claim the same model name, the earlier keeps it and the later is
 * rejected. A rejected route is left out whole; the caller decides whether
 * that rejects the table (standalone) or only the route (controller).
 */
export function compileRoutes(
  sources: readonly RouteSource[],
  secrets: ResolvedSecrets,
  planRouting: RoutingPlanner,
  options: CompileOptions = {},
): TablePlan {
  const claimed = new Map<string, string>();
  const routes: RoutePlan[] = [];
  const problems: Problem[] = [];
  const rejected: string[] = [];
  const seenIds = new Set<string>();
  const problemsByRoute = new Map<string, Problem[]>();

  for (const source of sources) {
    const id = routeId(source.route);
    const routeProblems: Problem[] = [];
    if (seenIds.has(id)) routeProblems.push({ path: 'metadata.name', message: `route ${id} is defined more than once` });
    seenIds.add(id);
    const modelNames = source.route.spec.modelNames ?? [source.route.metadata.name];
    modelNames.forEach((model, i) => {
      const owner = claimed.get(model);
      if (owner) {
        routeProblems.push({
          path: source.route.spec.modelNames ? `spec.modelNames[${i}]` : 'metadata.name',
          message: `model name "${model}" is already served by route ${owner}`,
          reason: 'ModelNameConflict',
        });
      }
    });
    const plan = planRoute(source, id, modelNames, secrets, planRouting, options, routeProblems);
    problemsByRoute.set(id, routeProblems);
    if (routeProblems.length || !plan) {
      rejected.push(id);
      for (const p of routeProblems) problems.push(withFile(source, { ...p, message: `route ${id}: ${p.message}` }));
      continue;
    }
    routes.push(plan);
    for (const model of modelNames) claimed.set(model, id);
  }
  return { routes, problems, rejected, problemsByRoute, fingerprint: stableHash(routes.map((r) => r.hash)) };
}

const withFile = (source: RouteSource, p: Problem): Problem => (source.file ? { ...p, file: source.file } : p);

function planRoute(
  source: RouteSource,
  id: string,
  modelNames: string[],
  secrets: ResolvedSecrets,
  planRouting: RoutingPlanner,
  options: CompileOptions,
  problems: Problem[],
): RoutePlan | undefined {
  const { spec } = source.route;
  const origin = originOf(source);
  const backends = spec.backends
    .map((b, i) => planBackend(b, `spec.backends[${i}]`, origin, secrets, problems))
    .filter((b): b is BackendPlan => b !== undefined);
  const timeouts = planTimeouts(source.route, problems);
  const resilience = planResilience(source.route, problems);
  const sampling = planSampling(spec.sampling, origin, secrets, options.samplingFiles ?? { kind: 'paths' }, problems);
  if (problems.length) return undefined;
  const strategy = planRouting(spec.routing, { routeId: id, backends, origin, secrets, problems });
  if (problems.length || !strategy) return undefined;
  const { reserveOutputTokens = DEFAULT_RESERVE_OUTPUT_TOKENS, ...rates } = spec.limits ?? {};
  const limits = rates.requestsPerMinute || rates.tokensPerMinute ? rates : undefined;
  const plan = { id, modelNames, origin, backends, strategy, timeouts, resilience, limits, reserveOutputTokens, sampling };
  return { ...plan, hash: stableHash(plan) };
}

function providerSettings(b: Backend): ProviderSettingsPlan {
  switch (b.provider) {
    case 'azure-openai':
      return { kind: 'azure-openai', apiVersion: b.apiVersion ?? AZURE_DEFAULT_API_VERSION };
    case 'anthropic':
      return { kind: 'anthropic', apiVersion: b.apiVersion ?? ANTHROPIC_DEFAULT_VERSION };
    case 'triton':
      return { kind: 'triton', chatTemplate: b.chatTemplate };
    default:
      return { kind: 'openai' };
  }
}

function planBackend(
  b: Backend,
  path: string,
  origin: RouteOrigin,
  secrets: ResolvedSecrets,
  problems: Problem[],
): BackendPlan | undefined {
  let apiKey: string | undefined;
  if (b.auth) {
    const resolved = secrets(b.auth, origin);
    if ('error' in resolved) {
      problems.push({ path: `${path}.auth`, message: resolved.error, ...(resolved.reason ? { reason: resolved.reason } : {}) });
    } else apiKey = resolved.key;
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
  const grpc = baseUrl?.protocol === 'grpc:' || baseUrl?.protocol === 'grpcs:';
  if (grpc && b.provider !== 'triton') {
    problems.push({
      path: `${path}.endpoint`,
      message: `${baseUrl?.protocol ?? ''}// endpoints speak the KServe v2 gRPC protocol, which only provider "triton" uses (got provider "${b.provider}")`,
    });
    return undefined;
  }
  if (b.chatTemplate !== undefined && !isTemplateSpec(b.chatTemplate)) {
    problems.push({
      path: `${path}.chatTemplate`,
      message: `unknown template "${b.chatTemplate.slice(0, 40)}" (known: llama-3, mistral, chatml, or a Jinja template)`,
    });
  }
  if (!baseUrl) return undefined;
  const input = (b.cost?.inputPerMillionTokens ?? 0) / 1e6;
  return {
    name: b.name,
    provider: b.provider,
    transport: grpc ? 'grpc' : 'http',
    baseUrl: baseUrl.href,
    model: b.model,
    apiKey,
    inputPricePerToken: input,
    cachedInputPricePerToken:
      b.cost?.cachedInputPerMillionTokens !== undefined ? b.cost.cachedInputPerMillionTokens / 1e6 : input,
    cacheWritePricePerToken:
      b.cost?.cacheWriteInputPerMillionTokens !== undefined ? b.cost.cacheWriteInputPerMillionTokens / 1e6 : input,
    outputPricePerToken: (b.cost?.outputPerMillionTokens ?? 0) / 1e6,
    contextWindow: b.contextWindow,
    priority: b.priority ?? 0,
    weight: b.weight ?? 1,
    tokenizer: b.tokenizer ?? 'o200k_base',
    capabilities: b.capabilities ?? (b.provider === 'triton' ? [] : ['tools', 'images', 'json-mode']),
    headers: b.headers ?? {},
    maxOutputTokens: b.maxOutputTokens ?? PROVIDER_MAX_OUTPUT[b.provider],
    maxConcurrency: b.maxConcurrency,
    maxQueue: b.maxQueue ?? 64,
    settings: providerSettings(b),
  };
}

/**
 * The longest duration a route may set: Node's timers hold 2^31 - 1 ms
 * (about 24.8 days) and fire after 1 ms when given more, which turned a
 * health check meant as "rarely" into a thousand probes a second.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * A duration field in milliseconds, or the fallback (a bad one is a
 * problem): above zero (or `minMs`) and at most MAX_DURATION_MS.
 */
export function durationMs(problems: Problem[], path: string, text: string | undefined, fallback: number, minMs = 0): number {
  if (text === undefined) return fallback;
  try {
    const ms = parseDuration(text);
    if (ms > MAX_DURATION_MS) problems.push({ path, message: `must be at most ${MAX_DURATION_MS} ms (about 596h)` });
    else if (minMs > 0 && ms < minMs) problems.push({ path, message: `must be at least ${minMs} ms` });
    else if (ms > 0) return ms;
    else problems.push({ path, message: 'must be greater than zero' });
  } catch (err) {
    problems.push({ path, message: (err as Error).message });
  }
  return fallback;
}

/** The shortest health-check interval: each backend of each route is probed by every gateway process. */
const MIN_HEALTH_CHECK_INTERVAL_MS = 1000;

function planResilience(route: LLMRoute, problems: Problem[]): ResiliencePlan {
  const r = route.spec.resilience ?? {};
  const o = r.outlierDetection ?? {};
  const at = 'spec.resilience.outlierDetection';
  const outlier = {
    consecutiveFailures: o.consecutiveFailures ?? 5,
    failureRate: o.failureRate ?? 0.5,
    minRequests: o.minRequests ?? 20,
    windowMs: durationMs(problems, `${at}.window`, o.window, 30_000),
    baseEjectionMs: durationMs(problems, `${at}.baseEjectionTime`, o.baseEjectionTime, 30_000),
    maxEjectionMs: durationMs(problems, `${at}.maxEjectionTime`, o.maxEjectionTime, 300_000),
  };
  if (outlier.maxEjectionMs < outlier.baseEjectionMs) {
    problems.push({ path: `${at}.maxEjectionTime`, message: 'must not be shorter than baseEjectionTime' });
  }
  const hc = r.healthCheck;
  return {
    retryOn: r.retryOn ?? ALL_RETRY_ON,
    maxAttempts: r.maxAttempts ?? 3,
    retryBudget: { ratio: r.retryBudget?.ratio ?? 0.2, minRetriesPerSecond: r.retryBudget?.minRetriesPerSecond ?? 10 },
    outlier,
    healthCheck: hc
      ? {
          intervalMs: durationMs(
            problems,
            'spec.resilience.healthCheck.interval',
            hc.interval,
            10_000,
            MIN_HEALTH_CHECK_INTERVAL_MS,
          ),
          timeoutMs: durationMs(problems, 'spec.resilience.healthCheck.timeout', hc.timeout, 2_000),
          path: hc.path?.replace(/^\//, ''),
        }
      : undefined,
  };
}

function planTimeouts(route: LLMRoute, problems: Problem[]): TimeoutsMs {
  const given = route.spec.resilience?.timeouts ?? {};
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof TimeoutsMs)[]) {
    out[key] = durationMs(problems, `spec.resilience.timeouts.${key}`, given[key], DEFAULT_TIMEOUTS[key]);
  }
  return out;
}

/** A Service reference as its cluster DNS URL: scheme://name.namespace.svc:port/path. */
function serviceUrl(ref: Backend['serviceRef'], routeNamespace: string): string | undefined {
  if (!ref) return undefined;
  return `${ref.scheme ?? 'http'}://${ref.name}.${ref.namespace ?? routeNamespace}.svc:${ref.port}${ref.path ?? ''}`;
}

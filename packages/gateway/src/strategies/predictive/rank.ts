import type { NativeRouter } from '@switchboard/native';
import type { CompiledBackend, ProviderName } from '../../table/backend.js';
import type { CallOutcome, RankRequest, Strategy } from '../../table/strategy.js';

export interface PredictiveMember {
  backend: CompiledBackend;
  /** Index of the backend's model in the router's outputs. */
  model: number;
  /** Expected answer length in tokens (the router's per-model mean, or the route's default). */
  outputTokens: number;
}

export interface PredictiveConfig {
  router: NativeRouter;
  members: readonly PredictiveMember[];
  lambdaCost: number;
  lambdaLatency: number;
  maxCostPerRequest: number | undefined;
  allowedProviders: ReadonlySet<ProviderName> | undefined;
}

/** `x-switchboard-preference: cost=0.5,latency=0.1` -> weights that replace the route's. */
export function parsePreference(header: string | undefined): { cost?: number; latency?: number } {
  const out: { cost?: number; latency?: number } = {};
  if (!header) return out;
  for (const part of header.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) continue;
    if (k === 'cost') out.cost = n;
    else if (k === 'latency') out.latency = n;
  }
  return out;
}

/** Smoothing of observed latency: each answer moves the estimate 20 % of the way. */
const EWMA = 0.2;

/**
 * Tryage: the request's one native call predicts every backend's quality on
 * the prompt; each backend's utility is quality - lambdaCost * expected cost
 * - lambdaLatency * expected latency, where expected cost uses the native
 * prompt token count, the backend's prices and the predicted answer length,
 * and expected latency is what the gateway has observed. Constraints
 * (max cost, providers) remove backends first. Backends ranked by utility;
 * backends without a model in the router follow as failover.
 */
export function predictiveStrategy(backends: readonly CompiledBackend[], cfg: PredictiveConfig): Strategy {
  const latency = new Map<string, number>();
  const others = backends.filter((b) => !cfg.members.some((m) => m.backend === b)).sort((a, b) => a.priority - b.priority);
  return {
    name: 'predictive',
    router: { native: cfg.router, reads: 'outputs' },
    rank(_random, request: RankRequest) {
      const pref = parsePreference(request.header('x-switchboard-preference'));
      const lambdaCost = pref.cost ?? cfg.lambdaCost;
      const lambdaLatency = pref.latency ?? cfg.lambdaLatency;
      const quality = request.routerOutputs();
      const maxOut = request.maxOutputTokens;
      const scored: { backend: CompiledBackend; utility: number }[] = [];
      const ex = request.explain;
      if (ex) ex.note('weights', { lambdaCost, lambdaLatency, maxCostPerRequest: cfg.maxCostPerRequest ?? null });
      for (const m of cfg.members) {
        const b = m.backend;
        if (cfg.allowedProviders && !cfg.allowedProviders.has(b.provider)) {
          ex?.backend(b.name, { excluded: 'provider not allowed' });
          continue;
        }
        const out = maxOut > 0 ? Math.min(maxOut, m.outputTokens) : m.outputTokens;
        const cost = request.promptTokens(b) * b.inputPricePerToken + out * b.outputPricePerToken;
        const q = quality[m.model] ?? 0;
        ex?.backend(b.name, { predictedQuality: q, expectedCost: cost, expectedOutputTokens: out });
        if (cfg.maxCostPerRequest !== undefined && cost > cfg.maxCostPerRequest) {
          ex?.backend(b.name, { excluded: 'over maxCostPerRequest' });
          continue;
        }
        const seconds = (latency.get(b.name) ?? 0) / 1000;
        const utility = q - lambdaCost * cost - lambdaLatency * seconds;
        ex?.backend(b.name, { expectedLatencyMs: seconds * 1000, utility });
        scored.push({ backend: b, utility });
      }
      scored.sort((a, b) => b.utility - a.utility);
      const best = scored[0];
      if (!best) {
        request.decision = 'no-backend-within-constraints';
        return others;
      }
      request.decision = best.backend.name;
      request.score = best.utility;
      const chosen = new Set(scored.map((s) => s.backend));
      return [...scored.map((s) => s.backend), ...others.filter((b) => !chosen.has(b))];
    },
    observe(outcome: CallOutcome) {
      const prev = latency.get(outcome.backend);
      latency.set(outcome.backend, prev === undefined ? outcome.latencyMs : prev + EWMA * (outcome.latencyMs - prev));
    },
  };
}

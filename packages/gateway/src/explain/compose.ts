import type { LimitPreview } from '../limits/admission.js';
import type { Candidate, SkipReason } from '../proxy/candidates.js';
import type { HealthState } from '../resilience/backend-health.js';
import type { RouteState } from '../resilience/route-states.js';
import type { Capability, CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import type { Random, RankRequest } from '../table/strategy.js';
import type { DecisionExplainer } from './explainer.js';
import { firstChances } from './probabilities.js';

/** One backend as the decision saw it. */
export interface BackendExplanation {
  name: string;
  provider: string;
  model: string;
  priority: number;
  weight: number;
  /** Place in the order the gateway would try (1 = chosen); null when health or fit removed it. */
  rank: number | null;
  skipped: SkipReason | null;
  health: HealthState;
  ejections: number;
  concurrency: { active: number; queued: number; max: number | null; free: boolean };
  promptTokens: number;
  contextWindow: number | null;
  /** Capabilities the request needs that this backend lacks (tools, images, json-mode). */
  missing: Capability[];
  /** Prices per million tokens; null when the backend has none. */
  prices: { input: number; output: number } | null;
  /** The prompt's cost here, and the most the answer may add (max_tokens, or what a reservation assumes). */
  cost: { prompt: number; upTo: number };
  /** The strategy's figures: score, predicted quality, expected cost, utility, similarity, bandit statistics. */
  figures: Readonly<Record<string, number | string | boolean>>;
  /** priority and weighted: the chance this backend is the one tried first. */
  chanceFirst?: number;
}

export interface ExplainInput {
  route: CompiledRoute;
  model: string;
  endpoint: string;
  rank: RankRequest;
  /** The random source the request would use (a runner's plan may draw from it). */
  random: Random;
  explainer: DecisionExplainer;
  state: RouteState;
  pending: readonly Candidate[];
  needs: readonly Capability[];
  /** The limits that apply, read from the store; 'unavailable' when the store cannot be read. */
  limits: LimitPreview[] | 'unavailable' | undefined;
  /** The strategy asked a model (remote embeddings, a classifier) to decide. */
  asked: boolean;
  outputTokens: (b: CompiledBackend) => number;
  now: number;
}

/** The answer of POST /v1/route/explain. */
export function composeExplanation(x: ExplainInput) {
  const { route, rank, explainer } = x;
  const chosen = x.pending[0]?.backend.name ?? null;
  const checked = Array.isArray(x.limits) ? x.limits : [];
  const limitsAdmit = checked.every((l) => l.admits);
  const { rules, ...notes } = explainer.notes;
  return {
    object: 'route.explanation',
    route: route.id,
    model: x.model,
    endpoint: x.endpoint,
    strategy: route.strategy.name,
    rules: rules ?? [],
    decision: rank.decision ?? null,
    score: rank.score ?? null,
    notes,
    chosen,
    ranking: explainer.ranking,
    skipped: explainer.skipped,
    runner: route.runner?.describe?.(rank, x.random) ?? null,
    limits: { admitted: limitsAdmit, checked, storeUnavailable: x.limits === 'unavailable' },
    outcome: outcomeOf(chosen, limitsAdmit, route),
    askedModel: x.asked,
    calledBackends: false,
    backends: route.backends.map((b) => explainBackend(x, b)),
  };
}

function outcomeOf(chosen: string | null, limitsAdmit: boolean, route: CompiledRoute): string {
  if (!limitsAdmit) return 'refused: a rate limit or budget would not admit this request (429)';
  if (!chosen) return 'no backend could take it (the request would fail)';
  return route.runner ? `the stages would be called from ${chosen}, as the runner describes` : `sent to ${chosen} first`;
}

function explainBackend(x: ExplainInput, b: CompiledBackend): BackendExplanation {
  const state = x.state.backends.get(b.name);
  const at = x.pending.findIndex((p) => p.backend === b);
  const skipped = x.explainer.skipped.find((s) => s.backend === b.name)?.reason ?? null;
  const max = b.maxConcurrency ?? null;
  const active = state?.limit.active ?? 0;
  const promptTokens = x.rank.promptTokens(b);
  const priced = b.inputPricePerToken > 0 || b.outputPricePerToken > 0;
  const prompt = promptTokens * b.inputPricePerToken;
  const out: BackendExplanation = {
    name: b.name,
    provider: b.provider,
    model: b.model,
    priority: b.priority,
    weight: b.weight,
    rank: at >= 0 ? at + 1 : null,
    skipped,
    health: state?.health.state(x.now) ?? 'healthy',
    ejections: state?.health.ejections ?? 0,
    concurrency: { active, queued: state?.limit.queued ?? 0, max, free: max === null || active < max },
    promptTokens,
    contextWindow: b.contextWindow ?? null,
    missing: x.needs.filter((n) => !b.capabilities.has(n)),
    prices: priced ? { input: b.inputPricePerToken * 1e6, output: b.outputPricePerToken * 1e6 } : null,
    cost: { prompt, upTo: prompt + x.outputTokens(b) * b.outputPricePerToken },
    figures: x.explainer.figures.get(b.name) ?? {},
  };
  const chance = firstChances(x.route.strategy.name, x.route.backends)?.get(b.name);
  if (chance !== undefined) out.chanceFirst = chance;
  return out;
}

import type { FeedbackRecord, LearningStore } from '../../learning/store.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { CallOutcome, Strategy } from '../../table/strategy.js';
import { firstOf } from '../common/first-of.js';
import { automatonUpdate, chooseArm, reward, type BanditParams, type RewardWeights } from './algorithms.js';

/** Asks a backend once, outside any client request (the evaluator's rating), through its transport. */
export type AskBackend = (backend: CompiledBackend, body: Record<string, unknown>, timeoutMs: number) => Promise<unknown>;

export interface BanditConfig {
  routeId: string;
  params: BanditParams;
  weights: RewardWeights;
  defaultQuality: number;
  contextual: boolean;
  /** contextual: the prompt's cluster (nearest `contexts` utterances); absent = prompt-length buckets. */
  contextOf?: ((prompt: string) => string) | undefined;
  store: LearningStore;
  /** An LLM judge scoring answers in place of client feedback. */
  evaluator?: { backend: CompiledBackend; sampleRate: number; timeoutMs: number; ask: AskBackend } | undefined;
  random?: () => number;
  onError?: (err: Error) => void;
}

const JUDGE_SYSTEM =
  'You rate answers. Reply with one number from 0 (useless or wrong) to 10 (correct, complete and helpful), nothing else.';

/** The evaluator's rating of one answer, as a quality in [0, 1]. */
async function judge(
  ask: AskBackend,
  backend: CompiledBackend,
  prompt: string,
  answer: string,
  timeoutMs: number,
): Promise<number> {
  const reply = (await ask(
    backend,
    {
      model: backend.model,
      messages: [
        { role: 'system', content: JUDGE_SYSTEM },
        { role: 'user', content: `Question:\n${prompt}\n\nAnswer:\n${answer}\n\nRating (0-10):` },
      ],
      max_tokens: 4,
      temperature: 0,
    },
    timeoutMs,
  )) as { choices?: { message?: { content?: unknown } }[] };
  const content = reply.choices?.[0]?.message?.content;
  const m = /\d+(?:\.\d+)?/.exec(typeof content === 'string' ? content : '');
  if (!m) throw new Error(`evaluator ${backend.name} gave no rating`);
  return Math.min(1, Math.max(0, Number(m[0]) / 10));
}

/** Prompt-length context for contextual learners: short / medium / long prompts. */
function lengthBucket(tokens: number): string {
  return tokens < 200 ? 'short' : tokens < 2000 ? 'medium' : 'long';
}

/**
 * PickLLM: the backend is an arm; every answered request is a reward
 * (quality, cost, latency) and the policy (epsilon-greedy, UCB1, Thompson
 * sampling, or the learning automaton) picks the next arm. Answers count
 * with the default quality at once; POST /v1/feedback later replaces it by
 * the real score. The automaton, a reward-inaction scheme, learns from
 * feedback only (a default quality would reinforce whatever it picked).
 * Contextual learners keep one set of statistics per context: the matched
 * rule, the nearest prompt cluster, or the prompt-length bucket.
 */
export function banditStrategy(all: readonly CompiledBackend[], cfg: BanditConfig): Strategy {
  // The evaluator judges; it is not one of the arms.
  const backends = all.filter((b) => b !== cfg.evaluator?.backend);
  const first = firstOf(backends);
  const random = cfg.random ?? Math.random;
  const armOf = new Map(backends.map((b, i) => [b.name, i]));
  const key = (context: string) => `${cfg.routeId}|${context}`;
  const strategy: Strategy = {
    name: 'bandit',
    rank(random, request) {
      let context = '';
      if (cfg.contextual) {
        const b = backends[0] as CompiledBackend;
        context = request.context ?? (cfg.contextOf ? cfg.contextOf(request.prompt()) : lengthBucket(request.promptTokens(b)));
      }
      const state = cfg.store.state(key(context), backends.length);
      const arm = chooseArm(state, cfg.params, random);
      const backend = backends[arm] as CompiledBackend;
      request.decision = backend.name;
      request.context = context;
      return first(backend);
    },
    observe(outcome: CallOutcome) {
      const arm = armOf.get(outcome.backend);
      if (arm === undefined) return;
      const store = cfg.store;
      store.state(key(outcome.context), backends.length);
      const r = reward(cfg.weights, cfg.defaultQuality, outcome.cost, outcome.latencyMs / 1000);
      store.addReward(key(outcome.context), arm, r);
      const { texts, ...record } = outcome;
      store.remember({ ...record, routeId: cfg.routeId, reward: r });
      const ev = cfg.evaluator;
      if (ev && texts && random() < ev.sampleRate) {
        const { prompt, answer } = texts();
        judge(ev.ask, ev.backend, prompt, answer, ev.timeoutMs).then(
          (quality) => strategy.feedback?.({ ...record, reward: r } as FeedbackRecord, quality),
          (err: unknown) => cfg.onError?.(err as Error),
        );
      }
    },
    feedback(outcome: CallOutcome, quality: number) {
      const arm = armOf.get(outcome.backend);
      if (arm === undefined) return;
      const store = cfg.store;
      const k = key(outcome.context);
      const state = store.state(k, backends.length);
      const before =
        (outcome as FeedbackRecord).reward ?? reward(cfg.weights, cfg.defaultQuality, outcome.cost, outcome.latencyMs / 1000);
      const after = reward(cfg.weights, quality, outcome.cost, outcome.latencyMs / 1000);
      store.correctReward(k, arm, before, after);
      if (cfg.params.algorithm === 'automaton') {
        // beta in [0, 1]: the reward in quality units.
        const beta = cfg.weights.quality > 0 ? after / cfg.weights.quality : 0;
        store.setProbs(k, automatonUpdate(state.probs, arm, beta, cfg.params.learningRate));
      }
    },
  };
  return strategy;
}

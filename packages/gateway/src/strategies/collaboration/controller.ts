import { GatewayError } from '../../errors.js';
import type { LearningStore } from '../../learning/store.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RankRequest } from '../../table/strategy.js';
import { chooseArm, type BanditParams } from '../bandit/algorithms.js';
import {
  estimatePlan,
  makePlan,
  overBudget,
  parseClientPlan,
  rolesFor,
  summary,
  type Budget,
  type Mode,
  type Plan,
  type PlanEstimate,
  type PlanShape,
} from './plans.js';
import type { Role } from './prompts.js';

/** Easy, medium or hard: the prompt's difficulty, from a router's score or its length. */
export type Difficulty = 'easy' | 'medium' | 'hard';

/** An offline-trained policy: the plan (by key) per `task/difficulty` context. */
export interface PlanPolicy {
  choices: Readonly<Record<string, string>>;
}

export interface ControllerConfig {
  routeId: string;
  backends: readonly CompiledBackend[];
  /** Fixed mode, or auto. */
  mode: Mode | 'auto';
  modes: readonly Mode[];
  agents: number;
  rounds: number;
  minSuccessful: number | undefined;
  roles: readonly Role[];
  judge: CompiledBackend;
  synthesizer: CompiledBackend;
  budget: Budget;
  /** The prompt's task class (nearest class by utterances). */
  taskOf: (prompt: string) => string;
  /** The prompt's difficulty in [0, 1] from the route's difficulty router, when it has one. */
  scoreOf: ((request: RankRequest) => number) | undefined;
  easyBelow: number;
  hardAbove: number;
  learning: { params: BanditParams; store: LearningStore } | undefined;
  policy: PlanPolicy | undefined;
  allowClientPlans: boolean;
  /** Output tokens a call is expected to write when the request sets no max_tokens. */
  defaultOutputTokens: number;
}

/** The controller's decision for one request. */
export interface Choice {
  plan: Plan;
  /** `task/difficulty`: where learning keeps its statistics. */
  context: string;
  estimate: PlanEstimate;
  /** How it was chosen: fixed, client, policy, learned, prior. */
  by: 'fixed' | 'client' | 'policy' | 'learned' | 'prior';
}

/** A choice as POST /v1/route/explain shows it: the plan, its team, who chose it and what it may use. */
export function describeChoice({ plan, by, context, estimate }: Choice): Readonly<Record<string, unknown>> {
  const judged = plan.mode === 'reflection' || plan.mode === 'debate' || plan.mode === 'fusion';
  return {
    plan: plan.key,
    mode: plan.mode,
    agents: plan.agents.map((a) => ({ role: a.role.name, backend: a.backend.name })),
    ...(judged ? { judge: plan.judge.name } : {}),
    ...(plan.mode === 'fusion' ? { synthesizer: plan.synthesizer.name } : {}),
    ...(plan.mode === 'reflection' || plan.mode === 'debate' ? { rounds: plan.rounds } : {}),
    chosenBy: by,
    context,
    estimate,
    summary: summary(plan),
  };
}

/**
 * The built-in preference, before any learning: for each task and
 * difficulty the plans tried in order, the first that fits the budget
 * wins. Easy prompts get one cheap call; hard ones a team.
 */
const PRIOR: Record<string, Record<Difficulty, string[]>> = {
  code: {
    easy: ['single:1:cheap', 'single:1:strong'],
    medium: ['reflection:1:cheap', 'single:1:strong', 'cot:1:cheap'],
    hard: ['fusion:3:mixed', 'reflection:1:strong', 'single:1:strong'],
  },
  math: {
    easy: ['cot:1:cheap', 'single:1:cheap'],
    medium: ['cot:1:strong', 'reflection:1:cheap', 'cot:1:cheap'],
    hard: ['debate:3:mixed', 'fusion:3:mixed', 'cot:1:strong'],
  },
  general: {
    easy: ['single:1:cheap'],
    medium: ['single:1:strong', 'chain:2:mixed', 'single:1:cheap'],
    hard: ['fusion:3:mixed', 'single:1:strong'],
  },
};

/** The prior's plans for a context, most preferred first (a task without its own row: general's). */
export function priorPlans(task: string, level: Difficulty): readonly string[] {
  return PRIOR[task]?.[level] ?? PRIOR.general![level];
}

/** Without a difficulty router the prompt's length stands in (longer prompts are harder, on average). */
export function lengthDifficulty(promptTokens: number): Difficulty {
  return promptTokens < 64 ? 'easy' : promptTokens < 512 ? 'medium' : 'hard';
}

/**
 * MasRouter's cascade of decisions at gateway scale: per request, the mode,
 * the number of agents, their roles and each agent's backend — as one of a
 * fixed set of candidate plans (modes x team sizes x backend assignments),
 * so that plans can be learned as arms. Plans over the budget are never
 * chosen. Order of authority: a fixed mode, then the client's plan (when
 * allowed), then an offline policy, then online learning, then the prior.
 */
export class CollaborationController {
  /** Every candidate plan per task class (roles depend on the task), in a stable order. */
  readonly #candidates = new Map<string, Plan[]>();
  readonly #byName: ReadonlyMap<string, CompiledBackend>;

  constructor(private readonly cfg: ControllerConfig) {
    this.#byName = new Map(cfg.backends.map((b) => [b.name, b]));
  }

  /** Candidate plans for a task, in the order learning numbers its arms. */
  candidates(task: string): Plan[] {
    let plans = this.#candidates.get(task);
    if (plans) return plans;
    const { cfg } = this;
    const roles = rolesFor(task, cfg.roles);
    const shapes: PlanShape[] = [];
    const modes = cfg.mode === 'auto' ? cfg.modes : [cfg.mode];
    for (const mode of modes) {
      // auto also considers a team of two; a fixed mode runs the team the route sets.
      const sizes =
        mode === 'single' || mode === 'cot' || mode === 'reflection'
          ? [1]
          : cfg.mode === 'auto'
            ? [...new Set([2, cfg.agents])]
            : [cfg.agents];
      const assignments = cfg.mode === 'auto' ? (['cheap', 'strong', 'mixed'] as const) : (['mixed'] as const);
      for (const agents of sizes)
        for (const assignment of assignments)
          shapes.push({ mode, agents, assignment, rounds: cfg.rounds, minSuccessful: cfg.minSuccessful });
    }
    // Shapes that come to the same team (one agent without a preferred backend: mixed = cheap) are one plan.
    const seen = new Set<string>();
    plans = [];
    for (const shape of shapes) {
      const plan = makePlan(shape, roles, cfg.backends, cfg.judge, cfg.synthesizer, this.#byName);
      const team = `${plan.mode}|${plan.agents.map((a) => `${a.role.name}@${a.backend.name}`).join(',')}`;
      if (!seen.has(team)) plans.push(plan);
      seen.add(team);
    }
    this.#candidates.set(task, plans);
    return plans;
  }

  difficulty(request: RankRequest): Difficulty {
    const { cfg } = this;
    if (cfg.scoreOf) {
      const score = cfg.scoreOf(request);
      request.score = score;
      return score < cfg.easyBelow ? 'easy' : score > cfg.hardAbove ? 'hard' : 'medium';
    }
    return lengthDifficulty(request.promptTokens(cfg.backends[0] as CompiledBackend));
  }

  choose(request: RankRequest, random: () => number): Choice {
    const { cfg } = this;
    const task = cfg.taskOf(request.prompt());
    const level = this.difficulty(request);
    const context = `${task}/${level}`;
    const plans = this.candidates(task);
    const output = (b: CompiledBackend) => request.maxOutputTokens || b.maxOutputTokens || cfg.defaultOutputTokens;
    // Each candidate is estimated once per request (the prompt's tokens are counted once per tokenizer).
    const estimates = new Map<Plan, PlanEstimate>();
    const estimate = (p: Plan) => {
      let e = estimates.get(p);
      if (!e) estimates.set(p, (e = estimatePlan(p, (b) => request.promptTokens(b), output)));
      return e;
    };
    const fits = (p: Plan) => overBudget(estimate(p), cfg.budget) === undefined;
    const choice = (plan: Plan, by: Choice['by']): Choice => ({ plan, context, estimate: estimate(plan), by });

    const asked = cfg.allowClientPlans ? request.header('x-switchboard-collaboration') : undefined;
    if (asked !== undefined) return this.#clientPlan(asked, task, estimate, context);
    if (cfg.mode !== 'auto') {
      const plan = plans[0] as Plan;
      const over = overBudget(estimate(plan), cfg.budget);
      if (over) throw budgetError(cfg.routeId, plan, over);
      return choice(plan, 'fixed');
    }
    const feasible = plans.filter(fits);
    if (!feasible.length) {
      const cheapest = plans.reduce((a, b) => (estimate(a).cost <= estimate(b).cost ? a : b));
      throw budgetError(cfg.routeId, cheapest, overBudget(estimate(cheapest), cfg.budget) ?? 'over budget');
    }
    const policyKey = cfg.policy?.choices[context];
    const fromPolicy = policyKey !== undefined ? feasible.find((p) => p.key === policyKey) : undefined;
    if (fromPolicy) return choice(fromPolicy, 'policy');
    const prior = this.#prior(task, level, feasible);
    if (cfg.learning) {
      // Arms are all candidates (stable numbering); the choice is among the feasible ones, the prior's first.
      const state = cfg.learning.store.state(this.key(context), plans.length);
      const order = [prior, ...feasible.filter((p) => p !== prior)];
      const sub = { arms: order.map((p) => state.arms[plans.indexOf(p)]!), probs: order.map(() => 1 / order.length) };
      return choice(order[chooseArm(sub, cfg.learning.params, random)] as Plan, 'learned');
    }
    return choice(prior, 'prior');
  }

  /** The learning statistics' key for a context. */
  key(context: string): string {
    return `${this.cfg.routeId}|collaboration|${context}`;
  }

  /** The arm of a plan key within a task's candidates. */
  arm(task: string, planKey: string): number {
    return this.candidates(task).findIndex((p) => p.key === planKey);
  }

  #prior(task: string, level: Difficulty, feasible: Plan[]): Plan {
    for (const key of priorPlans(task, level)) {
      const plan = feasible.find((p) => p.key === key);
      if (plan) return plan;
    }
    // Nothing preferred fits: the cheapest plan that does.
    return feasible[0] as Plan;
  }

  #clientPlan(header: string, task: string, estimate: (p: Plan) => PlanEstimate, context: string): Choice {
    const { cfg } = this;
    const shape = parseClientPlan(header);
    if (typeof shape === 'string') {
      throw new GatewayError(400, 'invalid_request_error', `x-switchboard-collaboration: ${shape}.`, {
        code: 'invalid_collaboration_plan',
        param: 'x-switchboard-collaboration',
      });
    }
    const plan = makePlan(
      {
        mode: shape.mode as Mode,
        agents: shape.agents ?? cfg.agents,
        assignment: shape.assignment ?? 'mixed',
        rounds: shape.rounds ?? cfg.rounds,
        minSuccessful: cfg.minSuccessful,
      },
      rolesFor(task, cfg.roles),
      cfg.backends,
      cfg.judge,
      cfg.synthesizer,
      this.#byName,
    );
    const over = overBudget(estimate(plan), cfg.budget);
    if (over) throw budgetError(cfg.routeId, plan, over);
    return { plan, context, estimate: estimate(plan), by: 'client' };
  }
}

function budgetError(routeId: string, plan: Plan, why: string): GatewayError {
  return new GatewayError(
    400,
    'invalid_request_error',
    `Route ${routeId}: no collaboration plan fits its budget (the ${plan.mode} plan ${plan.key} would take ${why}). Lower max_tokens or raise routing.collaboration.budget.`,
    { code: 'collaboration_over_budget' },
  );
}

import type { NativeRouter } from '@switchboard/native';
import type { FeedbackRecord } from '../../learning/store.js';
import { parseJson, ROUTE_FILE_LIMITS, RouteFileError } from '../../runtime/route-files.js';
import type { CallOutcome, RankRequest, Strategy } from '../../table/strategy.js';
import type { BuildContext, BuildFactories, BuiltStrategy, StrategyModule } from '../build-context.js';
import { reward, type RewardWeights } from '../bandit/algorithms.js';
import { CollaborationController, describeChoice, type Choice, type PlanPolicy } from './controller.js';
import { planCollaboration, type CollaborationSettings } from './plan.js';
import { byPrice, planKeyProblem } from './plans.js';
import { BUILT_IN_TASKS } from './prompts.js';
import { collaborationRunner } from './run.js';

/** A task classifier: the class whose utterances the prompt is nearest to (native semantic index). */
export function taskClassifier(
  tasks: CollaborationSettings['tasks'],
  semanticIndex: BuildFactories['semanticIndex'],
): (prompt: string) => string {
  const classes = tasks?.classes ?? BUILT_IN_TASKS.map((t) => ({ name: t.name, utterances: [...t.utterances] }));
  const index = semanticIndex(
    tasks?.encoder ?? 'lexical',
    classes.flatMap((c) => c.utterances),
    classes.flatMap((c, i) => c.utterances.map(() => i)),
    classes.length,
    3,
  );
  const names = classes.map((c) => c.name);
  const fallback = names.includes('general') ? 'general' : (names[0] as string);
  return (prompt) => {
    const scores = index.scores(prompt);
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < scores.length; i++) {
      if ((scores[i] as number) > bestScore) [best, bestScore] = [i, scores[i] as number];
    }
    // Nothing in common with any class: the general one.
    return best < 0 ? fallback : (names[best] as string);
  };
}

/** Why a policy's `choices` are not a map of `task/difficulty` contexts to plan keys; undefined when they are. */
function choicesProblem(choices: Record<string, unknown>): string | undefined {
  for (const [context, key] of Object.entries(choices)) {
    const [task = '', level = '', ...rest] = context.split('/');
    if (rest.length || !task || !['easy', 'medium', 'hard'].includes(level)) {
      return `choice "${context.slice(0, 60)}": a context is task/difficulty (e.g. code/hard; easy, medium or hard)`;
    }
    if (typeof key !== 'string') return `choice "${context}": the plan must be a plan key such as "fusion:3:mixed"`;
    const problem = planKeyProblem(key);
    if (problem) return `choice "${context}": plan "${key.slice(0, 60)}": ${problem}`;
  }
  return undefined;
}

/**
 * A trained policy file (switchboard train --router collaboration): a
 * regular file of at most ROUTE_FILE_LIMITS.text bytes, confined to the
 * model folders in Kubernetes mode; a parse error names the line and column,
 * never the text (route-files.ts).
 */
function readPolicy(file: string, ctx: BuildContext): PlanPolicy | undefined {
  try {
    const kind = { what: 'policy', maxBytes: ROUTE_FILE_LIMITS.text };
    const path = ctx.file(file, kind);
    const json = parseJson(ctx.factories.readText(path, kind.maxBytes), 'the file') as {
      kind?: unknown;
      choices?: unknown;
    } | null;
    if (
      json === null ||
      typeof json !== 'object' ||
      json.kind !== 'collaboration-policy' ||
      typeof json.choices !== 'object' ||
      json.choices === null ||
      Array.isArray(json.choices)
    ) {
      throw new Error('not a collaboration policy (kind "collaboration-policy" with "choices")');
    }
    const choices = json.choices as Record<string, unknown>;
    const problem = choicesProblem(choices);
    if (problem) throw new Error(problem);
    return { choices: choices as Record<string, string> };
  } catch (err) {
    const refused = err instanceof RouteFileError ? err.reason : undefined;
    // A refusal names the policy itself; other problems say which file they are about.
    const message = refused ? (err as Error).message : `cannot read policy ${file}: ${(err as Error).message}`;
    ctx.problem('spec.routing.collaboration.policy', message, refused);
    return undefined;
  }
}

/** A policy's choices the route can never make (a task it has no class for, a plan not among its candidates), as one message. */
function unreachableChoices(
  policy: PlanPolicy,
  controller: CollaborationController,
  tasks: readonly string[],
): string | undefined {
  const unknown = Object.keys(policy.choices).find((context) => !tasks.includes(context.split('/')[0] as string));
  if (unknown !== undefined) {
    return `choice "${unknown}": the route has no task class "${unknown.split('/')[0]}" (its classes: ${tasks.join(', ')}); train on replays of this route's tasks`;
  }
  const wrong = Object.entries(policy.choices).filter(
    ([context, key]) => controller.arm(context.split('/')[0] as string, key) < 0,
  );
  if (!wrong.length) return undefined;
  const [context, key] = wrong[0] as [string, string];
  const task = context.split('/')[0] as string;
  const candidates = controller.candidates(task).map((p) => p.key);
  return `${wrong.length} choice(s) name a plan this route never makes, e.g. ${key} for ${context} (its plans for ${task}: ${candidates.join(', ')}); check modes, agents and mode: auto`;
}

/** Plan costs are what each run used before its final call; bounded, as a run may end without one. */
class PriorCosts {
  readonly #costs = new Map<string, number>();
  set(id: string, cost: number): void {
    this.#costs.set(id, cost);
    if (this.#costs.size > 10_000) this.#costs.delete(this.#costs.keys().next().value as string);
  }
  take(id: string): number {
    const cost = this.#costs.get(id) ?? 0;
    this.#costs.delete(id);
    return cost;
  }
}

function build(s: CollaborationSettings, ctx: BuildContext): BuiltStrategy | undefined {
  const f = ctx.factories;
  let router: NativeRouter | undefined;
  if (s.difficulty) router = f.loadRouter(f.resolveRouterDir(s.difficulty.router, ctx.origin));
  const policy = s.policy !== undefined ? readPolicy(s.policy, ctx) : undefined;
  if (s.policy !== undefined && !policy) return undefined;
  const learning = s.learning;
  const controller = new CollaborationController({
    routeId: ctx.routeId,
    backends: ctx.backends,
    mode: s.mode,
    modes: s.modes,
    agents: s.agents,
    rounds: s.rounds,
    minSuccessful: s.minSuccessful,
    roles: s.roles.map((r) => ({ ...r })),
    judge: ctx.backend(s.judge),
    synthesizer: ctx.backend(s.synthesizer),
    budget: s.budget,
    taskOf: taskClassifier(s.tasks, (...a) => f.semanticIndex(...a)),
    scoreOf: router ? (request) => request.routerOutputs()[0] ?? 0.5 : undefined,
    easyBelow: s.difficulty?.easyBelow ?? 0.35,
    hardAbove: s.difficulty?.hardAbove ?? 0.65,
    learning: learning
      ? {
          params: {
            algorithm: learning.algorithm,
            epsilon: learning.epsilon,
            exploration: learning.exploration,
            learningRate: 0,
          },
          store: f.learning,
        }
      : undefined,
    policy,
    allowClientPlans: s.allowClientPlans,
    defaultOutputTokens: 1024,
  });
  const unreachable =
    policy && s.mode === 'auto'
      ? unreachableChoices(
          policy,
          controller,
          (s.tasks?.classes ?? BUILT_IN_TASKS).map((c) => c.name),
        )
      : undefined;
  if (unreachable) {
    ctx.problem('spec.routing.collaboration.policy', `policy ${s.policy}: ${unreachable}`);
    return undefined;
  }
  const weights: RewardWeights = { quality: 1, cost: learning?.costWeight ?? 0, latency: 0 };
  const priorCosts = new PriorCosts();
  /** The plan's arm from an outcome's context (`task/difficulty#planKey`). */
  const armOf = (context: string) => {
    const [where = '', planKey = ''] = context.split('#');
    const task = where.split('/')[0] ?? '';
    return { key: controller.key(where), arm: controller.arm(task, planKey), arms: controller.candidates(task).length };
  };
  const strategy: Strategy = {
    name: 'collaboration',
    // The difficulty is the router's strong/weak score (RouterUse: what the one native call returns).
    ...(router ? { router: { native: router, reads: 'score' as const } } : {}),
    // The runner runs every request; the ranking is only what the walk of the final stage would order by.
    rank: () => byPrice(ctx.backends).reverse(),
    ...(learning
      ? {
          observe(outcome: CallOutcome) {
            const { key, arm, arms } = armOf(outcome.context);
            if (arm < 0) return;
            const cost = outcome.cost + priorCosts.take(outcome.requestId);
            const r = reward(weights, learning.defaultQuality, cost, 0);
            f.learning.state(key, arms);
            f.learning.addReward(key, arm, r);
            const record: CallOutcome = { ...outcome };
            delete record.texts;
            f.learning.remember({ ...record, cost, routeId: ctx.routeId, reward: r });
          },
          feedback(outcome: CallOutcome, quality: number) {
            const { key, arm, arms } = armOf(outcome.context);
            if (arm < 0) return;
            f.learning.state(key, arms);
            const before = (outcome as FeedbackRecord).reward ?? reward(weights, learning.defaultQuality, outcome.cost, 0);
            f.learning.correctReward(key, arm, before, reward(weights, quality, outcome.cost, 0));
          },
        }
      : {}),
  };
  // Admission estimates the plan before the run: the run then runs that plan.
  const chosen = new WeakMap<RankRequest, Choice>();
  const choose = (rank: RankRequest, random: () => number) => {
    let choice = chosen.get(rank);
    if (!choice) chosen.set(rank, (choice = controller.choose(rank, random)));
    return choice;
  };
  const runner = collaborationRunner({
    routeId: ctx.routeId,
    backends: ctx.backends,
    choose: (run) => choose(run.rank, run.random),
    stageTimeoutMs: s.stageTimeoutMs,
    maxDepth: s.maxDepth,
    ran: (id, cost) => priorCosts.set(id, cost),
  });
  return {
    strategy,
    runner: {
      ...runner,
      estimate: (rank, random) => {
        const { estimate } = choose(rank, random);
        return { tokens: estimate.tokens, cost: estimate.cost };
      },
      // The plan this request would run (the same choice admission and the run use).
      describe: (rank, random) => {
        if (!rank) return { mode: s.mode, modes: s.modes, agents: s.agents, budget: s.budget, learning: Boolean(s.learning) };
        return describeChoice(choose(rank, random ?? Math.random));
      },
    },
  };
}

/** `collaboration`: a team of agents per request (MasRouter; fusion panels). */
export const collaboration: StrategyModule<CollaborationSettings> = {
  kind: 'collaboration',
  plan: planCollaboration,
  build,
};

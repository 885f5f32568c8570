import type { PlanScope } from '../../plan/compile.js';
import { durationOr, planBackend, type Routing } from '../build-context.js';
import { MODES, type Mode } from './plans.js';

export interface CollaborationSettings {
  [key: string]: unknown;
  mode: Mode | 'auto';
  modes: Mode[];
  agents: number;
  rounds: number;
  minSuccessful: number | undefined;
  roles: { name: string; systemPrompt: string; tasks: string[]; backends: string[] }[];
  judge: string;
  synthesizer: string;
  budget: { maxCalls: number | undefined; maxTokens: number | undefined; maxCost: number | undefined };
  tasks: { encoder: 'lexical' | 'sentence'; classes: { name: string; utterances: string[] }[] } | undefined;
  difficulty: { router: string; easyBelow: number; hardAbove: number } | undefined;
  learning:
    | {
        algorithm: 'epsilon-greedy' | 'ucb1' | 'thompson';
        epsilon: number;
        exploration: number;
        costWeight: number;
        defaultQuality: number;
      }
    | undefined;
  policy: string | undefined;
  allowClientPlans: boolean;
  stageTimeoutMs: number | undefined;
  maxDepth: number;
}

const dearest = (scope: PlanScope) =>
  [...scope.backends].sort(
    (a, b) => b.inputPricePerToken + b.outputPricePerToken - (a.inputPricePerToken + a.outputPricePerToken),
  )[0]?.name;

/** spec.routing.collaboration -> settings: every backend it names checked, defaults filled. */
export function planCollaboration(routing: Routing | undefined, scope: PlanScope): CollaborationSettings | undefined {
  const cfg = routing?.collaboration ?? {};
  const at = 'spec.routing.collaboration';
  const judge = cfg.judge !== undefined ? planBackend(scope, cfg.judge, `${at}.judge`) : dearest(scope);
  const synthesizer = cfg.synthesizer !== undefined ? planBackend(scope, cfg.synthesizer, `${at}.synthesizer`) : judge;
  const roles = (cfg.roles ?? []).map((r, i) => ({
    name: r.name,
    systemPrompt: r.systemPrompt,
    tasks: r.tasks ?? [],
    backends: (r.backends ?? []).map((b, j) => planBackend(scope, b, `${at}.roles[${i}].backends[${j}]`) ?? ''),
  }));
  const names = new Set<string>();
  roles.forEach((r, i) => {
    if (names.has(r.name)) scope.problems.push({ path: `${at}.roles[${i}].name`, message: `role "${r.name}" is defined twice` });
    names.add(r.name);
  });
  const agents = cfg.agents ?? 3;
  if (cfg.minSuccessful !== undefined && cfg.minSuccessful > agents) {
    scope.problems.push({
      path: `${at}.minSuccessful`,
      message: 'routing.collaboration.minSuccessful cannot be more than the agents',
    });
  }
  if (!judge || !synthesizer) return undefined;
  const l = cfg.learning;
  const d = cfg.difficulty;
  return {
    mode: cfg.mode ?? 'auto',
    modes: cfg.modes ?? [...MODES],
    agents,
    rounds: cfg.rounds ?? 1,
    minSuccessful: cfg.minSuccessful,
    roles,
    judge,
    synthesizer,
    budget: { maxCalls: cfg.budget?.maxCalls, maxTokens: cfg.budget?.maxTokens, maxCost: cfg.budget?.maxCost },
    tasks: cfg.tasks
      ? {
          encoder: cfg.tasks.encoder ?? 'lexical',
          classes: cfg.tasks.classes.map((c) => ({ name: c.name, utterances: c.utterances })),
        }
      : undefined,
    difficulty: d ? { router: d.router, easyBelow: d.easyBelow ?? 0.35, hardAbove: d.hardAbove ?? 0.65 } : undefined,
    learning: l
      ? {
          algorithm: l.algorithm ?? 'thompson',
          epsilon: l.epsilon ?? 0.1,
          exploration: l.exploration ?? 1,
          costWeight: l.costWeight ?? 0,
          defaultQuality: l.defaultQuality ?? 0.5,
        }
      : undefined,
    policy: cfg.policy,
    allowClientPlans: cfg.allowClientPlans ?? false,
    stageTimeoutMs: cfg.stageTimeout !== undefined ? durationOr(scope, `${at}.stageTimeout`, cfg.stageTimeout, 0) : undefined,
    maxDepth: cfg.maxDepth ?? 1,
  };
}

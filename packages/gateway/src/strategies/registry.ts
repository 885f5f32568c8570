import type { PlanScope } from '../plan/compile.js';
import type { StrategyPlan, StrategySettings } from '../plan/types.js';
import { bandit } from './bandit/index.js';
import type { BuildContext, BuiltStrategy, Routing, StrategyModule } from './build-context.js';
import { cascade } from './cascade/index.js';
import { classifier } from './classifier/index.js';
import { collaboration } from './collaboration/index.js';
import { predictive } from './predictive/index.js';
import { priority } from './priority/index.js';
import { planRules } from './rules/plan.js';
import { compileRule, withRules } from './rules/rank.js';
import { semantic } from './semantic/index.js';
import { threshold } from './threshold/index.js';
import { weighted } from './weighted/index.js';

/** Every strategy, by the name `spec.routing.strategy` uses. Adding one: its folder, and a line here. */
const STRATEGIES: Readonly<Record<string, StrategyModule>> = Object.fromEntries(
  ([priority, weighted, threshold, classifier, semantic, predictive, bandit, cascade, collaboration] as StrategyModule[]).map(
    (m) => [m.kind, m],
  ),
);

/** `spec.routing` -> the strategy's plan (its settings and its rules), or undefined with problems recorded. */
export function planRouting(routing: Routing | undefined, scope: PlanScope): StrategyPlan | undefined {
  const kind = routing?.strategy ?? 'priority';
  const module = STRATEGIES[kind];
  if (!module) {
    scope.problems.push({ path: 'spec.routing.strategy', message: `unknown strategy "${kind}"` });
    return undefined;
  }
  const settings = module.plan(routing, scope);
  const rules = planRules(routing, scope);
  return settings && !scope.problems.length ? { kind, settings, rules } : undefined;
}

/** A plan -> the live strategy (rules in front of it), or undefined with problems recorded in `ctx`. */
export async function buildStrategy(plan: StrategyPlan, ctx: BuildContext): Promise<BuiltStrategy | undefined> {
  const module = STRATEGIES[plan.kind] as StrategyModule<StrategySettings>;
  const built = await module.build(plan.settings, ctx);
  if (!built || !plan.rules.length) return built;
  const rules = plan.rules.map((r) => compileRule(r, ctx.backend(r.backend)));
  return { ...built, strategy: withRules(rules, ctx.backends, built.strategy) };
}

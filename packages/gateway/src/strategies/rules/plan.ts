import type { PlanScope } from '../../plan/compile.js';
import type { RulePlan } from '../../plan/types.js';
import { planBackend, type Routing } from '../build-context.js';

/** spec.routing.rules -> rule plans: backends checked, regular expressions checked for syntax. */
export function planRules(routing: Routing | undefined, scope: PlanScope): RulePlan[] {
  const out: RulePlan[] = [];
  (routing?.rules ?? []).forEach((r, i) => {
    const at = `spec.routing.rules[${i}]`;
    const backend = planBackend(scope, r.backend, `${at}.backend`);
    for (const [field, re] of [
      ['promptMatches', r.promptMatches],
      ['header.matches', r.header?.matches],
    ] as const) {
      if (re === undefined) continue;
      try {
        new RegExp(re, 'i');
      } catch (err) {
        scope.problems.push({ path: `${at}.${field}`, message: (err as Error).message });
      }
    }
    if (backend) out.push({ ...r, backend });
  });
  return out;
}

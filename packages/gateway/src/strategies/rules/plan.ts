import { NativeTextPattern } from '@switchboard/native';
import type { PlanScope } from '../../plan/compile.js';
import type { RulePlan } from '../../plan/types.js';
import { planBackend, type Routing } from '../build-context.js';

/**
 * spec.routing.rules -> rule plans: backends checked, regular expressions
 * compiled the way rank.ts runs them (the regex crate: linear time, no
 * backreferences or look-around), so a pattern it cannot run is a problem
 * here and not at the first request.
 */
export function planRules(routing: Routing | undefined, scope: PlanScope): RulePlan[] {
  const out: RulePlan[] = [];
  (routing?.rules ?? []).forEach((r, i) => {
    const at = `spec.routing.rules[${i}]`;
    const backend = planBackend(scope, r.backend, `${at}.backend`);
    for (const [field, re, flags] of [
      ['promptMatches', r.promptMatches, 'i'],
      ['header.matches', r.header?.matches, ''],
    ] as const) {
      if (re === undefined) continue;
      try {
        new NativeTextPattern(re, flags);
      } catch (err) {
        scope.problems.push({ path: `${at}.${field}`, message: (err as Error).message });
      }
    }
    if (backend) out.push({ ...r, backend });
  });
  return out;
}

import type { Condition, LLMRouteStatus, Problem } from '@switchboard/api';

/** Problems that are about references (Secrets, backends), not the route itself. */
const REF_REASONS = new Set(['SecretNotFound', 'SecretNotLabelled', 'SecretKeyMissing', 'BackendNotFound']);

/** The three conditions, in the order they are written. */
export type ConditionType = 'Accepted' | 'ResolvedRefs' | 'Programmed';

export interface RouteOutcome {
  generation: number | undefined;
  /** Problems from validation and compilation; empty when the route is fine. */
  problems: readonly Problem[];
  /** The route is in the table the gateway serves. */
  programmed: boolean;
  backends: LLMRouteStatus['backends'];
}

type ConditionBody = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'> & { type: ConditionType };

const describe = (ps: readonly Problem[]) => ps.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');

function accepted(problems: readonly Problem[]): ConditionBody {
  return problems.length
    ? {
        type: 'Accepted',
        status: 'False',
        reason: problems.find((p) => p.reason)?.reason ?? 'Invalid',
        message: describe(problems),
      }
    : { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'The route is valid and owns its model names.' };
}

function resolvedRefs(problems: readonly Problem[]): ConditionBody {
  return problems.length
    ? { type: 'ResolvedRefs', status: 'False', reason: problems[0]?.reason ?? 'Invalid', message: describe(problems) }
    : { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'Every referenced Secret is resolved.' };
}

function programmed(served: boolean): ConditionBody {
  return served
    ? { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'The gateway serves this route.' }
    : {
        type: 'Programmed',
        status: 'False',
        reason: 'Invalid',
        message: 'The gateway does not serve this route; see Accepted and ResolvedRefs.',
      };
}

/** RFC 3339 to the second, as metav1.Time stores it. */
const seconds = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The status a route should have. Conditions keep their lastTransitionTime
 * unless their status flips, so rewriting an unchanged status is a no-op
 * that `sameStatus` detects (no write, no hot loop).
 */
export function desiredStatus(outcome: RouteOutcome, previous: LLMRouteStatus | undefined, now: Date): LLMRouteStatus {
  const isRef = (p: Problem) => p.reason !== undefined && REF_REASONS.has(p.reason);
  const conditions = [
    accepted(outcome.problems.filter((p) => !isRef(p))),
    resolvedRefs(outcome.problems.filter(isRef)),
    programmed(outcome.programmed),
  ];
  const generation = outcome.generation;
  const observed = generation !== undefined ? { observedGeneration: generation } : {};
  return {
    ...observed,
    conditions: conditions.map((c): Condition => {
      const before = previous?.conditions?.find((p) => p.type === c.type);
      const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : seconds(now);
      return { ...c, lastTransitionTime, ...observed };
    }),
    ...(outcome.backends ? { backends: outcome.backends } : {}),
  };
}

/** Structural equality of two statuses (what the API would store). */
export function sameStatus(a: LLMRouteStatus | undefined, b: LLMRouteStatus): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: LLMRouteStatus | undefined): unknown {
  if (!s) return undefined;
  return {
    observedGeneration: s.observedGeneration,
    conditions: [...(s.conditions ?? [])]
      .sort((x, y) => x.type.localeCompare(y.type))
      .map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime, c.observedGeneration]),
    backends: (s.backends ?? []).map((b) => [b.name, b.health]),
  };
}

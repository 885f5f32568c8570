import type { Problem } from '@switchboard/api';

export interface Condition {
  type: 'Accepted' | 'ResolvedRefs' | 'Programmed';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface RouteStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  backends?: { name: string; health: 'healthy' | 'ejected' | 'half-open' | 'rate-limited' }[];
}

/** Problems that are about references (Secrets, backends), not the route itself. */
const REF_REASONS = new Set(['SecretNotFound', 'SecretKeyMissing', 'BackendNotFound']);

export interface RouteOutcome {
  generation: number | undefined;
  /** Problems from validation and compilation; empty when the route is fine. */
  problems: Problem[];
  /** The route is in the table the gateway serves. */
  programmed: boolean;
  backends: RouteStatus['backends'];
}

/**
 * The status a route should have. Conditions keep their lastTransitionTime
 * unless their status flips, so rewriting an unchanged status is a no-op
 * that `sameStatus` detects (no write, no hot loop).
 */
export function desiredStatus(outcome: RouteOutcome, previous: RouteStatus | undefined, now: Date): RouteStatus {
  const refProblems = outcome.problems.filter((p) => p.reason && REF_REASONS.has(p.reason));
  const routeProblems = outcome.problems.filter((p) => !p.reason || !REF_REASONS.has(p.reason));
  const describe = (ps: Problem[]) => ps.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  const conditions: Omit<Condition, 'lastTransitionTime'>[] = [
    routeProblems.length
      ? {
          type: 'Accepted',
          status: 'False',
          reason: routeProblems.find((p) => p.reason)?.reason ?? 'Invalid',
          message: describe(routeProblems),
        }
      : { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'The route is valid and owns its model names.' },
    refProblems.length
      ? { type: 'ResolvedRefs', status: 'False', reason: refProblems[0]?.reason ?? 'Invalid', message: describe(refProblems) }
      : { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'Every referenced Secret is resolved.' },
    outcome.programmed
      ? { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'The gateway serves this route.' }
      : {
          type: 'Programmed',
          status: 'False',
          reason: 'Invalid',
          message: 'The gateway does not serve this route; see Accepted and ResolvedRefs.',
        },
  ];
  const generation = outcome.generation;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: conditions.map((c) => {
      const before = previous?.conditions?.find((p) => p.type === c.type);
      const lastTransitionTime =
        before && before.status === c.status ? before.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z');
      return { ...c, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
    }),
    ...(outcome.backends ? { backends: outcome.backends } : {}),
  };
}

/** Structural equality of two statuses (what the API would store). */
export function sameStatus(a: RouteStatus | undefined, b: RouteStatus): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: RouteStatus | undefined): unknown {
  if (!s) return undefined;
  return {
    observedGeneration: s.observedGeneration,
    conditions: [...(s.conditions ?? [])]
      .sort((x, y) => x.type.localeCompare(y.type))
      .map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime, c.observedGeneration]),
    backends: (s.backends ?? []).map((b) => [b.name, b.health]),
  };
}

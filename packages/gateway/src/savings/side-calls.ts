import type { SideCall } from '../observe/observer.js';
import { costOf, usageFromOpenAI } from '../request/usage.js';
import type { CompiledBackend } from '../table/backend.js';
import type { RouteTable } from '../table/route.js';

/**
 * An evaluator's answer (a bandit route's judge) as a call of its route,
 * with the usage it reported and what that cost: the cost of routing.
 * Undefined when no route of `table` holds the backend any more.
 */
export function evaluatorCall(table: RouteTable, backend: CompiledBackend, answer: unknown): SideCall | undefined {
  const route = table.routes.find((r) => r.backends.includes(backend));
  if (!route) return undefined;
  const usage = usageFromOpenAI(answer);
  const cost = usage ? costOf(usage, backend) : 0;
  return { route, backend, kind: 'evaluator', usage, cost };
}

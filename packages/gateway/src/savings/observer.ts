import type { RequestObservation, RequestObserver, RequestStart, SideCall } from '../observe/observer.js';
import type { Usage } from '../providers/provider.js';
import type { FieldKind } from './buckets.js';
import type { SavingsLedger } from './ledger.js';

const NANO = 1e9;

/** The model a strategy asks when its ranking is asynchronous, as the cost of routing names it. */
function askedModel(strategy: string): string {
  if (strategy === 'threshold' || strategy === 'semantic') return 'embeddings';
  if (strategy === 'classifier') return 'classifier';
  return `${strategy}-model`;
}

/**
 * Savings accounting: every answered backend call adds its tokens and
 * spend per route, tenant and backend; a request's final answer adds its
 * tokens once more as the basis of the baseline (what the same answer
 * would have cost on another backend); calls made to decide (a cascade's
 * verifier, a bandit's evaluator, remote embeddings, a classifier) are the
 * cost of routing.
 */
export function savingsObserver(ledger: SavingsLedger): RequestObserver {
  const add = (kind: FieldKind, route: string, tenant: string, name: string, usage: Usage | undefined, cost: number) => {
    ledger.count(kind, route, tenant, name, 'calls', 1);
    ledger.count(kind, route, tenant, name, 'promptTokens', usage?.promptTokens ?? 0);
    ledger.count(kind, route, tenant, name, 'completionTokens', usage?.completionTokens ?? 0);
    ledger.count(kind, route, tenant, name, 'spendNano', Math.round(cost * NANO));
  };
  return {
    begin: (start: RequestStart) => observe(start, ledger, add),
    sideCall: (call: SideCall) => add('routing', call.route.id, '-', `${call.kind}:${call.backend.name}`, call.usage, call.cost),
  };
}

type Add = (kind: FieldKind, route: string, tenant: string, name: string, usage: Usage | undefined, cost: number) => void;

function observe(start: RequestStart, ledger: SavingsLedger, add: Add): RequestObservation {
  const route = start.route.id;
  const { tenant } = start;
  const strategy = start.route.strategy.name;
  let answer: { backend: string; usage: Usage } | undefined;
  return {
    routed(d) {
      if (d.asked) add('routing', route, tenant, `${askedModel(strategy)}:`, undefined, 0);
    },
    attempt({ backend, purpose }) {
      return {
        headers: undefined,
        settled(usage, cost) {
          if (purpose === 'routing') {
            add('routing', route, tenant, `${strategy}:${backend.name}`, usage, cost);
            return;
          }
          add('call', route, tenant, backend.name, usage, cost);
          if (usage) answer = { backend: backend.name, usage };
        },
        end: () => undefined,
      };
    },
    end({ status }) {
      // The last answering call is the answer the client got (a cascade's accepted stage).
      if (!answer || status >= 400) return;
      ledger.count('answer', route, tenant, answer.backend, 'requests', 1);
      ledger.count('answer', route, tenant, answer.backend, 'promptTokens', answer.usage.promptTokens);
      ledger.count('answer', route, tenant, answer.backend, 'completionTokens', answer.usage.completionTokens);
    },
  };
}

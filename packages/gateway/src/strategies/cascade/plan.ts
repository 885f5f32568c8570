import type { PlanScope } from '../../plan/compile.js';
import { planBackend, type Routing } from '../build-context.js';

export interface CascadeSettings {
  [key: string]: unknown;
  /** Backend names in the order tried. */
  stages: string[];
  confidence: 'logprob' | 'verifier';
  minMeanLogprob: number;
  verifier: string | undefined;
}

/** spec.routing.cascade -> settings: the stages named (default: every backend but the verifier, cheapest first). */
export function planCascade(routing: Routing | undefined, scope: PlanScope): CascadeSettings | undefined {
  const cfg = routing?.cascade ?? {};
  const at = 'spec.routing.cascade';
  const price = (b: PlanScope['backends'][number]) => b.inputPricePerToken + b.outputPricePerToken;
  const stages = cfg.stages
    ? cfg.stages.map((n, i) => planBackend(scope, n, `${at}.stages[${i}]`))
    : [...scope.backends]
        .filter((b) => b.name !== cfg.verifier)
        .sort((a, b) => price(a) - price(b))
        .map((b) => b.name);
  const confidence = cfg.confidence ?? 'logprob';
  const verifier = cfg.verifier !== undefined ? planBackend(scope, cfg.verifier, `${at}.verifier`) : undefined;
  if (confidence === 'verifier' && cfg.verifier === undefined) {
    scope.problems.push({ path: `${at}.verifier`, message: 'confidence verifier needs a verifier backend' });
    return undefined;
  }
  if (!stages.length || stages.some((s) => s === undefined) || (cfg.verifier !== undefined && !verifier)) return undefined;
  return { stages: stages as string[], confidence, minMeanLogprob: cfg.minMeanLogprob ?? -0.5, verifier };
}

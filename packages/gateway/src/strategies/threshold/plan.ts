import type { PlanScope } from '../../plan/compile.js';
import type { EmbeddingsConfig } from '../../sources/embeddings.js';
import { planEmbeddings, type Routing } from '../build-context.js';

export interface ThresholdSettings {
  [key: string]: unknown;
  strong: string;
  weak: string;
  /** A router folder: a path, or a name under the models folder. */
  router: string;
  strongModel: string | undefined;
  weakModel: string | undefined;
  /** A fixed threshold, or a share of strong calls to calibrate at build. */
  threshold: { value: number } | { share: number; calibrationPrompts: string | undefined };
  /** The remote encoder's server, when the route names one. */
  embeddings: EmbeddingsConfig | undefined;
}

/** spec.routing.threshold -> settings: the pair checked against the route's backends. */
export function planThreshold(routing: Routing | undefined, scope: PlanScope): ThresholdSettings | undefined {
  const cfg = routing?.threshold;
  if (!cfg) {
    scope.problems.push({ path: 'spec.routing.threshold', message: 'strategy threshold needs the routing.threshold block' });
    return undefined;
  }
  const names = new Set(scope.backends.map((b) => b.name));
  if (!names.has(cfg.strong) || !names.has(cfg.weak)) {
    scope.problems.push({
      path: 'spec.routing.threshold',
      message: 'routing.threshold.strong and routing.threshold.weak must name backends of this route',
      reason: 'BackendNotFound',
    });
    return undefined;
  }
  return {
    strong: cfg.strong,
    weak: cfg.weak,
    router: cfg.router,
    strongModel: cfg.strongModel,
    weakModel: cfg.weakModel,
    threshold:
      cfg.threshold !== undefined
        ? { value: cfg.threshold }
        : { share: cfg.targetStrongFraction ?? 0.5, calibrationPrompts: cfg.calibrationPrompts },
    embeddings: planEmbeddings(routing, scope),
  };
}

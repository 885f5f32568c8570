import type { PlanScope } from '../../plan/compile.js';
import type { ProviderName } from '../../table/backend.js';
import { planBackend, type Routing } from '../build-context.js';

export interface PredictiveSettings {
  [key: string]: unknown;
  router: string;
  /** Backend name -> the model name in the router's data it stands for. */
  models: Record<string, string>;
  lambdaCost: number;
  lambdaLatency: number;
  maxCostPerRequest: number | undefined;
  allowedProviders: ProviderName[] | undefined;
  /** Output length assumed when the router has none for a model. */
  outputTokens: number;
}

export function planPredictive(routing: Routing | undefined, scope: PlanScope): PredictiveSettings | undefined {
  const cfg = routing?.predictive;
  const at = 'spec.routing.predictive';
  if (!cfg) {
    scope.problems.push({ path: at, message: 'strategy predictive needs the routing.predictive block' });
    return undefined;
  }
  const models: Record<string, string> = {};
  for (const [backend, model] of Object.entries(cfg.models)) {
    if (planBackend(scope, backend, `${at}.models.${backend}`)) models[backend] = model;
  }
  if (!Object.keys(models).length) return undefined;
  return {
    router: cfg.router,
    models,
    lambdaCost: cfg.lambdaCost ?? 0,
    lambdaLatency: cfg.lambdaLatency ?? 0,
    maxCostPerRequest: cfg.maxCostPerRequest,
    allowedProviders: cfg.allowedProviders,
    outputTokens: cfg.outputTokens ?? 256,
  };
}

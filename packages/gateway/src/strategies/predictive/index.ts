import type { StrategyModule } from '../build-context.js';
import { buildPredictive } from './build.js';
import { planPredictive, type PredictiveSettings } from './plan.js';

/** `predictive`: every backend's quality predicted, utility = quality - cost - latency (Tryage). */
export const predictive: StrategyModule<PredictiveSettings> = {
  kind: 'predictive',
  plan: planPredictive,
  build: buildPredictive,
};

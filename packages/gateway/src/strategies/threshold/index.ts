import type { StrategyModule } from '../build-context.js';
import { buildThreshold } from './build.js';
import { planThreshold, type ThresholdSettings } from './plan.js';

/** `threshold`: RouteLLM's learned strong/weak routing. */
export const threshold: StrategyModule<ThresholdSettings> = {
  kind: 'threshold',
  plan: planThreshold,
  build: buildThreshold,
};

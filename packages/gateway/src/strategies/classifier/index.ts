import type { StrategyModule } from '../build-context.js';
import { buildClassifier } from './build.js';
import { planClassifier, type ClassifierSettings } from './plan.js';

/** `classifier`: task / complexity classes to backends (NVIDIA's LLM router blueprint). */
export const classifier: StrategyModule<ClassifierSettings> = {
  kind: 'classifier',
  plan: planClassifier,
  build: buildClassifier,
};

import type { StrategyModule } from '../build-context.js';
import { buildSemantic } from './build.js';
import { planSemantic, type SemanticSettings } from './plan.js';

/** `semantic`: routes defined by example utterances (LangChain / semantic-router style). */
export const semantic: StrategyModule<SemanticSettings> = {
  kind: 'semantic',
  plan: planSemantic,
  build: buildSemantic,
};

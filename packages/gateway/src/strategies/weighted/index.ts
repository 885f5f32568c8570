import type { StrategyModule } from '../build-context.js';
import { weightedStrategy } from './rank.js';

/** `weighted`: no settings of its own. */
export const weighted: StrategyModule<Record<string, never>> = {
  kind: 'weighted',
  plan: () => ({}),
  build: (_settings, ctx) => ({ strategy: weightedStrategy(ctx.backends) }),
};

import type { StrategyModule } from '../build-context.js';
import { priorityStrategy } from './rank.js';

/** `priority` (the default): no settings of its own. */
export const priority: StrategyModule<Record<string, never>> = {
  kind: 'priority',
  plan: () => ({}),
  build: (_settings, ctx) => ({ strategy: priorityStrategy(ctx.backends) }),
};

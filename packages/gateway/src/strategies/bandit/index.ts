import type { StrategyModule } from '../build-context.js';
import { buildBandit } from './build.js';
import { planBandit, type BanditSettings } from './plan.js';

/** `bandit`: online learning from cost, latency and feedback rewards (PickLLM). */
export const bandit: StrategyModule<BanditSettings> = {
  kind: 'bandit',
  plan: planBandit,
  build: buildBandit,
};

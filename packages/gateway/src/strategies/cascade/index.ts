import type { StrategyModule } from '../build-context.js';
import { planCascade, type CascadeSettings } from './plan.js';
import { cascadeRunner } from './run.js';

/**
 * `cascade`: cheapest first, escalating on low confidence (FrugalGPT /
 * AutoMix). Its ranking is the stages; its runner runs the request.
 */
export const cascade: StrategyModule<CascadeSettings> = {
  kind: 'cascade',
  plan: planCascade,
  build(s, ctx) {
    const stages = s.stages.map((n) => ctx.backend(n));
    return {
      strategy: { name: 'cascade', rank: () => stages },
      runner: cascadeRunner({
        stages,
        confidence: s.confidence,
        minMeanLogprob: s.minMeanLogprob,
        verifier: s.verifier === undefined ? undefined : ctx.backend(s.verifier),
      }),
    };
  },
};

import type { SamplingPlan } from '../plan/types.js';
import type { BuildContext } from '../strategies/build-context.js';
import { compileRedactions } from './redact.js';
import { Sampler } from './sampler.js';
import type { SampleSink } from './sink.js';

/**
 * A route's sampler: its sink is a shared resource (by the sink's plan), so
 * an unchanged sink survives a reload and a replaced one is flushed and
 * closed once no table in use holds it.
 */
export async function buildSampler(plan: SamplingPlan, ctx: BuildContext): Promise<Sampler | undefined> {
  const make = ctx.factories.sampleSink;
  if (!make) {
    ctx.problem('spec.sampling', 'prompt sampling is not available in this gateway');
    return undefined;
  }
  let sink: SampleSink;
  try {
    sink = await ctx.resource(['sampling-sink', plan.sink], () => make(plan.sink));
  } catch (err) {
    ctx.problem('spec.sampling', (err as Error).message);
    return undefined;
  }
  return new Sampler(plan.rate, { maxPromptChars: plan.maxPromptChars, redactions: compileRedactions(plan.redact) }, sink);
}

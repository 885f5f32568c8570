import type { BuildContext, BuiltStrategy } from '../build-context.js';
import type { BanditSettings } from './plan.js';
import { banditStrategy } from './rank.js';

/** The nearest prompt cluster by its utterances (a semantic index built now, queried natively per request). */
function clusterOf(contexts: NonNullable<BanditSettings['contexts']>, ctx: BuildContext): (prompt: string) => string {
  const names = contexts.clusters.map((c) => c.name);
  const index = ctx.factories.semanticIndex(
    contexts.encoder,
    contexts.clusters.flatMap((c) => c.utterances),
    contexts.clusters.flatMap((c, i) => c.utterances.map(() => i)),
    names.length,
    contexts.topK,
  );
  return (prompt) => {
    const scores = index.scores(prompt);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
    return names[best] as string;
  };
}

export function buildBandit(s: BanditSettings, ctx: BuildContext): BuiltStrategy {
  const f = ctx.factories;
  const ev = s.evaluator;
  return {
    strategy: banditStrategy(ctx.backends, {
      routeId: ctx.routeId,
      params: s.params,
      weights: s.weights,
      defaultQuality: s.defaultQuality,
      contextual: s.contextual,
      contextOf: s.contexts ? clusterOf(s.contexts, ctx) : undefined,
      store: f.learning,
      evaluator: ev
        ? { backend: ctx.backend(ev.backend), sampleRate: ev.sampleRate, timeoutMs: ev.timeoutMs, ask: f.ask }
        : undefined,
      onError: (err) => f.onError(err, `evaluator of route ${ctx.routeId}`),
    }),
  };
}

import type { NativeSemanticIndex } from '@switchboard/native';
import type { BuildContext, BuiltStrategy } from '../build-context.js';
import type { SemanticSettings } from './plan.js';
import { semanticStrategy } from './rank.js';

/**
 * The utterances' index: built natively (lexical, sentence), or from remote
 * vectors — fetched once per set of utterances and endpoint, before the
 * table is served, and kept while any table uses them.
 */
function index(s: SemanticSettings, ctx: BuildContext): NativeSemanticIndex | Promise<NativeSemanticIndex> {
  const f = ctx.factories;
  const utterances = s.routes.flatMap((r) => r.utterances);
  const routeOf = s.routes.flatMap((r, i) => r.utterances.map(() => i));
  if (s.encoder !== 'remote' || !s.embeddings) return f.semanticIndex(s.encoder, utterances, routeOf, s.routes.length, s.topK);
  const embeddings = s.embeddings;
  return ctx.resource(['semantic-vectors', embeddings, utterances, routeOf, s.topK], async () => {
    const vectors = await f.embeddings(embeddings).embedAll(utterances);
    const dim = vectors[0]?.length ?? 0;
    const flat = new Float32Array(dim * vectors.length);
    vectors.forEach((v, i) => flat.set(v, i * dim));
    return { value: f.semanticIndexFromVectors(flat, dim, routeOf, s.routes.length, s.topK) };
  });
}

export async function buildSemantic(s: SemanticSettings, ctx: BuildContext): Promise<BuiltStrategy> {
  return {
    strategy: semanticStrategy(ctx.backends, {
      index: await index(s, ctx),
      routes: s.routes.map((r) => ({ name: r.name, backend: ctx.backend(r.backend), threshold: r.threshold })),
      fallback: ctx.backend(s.default),
      embeddings: s.encoder === 'remote' && s.embeddings ? ctx.factories.embeddings(s.embeddings) : undefined,
      onError: (err) => ctx.factories.onError(err, `semantic routes of route ${ctx.routeId}`),
    }),
  };
}

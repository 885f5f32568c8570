import { ROUTE_FILE_LIMITS } from '../../runtime/route-files.js';
import type { BuildContext, BuiltStrategy, ClassSource } from '../build-context.js';
import type { ClassifierSettings } from './plan.js';
import { classifierStrategy, type ClassifierConfig } from './rank.js';

/** The class source of the plan: a native router (loaded), or an ONNX / Triton model (a shared resource). */
async function source(s: ClassifierSettings, ctx: BuildContext): Promise<ClassifierConfig['source'] | undefined> {
  const f = ctx.factories;
  const p = s.source;
  if (p.kind === 'router') {
    const dir = f.resolveRouterDir(p.router, ctx.origin);
    const router = f.loadRouter(dir);
    const meta = router.metadata;
    if (!meta.classes.length) {
      ctx.problem(
        'spec.routing.classifier.router',
        `router ${dir} is not a label classifier (train it with --router classifier --labels FIELD)`,
      );
      return undefined;
    }
    if (meta.encoder === 'remote') {
      ctx.problem(
        'spec.routing.classifier.router',
        'classifier routers with the remote encoder are not supported; use hashed or sentence',
      );
      return undefined;
    }
    return { router, labels: meta.classes };
  }
  if (p.kind === 'onnx') {
    // The model: a regular file (no cap, onnxruntime reads it); the tokenizer.json: capped too.
    const config = {
      ...p,
      model: ctx.file(p.model, { what: 'ONNX model' }),
      tokenizer: ctx.file(p.tokenizer, { what: 'tokenizer', maxBytes: ROUTE_FILE_LIMITS.tokenizer }),
    };
    return ctx.resource<ClassSource>(['onnx', config], () => f.onnxClassifier(config));
  }
  return ctx.resource<ClassSource>(['triton', p], () => f.tritonClassifier(p));
}

/** Settings -> the classifier strategy; its classes checked against the classifier's own labels. */
export async function buildClassifier(s: ClassifierSettings, ctx: BuildContext): Promise<BuiltStrategy | undefined> {
  const src = await source(s, ctx);
  if (!src) return undefined;
  const unknown = Object.keys(s.classes).filter((c) => !src.labels.includes(c));
  if (unknown.length) {
    ctx.problem(
      'spec.routing.classifier.classes',
      `the classifier has no class ${unknown.map((c) => `"${c}"`).join(', ')} (its classes: ${src.labels.join(', ')})`,
    );
    return undefined;
  }
  const classes = new Map(Object.entries(s.classes).map(([label, name]) => [label, ctx.backend(name)]));
  return {
    strategy: classifierStrategy(ctx.backends, {
      source: src,
      classes,
      fallback: ctx.backend(s.default),
      minConfidence: s.minConfidence,
      onError: (err) => ctx.factories.onError(err, `classifier of route ${ctx.routeId}`),
    }),
  };
}

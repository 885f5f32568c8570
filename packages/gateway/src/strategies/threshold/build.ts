import { basename } from 'node:path';
import { calibrateThreshold, type NativeRouter, type RouterMetadata } from '@switchboard/native';
import { ROUTE_FILE_LIMITS } from '../../runtime/route-files.js';
import type { BuildContext, BuiltStrategy } from '../build-context.js';
import type { ThresholdSettings } from './plan.js';
import { thresholdStrategy } from './rank.js';

/**
 * The threshold that sends `share` of the router's training prompts to the
 * strong model, from the score percentiles stored in router.json (0..100).
 */
export function thresholdAtShare(percentiles: readonly number[], share: number): number {
  if (share <= 0) return Number.POSITIVE_INFINITY;
  if (share >= 1) return Number.NEGATIVE_INFINITY;
  const at = (1 - share) * (percentiles.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, percentiles.length - 1);
  return (percentiles[lo] as number) + (at - lo) * ((percentiles[hi] as number) - (percentiles[lo] as number));
}

/** The router's folder name and kind, as `router-<name>-<threshold>` may name it. */
const routerNames = (dir: string, meta: RouterMetadata): string[] => [basename(dir), ...(meta.router ? [meta.router] : [])];

/** Settings -> the threshold strategy: router loaded, pair checked, threshold calibrated. */
export function buildThreshold(s: ThresholdSettings, ctx: BuildContext): BuiltStrategy | undefined {
  const f = ctx.factories;
  const dir = f.resolveRouterDir(s.router, ctx.origin);
  let router: NativeRouter = f.loadRouter(dir);
  const meta = router.metadata;
  if (s.strongModel !== undefined || s.weakModel !== undefined) {
    router = router.withPair(s.strongModel ?? meta.strong, s.weakModel ?? meta.weak);
  }
  const remote = meta.encoder === 'remote';
  if (remote && !s.embeddings) {
    ctx.problem(
      'spec.routing.embeddings',
      'the remote encoder needs the routing.embeddings block (an OpenAI-compatible /v1/embeddings server)',
    );
    return undefined;
  }
  if (remote && meta.encoderModel && meta.encoderModel !== s.embeddings?.model) {
    ctx.problem(
      'spec.routing.threshold',
      `router ${dir} was trained on "${meta.encoderModel}" embeddings, but routing.embeddings.model is "${s.embeddings?.model ?? ''}"`,
    );
    return undefined;
  }
  let threshold: number;
  if ('value' in s.threshold) threshold = s.threshold.value;
  else if (s.threshold.calibrationPrompts !== undefined) {
    if (remote) {
      ctx.problem(
        'spec.routing.threshold',
        'calibrationPrompts with a remote-encoder router: omit it to calibrate on the training prompts',
      );
      return undefined;
    }
    const file = ctx.file(s.threshold.calibrationPrompts, {
      what: 'calibration prompts file',
      maxBytes: ROUTE_FILE_LIMITS.text,
    });
    const prompts = f.readPrompts(file);
    threshold = calibrateThreshold(router.scoreMany(prompts.texts, prompts.turns), s.threshold.share);
  } else if (meta.scorePercentiles.length) {
    threshold = thresholdAtShare(meta.scorePercentiles, s.threshold.share);
  } else {
    ctx.problem(
      'spec.routing.threshold',
      `router ${dir} records no training-prompt scores (trained before they were kept): set calibrationPrompts`,
    );
    return undefined;
  }
  return {
    strategy: thresholdStrategy(ctx.backends, {
      strong: ctx.backend(s.strong),
      weak: ctx.backend(s.weak),
      router,
      threshold,
      routerNames: routerNames(dir, meta),
      embeddings: remote && s.embeddings ? f.embeddings(s.embeddings) : undefined,
    }),
  };
}

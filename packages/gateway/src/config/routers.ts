import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { calibrateThreshold, NativeRouter } from '@switchboard/native';

/**
 * Finds a router folder: an absolute path, a path relative to the route
 * file's folder or the working directory, or a name under models/.
 * Throws with the places it looked.
 */
export function resolveRouterDir(spec: string, routeFile: string | undefined, modelsDir = 'models'): string {
  const candidates = isAbsolute(spec)
    ? [spec]
    : [...(routeFile ? [resolve(routeFile, '..', spec)] : []), resolve(spec), resolve(modelsDir, spec)];
  const found = candidates.find((c) => existsSync(join(c, 'router.json')));
  if (!found) throw new Error(`no router "${spec}" (looked for router.json in ${candidates.join(', ')})`);
  return found;
}

const cache = new Map<string, { mtimeMs: number; router: NativeRouter }>();

/** Loads a router once per folder and weights file version; throws naming what is wrong. */
export function loadRouter(dir: string): NativeRouter {
  const mtimeMs = statSync(join(dir, 'weights.bin')).mtimeMs;
  const hit = cache.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.router;
  const router = NativeRouter.load(dir);
  cache.set(dir, { mtimeMs, router });
  return router;
}

/** The router's folder name and kind, as `router-<name>-<threshold>` may name it. */
export function routerNames(dir: string, router: NativeRouter): string[] {
  const info = JSON.parse(router.info) as { router?: string };
  return [basename(dir), ...(info.router ? [info.router] : [])];
}

/** Sample prompts from a file: JSON Lines with a "prompt" field, or one prompt per line. */
export function readPrompts(promptsFile: string): string[] {
  const prompts = readFileSync(promptsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      if (!l.trimStart().startsWith('{')) return l;
      const prompt = (JSON.parse(l) as { prompt?: unknown }).prompt;
      if (typeof prompt !== 'string') throw new Error(`${promptsFile}: a JSON line has no "prompt" string`);
      return prompt;
    });
  if (!prompts.length) throw new Error(`calibration prompts file ${promptsFile} is empty`);
  return prompts;
}

/** The threshold that sends `share` of the sample prompts to the strong model. */
export function calibrate(router: NativeRouter, promptsFile: string, share: number): number {
  return calibrateThreshold(router.scoreMany(readPrompts(promptsFile)), share);
}

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

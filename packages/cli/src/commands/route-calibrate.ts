import { readFileSync } from 'node:fs';
import { calibrateThreshold, NativeRouter } from '@switchboard/native';
import { routerDir } from './route-eval.js';

/**
 * `switchboard calibrate`: the threshold that sends `share` of the given
 * prompts to the strong model (RouteLLM's calibrate_threshold). Prompts are
 * JSON Lines with a "prompt" field, or plain text, one per line.
 */
export function runCalibrate(router: string, promptsFile: string, share: number): { threshold: number; prompts: number } {
  const lines = readFileSync(promptsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const prompts = lines.map((l) => {
    if (!l.trimStart().startsWith('{')) return l;
    const parsed = JSON.parse(l) as { prompt?: unknown };
    if (typeof parsed.prompt !== 'string') throw new Error(`${promptsFile}: a JSON line has no "prompt" string`);
    return parsed.prompt;
  });
  if (!prompts.length) throw new Error(`${promptsFile} has no prompts`);
  const scores = NativeRouter.load(routerDir(router)).scoreMany(prompts);
  return { threshold: calibrateThreshold(scores, share), prompts: prompts.length };
}

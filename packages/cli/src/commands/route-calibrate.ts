import { readPrompts, resolveRouterDir } from '@switchboard/gateway';
import { calibrateThreshold, NativeRouter } from '@switchboard/native';

/**
 * `switchboard calibrate`: the threshold that sends `share` of the given
 * prompts to the strong model (RouteLLM's calibrate_threshold). Prompts are
 * JSON Lines with a "prompt" field (and "messages" for a conversation, scored
 * with its turns), or plain text, one per line.
 */
export function runCalibrate(router: string, promptsFile: string, share: number): { threshold: number; prompts: number } {
  const prompts = readPrompts(promptsFile);
  const scores = NativeRouter.load(resolveRouterDir(router, undefined)).scoreMany(prompts.texts, prompts.turns);
  return { threshold: calibrateThreshold(scores, share), prompts: prompts.texts.length };
}

// What the offline commands (switchboard train / eval --router collaboration)
// share with the gateway's controller, so that a replay's prompts get the
// contexts the gateway would give them and the prior is the gateway's own.
import { loadTokenizer, NativeSemanticIndex } from '@switchboard/native';
import { lengthDifficulty, priorPlans, type Difficulty } from './controller.js';
import { taskClassifier } from './index.js';
import type { CollaborationSettings } from './plan.js';
import { ASSIGNMENTS, MODES, planKeyProblem } from './plans.js';
import { BUILT_IN_TASKS } from './prompts.js';

export { planKeyProblem, priorPlans, type Difficulty };

/** A prompt's `task/difficulty` parts as a collaboration route without a difficulty router computes them. */
export interface CollaborationContexts {
  /** The task classes the classifier tells apart. */
  tasks: readonly string[];
  taskOf(prompt: string): string;
  /** From the prompt's length as a one-message chat, with the default tokenizer (o200k_base). */
  difficultyOf(prompt: string): Difficulty;
}

/** The contexts of a route's `routing.collaboration.tasks` (the built-in classes when absent). */
export function collaborationContexts(tasks?: CollaborationSettings['tasks']): CollaborationContexts {
  const taskOf = taskClassifier(tasks, (encoder, utterances, routeOf, routes, topK) =>
    NativeSemanticIndex.fromText(encoder, utterances, routeOf, routes, topK),
  );
  const tokenizer = loadTokenizer('o200k_base');
  return {
    tasks: (tasks?.classes ?? BUILT_IN_TASKS).map((c) => c.name),
    taskOf,
    difficultyOf: (prompt) => lengthDifficulty(tokenizer.countChat([{ role: 'user', content: prompt }])),
  };
}

/** Plan keys in the order the controller lists its candidates (mode, team size, assignment). */
export function comparePlanKeys(a: string, b: string): number {
  const parts = (k: string) => {
    const [mode = '', agents = '', assignment = ''] = k.split(':');
    return [(MODES as readonly string[]).indexOf(mode), Number(agents), (ASSIGNMENTS as readonly string[]).indexOf(assignment)];
  };
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return a < b ? -1 : a > b ? 1 : 0;
}

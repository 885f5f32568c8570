import type { CompiledBackend } from '@switchboard/gateway';
import { pairwiseMessages, singleMessages } from './judge.js';
import type { LabelPlan } from './labeller.js';
import type { LabelItem } from './rows.js';

const callCost = (b: CompiledBackend, system: string, user: string, outputTokens: number): number => {
  const messages = system
    ? [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ]
    : [{ role: 'user', content: user }];
  return b.tokenizer.countChat(messages) * b.inputPricePerToken + outputTokens * b.outputPricePerToken;
};

/**
 * The most labelling `items` can cost, before it starts: each prompt's tokens
 * counted with each backend's tokenizer, every answer at its full
 * max_tokens, and the judge's calls with answers that long (each answer
 * stands in as max_tokens words, which a tokenizer counts about one token
 * each). Real answers are shorter: the run reports what it actually spent.
 */
export function estimateCost(items: readonly LabelItem[], plan: LabelPlan): { total: number; perPrompt: number } {
  const longAnswer = Array.from({ length: plan.maxTokens }, () => 'word').join(' ');
  let total = 0;
  for (const item of items) {
    for (const b of plan.backends) total += callCost(b, '', item.prompt, plan.maxTokens);
    const judge = plan.judge;
    if (item.reference !== undefined || !judge) continue;
    if (plan.mode === 'single') {
      const m = singleMessages(item.prompt, longAnswer);
      total += plan.backends.length * callCost(judge, m.system, m.user, plan.judgeMaxTokens);
    } else {
      const m = pairwiseMessages(item.prompt, longAnswer, longAnswer);
      const others = plan.backends.filter((b) => b !== plan.reference).length;
      total += 2 * others * callCost(judge, m.system, m.user, plan.judgeMaxTokens);
    }
  }
  return { total, perPrompt: items.length ? total / items.length : 0 };
}

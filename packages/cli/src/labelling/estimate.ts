import type { CompiledBackend } from '@switchboard/gateway';
import { pairwiseMessages, singleMessages } from './judge.js';
import type { LabelPlan } from './labeller.js';
import type { LabelItem } from './rows.js';

type Message = { role: string; content: string };

const callCost = (b: CompiledBackend, messages: Message[], outputTokens: number): number =>
  b.tokenizer.countChat(messages) * b.inputPricePerToken + outputTokens * b.outputPricePerToken;

const judgeCost = (b: CompiledBackend, m: { system: string; user: string }, outputTokens: number): number =>
  callCost(
    b,
    [
      { role: 'system', content: m.system },
      { role: 'user', content: m.user },
    ],
    outputTokens,
  );

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
    // A conversation's answers are asked for with its earlier messages, which cost input tokens too.
    const asked = [...(item.context ?? []), { role: 'user', content: item.prompt }];
    for (const b of plan.backends) total += callCost(b, asked, plan.maxTokens);
    const judge = plan.judge;
    if (item.reference !== undefined || !judge) continue;
    if (plan.mode === 'single') {
      const m = singleMessages(item.prompt, longAnswer, item.context);
      total += plan.backends.length * judgeCost(judge, m, plan.judgeMaxTokens);
    } else {
      const m = pairwiseMessages(item.prompt, longAnswer, longAnswer, item.context);
      const others = plan.backends.filter((b) => b !== plan.reference).length;
      total += 2 * others * judgeCost(judge, m, plan.judgeMaxTokens);
    }
  }
  return { total, perPrompt: items.length ? total / items.length : 0 };
}

// The judge's rubric prompts and how its verdicts become scores. The wording
// follows MT-Bench's single-answer and pairwise judge prompts (Zheng et al.,
// 2023), which RouteLLM's judge-labelled data used; docs/routing.md ("How label grades") quotes it.

export type JudgeMode = 'single' | 'pairwise';

export interface JudgeMessages {
  system: string;
  user: string;
}

export const SINGLE_RUBRIC =
  'Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user ' +
  'question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, ' +
  'depth, creativity, and level of detail of the response. Begin your evaluation by providing a short explanation. ' +
  'Be as objective as possible. After providing your explanation, you must rate the response on a scale of 1 to 10 ' +
  'by strictly following this format: "[[rating]]", for example: "Rating: [[5]]".';

export const PAIRWISE_RUBRIC =
  'Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the ' +
  "user question displayed below. You should choose the assistant that follows the user's instructions and answers " +
  "the user's question better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, " +
  'depth, creativity, and level of detail of their responses. Begin your evaluation by comparing the two responses ' +
  'and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were ' +
  'presented does not influence your decision. Do not allow the length of the responses to influence your ' +
  'evaluation. Do not favor certain names of the assistants. Be as objective as possible. After providing your ' +
  'explanation, output your final verdict by strictly following this format: "[[A]]" if assistant A is better, ' +
  '"[[B]]" if assistant B is better, and "[[C]]" for a tie.';

/**
 * Added to either rubric when the question ends a conversation: the judge
 * sees the earlier turns, and grades only the answer to the last one
 * (MT-Bench's multi-turn judging does the same with its second question).
 */
export const CONVERSATION_NOTE =
  ' The question is the last turn of a conversation, shown before it for context: evaluate only the answer to ' +
  'the question, taking into account what was said before it.';

/** Earlier turns of a conversation, marked as MT-Bench marks them; empty for a single question. */
function conversationBefore(context: readonly { role: string; content: string }[] | undefined): string {
  if (!context?.length) return '';
  const turns = context.map(
    (m) => `### ${m.role === 'assistant' ? 'Assistant' : m.role === 'system' ? 'System' : 'User'}:\n${m.content}`,
  );
  return `[The Start of the Conversation Before the Question]\n${turns.join('\n\n')}\n[The End of the Conversation Before the Question]\n\n`;
}

type Context = readonly { role: string; content: string }[] | undefined;

export function singleMessages(question: string, answer: string, context?: Context): JudgeMessages {
  return {
    system: context?.length ? SINGLE_RUBRIC + CONVERSATION_NOTE : SINGLE_RUBRIC,
    user: `${conversationBefore(context)}[Question]\n${question}\n\n[The Start of Assistant's Answer]\n${answer}\n[The End of Assistant's Answer]`,
  };
}

export function pairwiseMessages(question: string, a: string, b: string, context?: Context): JudgeMessages {
  return {
    system: context?.length ? PAIRWISE_RUBRIC + CONVERSATION_NOTE : PAIRWISE_RUBRIC,
    user:
      `${conversationBefore(context)}[User Question]\n${question}\n\n[The Start of Assistant A's Answer]\n${a}\n[The End of Assistant A's Answer]\n\n` +
      `[The Start of Assistant B's Answer]\n${b}\n[The End of Assistant B's Answer]`,
  };
}

/** The judge's 1-10 rating (its last "[[n]]"), undefined when it gave none in range. */
export function parseRating(text: string): number | undefined {
  const last = [...text.matchAll(/\[\[\s*(\d+(?:\.\d+)?)\s*\]\]/g)].pop();
  const n = last ? Number(last[1]) : NaN;
  return n >= 1 && n <= 10 ? n : undefined;
}

export type Verdict = 'A' | 'B' | 'C';

/** The judge's pairwise verdict (its last "[[A]]", "[[B]]" or "[[C]]"), undefined when none. */
export function parseVerdict(text: string): Verdict | undefined {
  const last = [...text.matchAll(/\[\[\s*([ABC])\s*\]\]/g)].pop();
  return last?.[1] as Verdict | undefined;
}

/** A 1-10 rating as a score in [0.1, 1]: arena-bench's convention (the grade / 10). */
export const ratingScore = (rating: number): number => rating / 10;

/**
 * The candidate's score against the reference answer from two verdicts, one
 * with the candidate as assistant A and one with it as B: win 1, tie 0.5,
 * loss 0, averaged — a judge that always prefers one position gives 0.5.
 */
export function pairwiseScore(candidateFirst: Verdict, candidateSecond: Verdict): number {
  const asA = candidateFirst === 'A' ? 1 : candidateFirst === 'C' ? 0.5 : 0;
  const asB = candidateSecond === 'B' ? 1 : candidateSecond === 'C' ? 0.5 : 0;
  return (asA + asB) / 2;
}

/** The reference answer's own score in pairwise mode: AlpacaEval's convention (a tie with itself). */
export const REFERENCE_SCORE = 0.5;

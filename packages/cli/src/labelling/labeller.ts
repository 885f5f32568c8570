import type { CompiledBackend } from '@switchboard/gateway';
import {
  pairwiseMessages,
  pairwiseScore,
  parseRating,
  parseVerdict,
  ratingScore,
  REFERENCE_SCORE,
  singleMessages,
  type JudgeMessages,
  type JudgeMode,
  type Verdict,
} from './judge.js';
import { gradeByReference, gradingFor, type ReferenceGrading } from './reference.js';
import type { ConversationMessage, LabelItem, LabelledRow } from './rows.js';

/** One backend's answer to one chat call. */
export interface Answer {
  text: string;
  outputTokens: number;
  latencyMs: number;
  /** US dollars at the backend's prices. */
  cost: number;
}

export type ChatMessage = ConversationMessage;

/**
 * One chat call to a backend whose text `read` accepts (it throws on an
 * unusable answer, e.g. a judge verdict it cannot parse): the concurrency
 * limit, retries and spending are the caller's.
 */
export type Call = <T>(
  backend: CompiledBackend,
  messages: ChatMessage[],
  maxTokens: number,
  read: (text: string) => T,
) => Promise<{ answer: Answer; value: T }>;

/** What labelling asks of the route: who answers, who is the pairwise reference, who judges. */
export interface LabelPlan {
  backends: readonly CompiledBackend[];
  /** Pairwise mode: the backend every other answer is compared with (the strong model). */
  reference: CompiledBackend | undefined;
  judge: CompiledBackend | undefined;
  mode: JudgeMode;
  /** How reference answers are checked; by default what each reference looks like. */
  grading: ReferenceGrading | undefined;
  maxTokens: number;
  judgeMaxTokens: number;
  /** `source` of rows whose input names none. */
  source: string;
}

const asIs = (text: string) => text;

function judged<T>(read: (text: string) => T | undefined, what: string): (text: string) => T {
  return (text) => {
    const v = read(text);
    if (v === undefined) throw new Error(`the judge's answer has no ${what}: ${JSON.stringify(text.slice(-120))}`);
    return v;
  };
}

const messages = (m: JudgeMessages): ChatMessage[] => [
  { role: 'system', content: m.system },
  { role: 'user', content: m.user },
];

/** Every backend's answer to the prompt, graded: by the reference answer when there is one, else by the judge. */
export async function labelOne(item: LabelItem, plan: LabelPlan, call: Call): Promise<LabelledRow> {
  // A conversation's prompt is answered in its conversation, as the gateway's backend answered it.
  const asked: ChatMessage[] = [...(item.context ?? []), { role: 'user', content: item.prompt }];
  const answers = await Promise.all(plan.backends.map((b) => call(b, asked, plan.maxTokens, asIs)));
  const row: LabelledRow = {
    id: item.id,
    prompt: item.prompt,
    ...(item.context ? { messages: asked } : {}),
    source: item.source ?? plan.source,
    scores: {},
    output_chars: {},
    output_tokens: {},
    latency_ms: {},
    cost_usd: {},
    grading: '',
    judge_cost_usd: 0,
  };
  plan.backends.forEach((b, i) => {
    const a = (answers[i] as { answer: Answer }).answer;
    row.output_chars[b.model] = a.text.length;
    row.output_tokens[b.model] = a.outputTokens;
    row.latency_ms[b.model] = Math.round(a.latencyMs);
    row.cost_usd[b.model] = a.cost;
  });
  const texts = answers.map((a) => a.value);
  if (item.reference !== undefined) {
    const grading = plan.grading ?? gradingFor(item.reference);
    row.reference = item.reference;
    row.grading = `reference:${grading}`;
    plan.backends.forEach(
      (b, i) => (row.scores[b.model] = gradeByReference(texts[i] as string, item.reference as string, grading)),
    );
    return row;
  }
  const judge = plan.judge;
  if (!judge) throw new Error(`prompt ${item.id} has no reference answer and no --judge was given`);
  const ask = async <T>(m: JudgeMessages, read: (text: string) => T) => {
    const { answer, value } = await call(judge, messages(m), plan.judgeMaxTokens, read);
    row.judge_cost_usd += answer.cost;
    return value;
  };
  row.grading = `judge:${plan.mode}`;
  if (plan.mode === 'single') {
    const ratings = await Promise.all(
      texts.map((t) => ask(singleMessages(item.prompt, t, item.context), judged(parseRating, 'rating [[1-10]]'))),
    );
    plan.backends.forEach((b, i) => (row.scores[b.model] = ratingScore(ratings[i] as number)));
    return row;
  }
  const ref = plan.reference;
  const at = ref ? plan.backends.indexOf(ref) : -1;
  if (!ref || at < 0) throw new Error('pairwise judging needs the reference backend among the answering backends');
  const refText = texts[at] as string;
  const verdict = judged<Verdict>(parseVerdict, 'verdict [[A]], [[B]] or [[C]]');
  await Promise.all(
    plan.backends.map(async (b, i) => {
      if (b === ref) return (row.scores[b.model] = REFERENCE_SCORE);
      const t = texts[i] as string;
      // Both orders: the candidate as assistant A, then as B, so a judge's preference for a position cancels.
      const [first, second] = await Promise.all([
        ask(pairwiseMessages(item.prompt, t, refText, item.context), verdict),
        ask(pairwiseMessages(item.prompt, refText, t, item.context), verdict),
      ]);
      return (row.scores[b.model] = pairwiseScore(first, second));
    }),
  );
  return row;
}

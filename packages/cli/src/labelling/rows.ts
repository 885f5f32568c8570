import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { contentText } from '@switchboard/gateway';

/** A message of a conversation, as the backends are sent it. */
export interface ConversationMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One prompt to label. */
export interface LabelItem {
  id: string;
  prompt: string;
  /** The conversation before the prompt (system prompt, earlier turns), when it had one. */
  context?: ConversationMessage[] | undefined;
  /** A reference answer: the answers are graded against it instead of by the judge. */
  reference?: string | undefined;
  /** The row's `source` (`<dataset>/<task>`), when the input names one. */
  source?: string | undefined;
}

/** A labelled prompt: what `switchboard train` reads (DESIGN.md section 5), and what each answer cost. */
export interface LabelledRow {
  id: string;
  prompt: string;
  source: string;
  /** Per model (the backend's `model`): 0..1. */
  scores: Record<string, number>;
  output_chars: Record<string, number>;
  output_tokens: Record<string, number>;
  latency_ms: Record<string, number>;
  /** US dollars, at the backend's prices and the usage it reported. */
  cost_usd: Record<string, number>;
  /** reference:exact|numeric|choice, judge:single or judge:pairwise. */
  grading: string;
  /** What grading cost (the judge's calls). */
  judge_cost_usd: number;
  reference?: string;
  /** A conversation: its messages, the prompt last (train reads its turns from them). */
  messages?: ConversationMessage[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A prompt's id when its line has none: stable across runs, so a re-run finds
 * it done. A conversation's covers its earlier messages too, so the same
 * follow-up ("go on") in two conversations is two prompts.
 */
export const promptId = (prompt: string, context?: readonly ConversationMessage[]): string => {
  const hash = createHash('sha256').update(prompt);
  if (context?.length) hash.update(`\0${JSON.stringify(context)}`);
  return `p-${hash.digest('hex').slice(0, 16)}`;
};

const ROLES: Record<string, ConversationMessage['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};

/**
 * The messages before the last user message of a line's `messages` (the
 * prompt is that message): system (or developer), user and assistant
 * messages with text; tool messages and empty ones are left out, as a plain
 * chat call cannot carry them. Undefined when there is nothing before it.
 */
export function contextOf(messages: unknown): ConversationMessage[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  const roleOf = (m: unknown) => (m && typeof m === 'object' ? ROLES[String((m as { role?: unknown }).role)] : undefined);
  let last = messages.length - 1;
  while (last >= 0 && roleOf(messages[last]) !== 'user') last--;
  const context: ConversationMessage[] = [];
  for (const m of messages.slice(0, Math.max(last, 0))) {
    const role = roleOf(m);
    // a string, or text parts joined, as the gateway's sampling writes a message
    const content = contentText((m as { content?: unknown }).content);
    if (role && content) context.push({ role, content });
  }
  return context.length ? context : undefined;
}

/**
 * Prompts to label: JSON Lines with a "prompt" string (and optionally "id",
 * "reference" or "answer", "source", and "messages": the conversation the
 * prompt is the last user message of) — a prompts file, or the records the
 * gateway's prompt sampling writes — or one prompt per line. A prompt seen
 * twice (same id) is labelled once.
 */
export function readLabelInput(file: string): LabelItem[] {
  const items = new Map<string, LabelItem>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let item: LabelItem;
      if (line.trimStart().startsWith('{')) {
        let v: Record<string, unknown>;
        try {
          v = JSON.parse(line) as Record<string, unknown>;
        } catch (err) {
          throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
        }
        const prompt = str(v.prompt);
        if (prompt === undefined) throw new Error(`${file}:${i + 1}: a JSON line needs a "prompt" string`);
        const context = contextOf(v.messages);
        item = {
          id: str(v.id) ?? promptId(prompt, context),
          prompt,
          context,
          reference: str(v.reference) ?? str(v.answer),
          source: str(v.source),
        };
      } else item = { id: promptId(line), prompt: line };
      if (!items.has(item.id)) items.set(item.id, item);
    });
  return [...items.values()];
}

/** Ids already in the output file (a re-run skips them); lines that do not parse (a run cut mid-line) are not done. */
export function doneIds(file: string): Set<string> {
  const done = new Set<string>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') done.add(id);
    } catch {
      // an unfinished line: its prompt is labelled again
    }
  }
  return done;
}

/** Appends rows as whole lines, after closing a line a killed run left open. */
export class RowWriter {
  constructor(readonly file: string) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.length && !text.endsWith('\n')) appendFileSync(file, '\n');
    }
  }

  write(row: LabelledRow): void {
    appendFileSync(this.file, `${JSON.stringify(row)}\n`);
  }
}

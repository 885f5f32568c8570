import type { AnsweredRequest } from '../table/route.js';
import { redact, REDACT_MARGIN, type Redaction } from './redact.js';

/**
 * One sampled request, one JSON line (or one Redis stream entry). `prompt`
 * is what `switchboard label` reads. Never any key material: the caller is
 * named by tenant and key name only.
 */
export interface SampleRecord {
  /** ISO 8601, UTC. */
  time: string;
  route: string;
  tenant?: string;
  apiKey?: string;
  model: string;
  backend: string;
  score?: number;
  decision?: string;
  operation: string;
  endpoint: string;
  /** The text the routing read (and a learned router scored), cut and redacted. */
  prompt: string;
  /** Chat requests: role and text of each message, sharing the same character cap. */
  messages?: { role: string; content: string }[];
  /** Set when a text was cut to maxPromptChars. */
  truncated?: true;
  /** How many redaction matches were replaced, when any were: in the messages (chat), else in the prompt (which repeats a message). */
  redactions?: number;
}

export interface RecordSettings {
  maxPromptChars: number;
  redactions: readonly Redaction[];
}

/** A text cut (with a margin, so a match at the cut is still seen), redacted, then cut to `max`. */
function clean(text: string, max: number, redactions: readonly Redaction[]): { text: string; cut: boolean; count: number } {
  const read = text.length > max + REDACT_MARGIN ? text.slice(0, max + REDACT_MARGIN) : text;
  const done = redactions.length ? redact(read, redactions, max + REDACT_MARGIN) : { text: read, count: 0 };
  const cut = text.length > max || done.text.length > max;
  return { text: cut ? done.text.slice(0, max) : done.text, cut, count: done.count };
}

/** The text of a chat message's content: a string, or its text parts joined (images and audio left out). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: unknown) =>
      p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '',
    )
    .filter(Boolean)
    .join('\n');
}

export function buildRecord(req: AnsweredRequest, settings: RecordSettings, now: Date): SampleRecord {
  const { maxPromptChars: max, redactions } = settings;
  const prompt = clean(req.prompt(), max, redactions);
  let truncated = prompt.cut;
  let count = prompt.count;
  let inMessages = 0;
  let messages: SampleRecord['messages'];
  const given = req.messages();
  if (given) {
    messages = [];
    let left = max;
    for (const m of given) {
      if (left <= 0) {
        truncated = true;
        break;
      }
      const role =
        m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string' ? (m as { role: string }).role : '';
      const c = clean(contentText((m as { content?: unknown } | null)?.content), left, redactions);
      truncated ||= c.cut;
      inMessages += c.count;
      left -= c.text.length;
      messages.push({ role: role.slice(0, 32), content: c.text });
    }
  }
  if (messages) count = Math.max(count, inMessages);
  return {
    time: now.toISOString(),
    route: req.route,
    ...(req.tenant !== undefined ? { tenant: req.tenant } : {}),
    ...(req.keyName !== undefined ? { apiKey: req.keyName } : {}),
    model: req.model,
    backend: req.backend,
    ...(req.score !== undefined && Number.isFinite(req.score) ? { score: req.score } : {}),
    ...(req.decision !== undefined ? { decision: req.decision } : {}),
    operation: req.operation,
    endpoint: req.endpoint,
    prompt: prompt.text,
    ...(messages ? { messages } : {}),
    ...(truncated ? { truncated: true as const } : {}),
    ...(count ? { redactions: count } : {}),
  };
}

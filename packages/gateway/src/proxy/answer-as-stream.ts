import type { Operation, ProxiedBody } from '../request/operations.js';

/** The objects of what should be a list of objects (a backend may send anything). */
const objects = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))
    : [];

/**
 * A whole answer (chat.completion or text_completion) as the stream events
 * that would have carried it: per choice its content and tool calls in one
 * chunk and its finish reason, then the usage chunk when the request asked
 * for it. For answers that had to be read whole before they were sent (a
 * cascade judges each stage's answer).
 */
export function answerAsEvents(op: Operation, json: Record<string, unknown>, body: ProxiedBody): unknown[] {
  const base = { id: json.id, created: json.created, model: json.model };
  const object = op.name === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const events: unknown[] = [];
  for (const [i, ch] of objects(json.choices).entries()) {
    if (op.name !== 'chat') {
      events.push({
        ...base,
        object,
        choices: [{ index: i, text: ch.text ?? '', finish_reason: ch.finish_reason ?? 'stop', logprobs: null }],
      });
      continue;
    }
    const message = objects([ch.message])[0] ?? {};
    const delta: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
    const calls = objects(message.tool_calls);
    if (calls.length) delta.tool_calls = calls.map((call, index) => ({ index, ...call }));
    events.push({ ...base, object, choices: [{ index: i, delta, finish_reason: null }] });
    events.push({ ...base, object, choices: [{ index: i, delta: {}, finish_reason: ch.finish_reason ?? 'stop' }] });
  }
  const options = body.stream_options as { include_usage?: boolean } | null | undefined;
  if (options?.include_usage && json.usage) events.push({ ...base, object, choices: [], usage: json.usage });
  return events;
}

import { isObject } from '../../request/is-object.js';
import { newId, responseObject, type ResponseParts, type ResponsesCall } from './call.js';

// chat.completion -> Response object.

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Chat usage in the Responses API's shape (input/output tokens and their details). */
export function responsesUsage(usage: unknown): Obj | null {
  if (!isObject(usage)) return null;
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  const inDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const outDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(inDetails.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(outDetails.reasoning_tokens) },
    total_tokens: input + output,
  };
}

/** A completed assistant message item with one output_text part (and a refusal part when the model refused). */
export function messageItem(id: string, text: string, refusal = ''): Obj {
  const content: Obj[] = [];
  if (text || !refusal) content.push({ type: 'output_text', text, annotations: [], logprobs: [] });
  if (refusal) content.push({ type: 'refusal', refusal });
  return { id, type: 'message', status: 'completed', role: 'assistant', content };
}

export function functionCallItem(id: string, callId: string, name: string, args: string): Obj {
  return { id, type: 'function_call', status: 'completed', call_id: callId, name, arguments: args };
}

/** Chat finish_reason -> the Response's status and incomplete reason. */
export function statusOf(finish: unknown): Pick<ResponseParts, 'status' | 'incompleteReason'> {
  if (finish === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (finish === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}

/** The Response for a chat completion answering `call` (its first choice: Responses has no `n`). */
export function fromChat(call: ResponsesCall, json: unknown): Obj {
  const chat = isObject(json) ? json : {};
  const choice = Array.isArray(chat.choices) && isObject(chat.choices[0]) ? chat.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const output: Obj[] = [];
  const text = str(message.content);
  const refusal = str(message.refusal);
  if (text || refusal) output.push(messageItem(newId('msg'), text, refusal));
  for (const tc of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const fn = isObject(tc) && isObject(tc.function) ? tc.function : {};
    output.push(functionCallItem(newId('fc'), str((tc as Obj).id) || newId('call'), str(fn.name), str(fn.arguments)));
  }
  return responseObject(call, {
    ...statusOf(choice.finish_reason),
    output,
    model: str(chat.model),
    usage: responsesUsage(chat.usage),
  });
}

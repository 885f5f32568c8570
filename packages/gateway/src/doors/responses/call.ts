import { randomBytes } from 'node:crypto';
import type { ResponsesItem, ResponsesRequest } from './schema.js';

/** An id in OpenAI's style: `resp_…`, `msg_…`, `fc_…`; random, so ids say nothing about each other. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(16).toString('hex')}`;

/** One Responses request on its way: who asked, what it continues, what will be stored. */
export interface ResponsesCall {
  /** The gateway's id of the answer (backends' own ids are replaced by it). */
  id: string;
  /** `tenant/key`, '' without auth: the stored answer is theirs alone. */
  owner: string;
  createdAt: number;
  request: ResponsesRequest;
  /** The whole input: earlier turns' input and output (from `previous_response_id`), then this request's, each with an id. */
  input: ResponsesItem[];
  /** Whether the answer is kept (the request's `store`, default true). */
  store: boolean;
}

/** Gives items without an id one, so input_items can list them and clients can name them. */
export function withIds(items: readonly ResponsesItem[]): ResponsesItem[] {
  return items.map((item) => {
    if (typeof item.id === 'string' && item.id) return item;
    const type = item.type ?? 'message';
    const prefix =
      type === 'function_call' ? 'fc' : type === 'function_call_output' ? 'fco' : type === 'reasoning' ? 'rs' : 'msg';
    return { ...(item.type ? {} : { type: 'message' }), ...item, id: newId(prefix) };
  });
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseParts {
  status: ResponseStatus;
  output: Record<string, unknown>[];
  model?: string | undefined;
  usage?: Record<string, unknown> | null | undefined;
  error?: { code: string; message: string } | null;
  incompleteReason?: string | undefined;
}

/** The Response object for `call`: the request's settings echoed, as OpenAI's API returns them. */
export function responseObject(call: ResponsesCall, parts: ResponseParts): Record<string, unknown> {
  const r = call.request;
  return {
    id: call.id,
    object: 'response',
    created_at: call.createdAt,
    status: parts.status,
    background: false,
    error: parts.error ?? null,
    incomplete_details: parts.incompleteReason ? { reason: parts.incompleteReason } : null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: parts.model || r.model,
    output: parts.output,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: { effort: r.reasoning?.effort ?? null, summary: null },
    store: call.store,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_p: r.top_p ?? 1,
    truncation: 'disabled',
    usage: parts.usage ?? null,
    user: r.user ?? null,
    metadata: r.metadata ?? {},
  };
}

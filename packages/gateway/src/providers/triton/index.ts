import type { Operation } from '../../request/operations.js';
import { baseHeaders, serialize } from '../openai/index.js';
import type { Provider, StreamTranslator } from '../provider.js';
import { promptOf } from './prompt.js';

/** max_tokens sent when neither the client nor the route sets one. */
export const TRITON_DEFAULT_MAX_TOKENS = 256;

const created = () => Math.floor(Date.now() / 1000);

function toOpenAI(op: Operation, output: string, model: string, finish: string | null) {
  return op.name === 'chat'
    ? {
        id: `chatcmpl-triton-${Date.now()}`,
        object: 'chat.completion',
        created: created(),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: output }, logprobs: null, finish_reason: finish }],
      }
    : {
        id: `cmpl-triton-${Date.now()}`,
        object: 'text_completion',
        created: created(),
        model,
        choices: [{ index: 0, text: output, logprobs: null, finish_reason: finish }],
      };
}

class TritonStreamTranslator implements StreamTranslator {
  readonly usage = undefined; // Triton reports none: the gateway counts tokens natively.
  // generate_stream has no end-of-answer event: a body that ends cleanly is the whole answer.
  readonly complete = true;
  #started = false;
  constructor(
    private readonly op: Operation,
    private readonly model: string,
  ) {}

  event(e: { data: string }): unknown[] {
    const ev = JSON.parse(e.data) as { text_output?: string; error?: string };
    if (ev.error) return [{ error: { message: ev.error, type: 'upstream_error', code: null, param: null } }];
    const piece = ev.text_output ?? '';
    const base = { id: 'triton-stream', created: created(), model: this.model };
    if (this.op.name !== 'chat')
      return [{ ...base, object: 'text_completion', choices: [{ index: 0, text: piece, logprobs: null, finish_reason: null }] }];
    const delta = this.#started ? { content: piece } : { role: 'assistant', content: piece };
    this.#started = true;
    return [{ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] }];
  }
}

/**
 * NVIDIA Triton's HTTP generate extension (TensorRT-LLM ensembles and BLS
 * models): `text_input`, `max_tokens`, sampling fields in, `text_output`
 * out; `generate_stream` sends one SSE event per piece. Triton reports no
 * usage, so the gateway counts tokens natively.
 */
export const tritonProvider: Provider = {
  supports: (op) => op.name !== 'embeddings',
  buildRequest(op, backend, body, requestId) {
    const payload: Record<string, unknown> = {
      text_input: promptOf(op, body, backend),
      max_tokens: body.max_completion_tokens ?? body.max_tokens ?? backend.maxOutputTokens ?? TRITON_DEFAULT_MAX_TOKENS,
      stream: Boolean(body.stream),
    };
    if (typeof body.temperature === 'number') payload.temperature = body.temperature;
    if (typeof body.top_p === 'number') payload.top_p = body.top_p;
    if (body.stop != null) payload.stop_words = Array.isArray(body.stop) ? body.stop : [body.stop];
    const headers = baseHeaders(backend, body, requestId);
    if (backend.apiKey) headers.authorization = `Bearer ${backend.apiKey}`;
    const path = `${backend.baseUrl.pathname}v2/models/${encodeURIComponent(backend.model)}/${body.stream ? 'generate_stream' : 'generate'}`;
    return { path, headers, body: serialize(payload) };
  },
  toOpenAI: (json, { op, backend }) => toOpenAI(op, (json as { text_output?: string }).text_output ?? '', backend.model, 'stop'),
  streamTranslator: ({ op, backend }) => new TritonStreamTranslator(op, backend.model),
  healthPath: 'v2/health/ready',
};

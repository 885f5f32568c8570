import type { StreamTranslator, Usage } from '../provider.js';
import { usageFromOpenAI } from '../../request/usage.js';
import { finishReason, openAIUsage, type AnthropicUsage } from './response.js';

interface StreamEvent {
  type?: string;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  index?: number;
  content_block?: { type?: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/**
 * Messages API stream events -> OpenAI chat.completion.chunk payloads.
 * message_start opens the assistant turn, text deltas become content deltas,
 * tool_use blocks become tool_calls (arguments streamed as they arrive),
 * message_delta carries the finish reason and the output token count. The
 * usage chunk OpenAI sends only on request (stream_options.include_usage)
 * is sent only then; the gateway reads usage from the translator itself.
 * The call of a JSON schema's tool (json-output.ts) is the answer: its
 * input_json_delta pieces are content deltas, and its tool_use stop a stop.
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  #id = '';
  #model = '';
  #created = Math.floor(Date.now() / 1000);
  /** The message's usage as Anthropic reports it (message_start, then message_delta). */
  #usage: AnthropicUsage = {};
  #done = false;
  #toolIndex = -1;
  readonly #toolBlocks = new Map<number, number>();
  /** The block of the schema tool's call, once it started; whether any of its input was sent. */
  #answerBlock: number | undefined;
  #answerSent = false;

  constructor(
    private readonly includeUsage: boolean,
    /** The tool the request's JSON schema became, when it asked for one. */
    private readonly schemaTool?: string,
  ) {}

  get complete(): boolean {
    return this.#done;
  }

  get usage(): Usage | undefined {
    return this.#done ? usageFromOpenAI({ usage: openAIUsage(this.#usage) }) : undefined;
  }

  event(e: { event?: string | undefined; data: string }): unknown[] {
    const ev = JSON.parse(e.data) as StreamEvent;
    switch (ev.type ?? e.event) {
      case 'message_start':
        this.#id = ev.message?.id ?? '';
        this.#model = ev.message?.model ?? '';
        this.#usage = { ...ev.message?.usage };
        return [this.#chunk({ role: 'assistant', content: '' })];
      case 'content_block_start': {
        const block = ev.content_block;
        if (block?.type === 'tool_use' && this.schemaTool !== undefined && block.name === this.schemaTool) {
          this.#answerBlock = ev.index ?? 0;
          return [];
        }
        if (block?.type === 'tool_use') {
          this.#toolBlocks.set(ev.index ?? 0, ++this.#toolIndex);
          return [
            this.#chunk({
              tool_calls: [
                {
                  index: this.#toolIndex,
                  id: block.id ?? '',
                  type: 'function',
                  function: { name: block.name ?? '', arguments: '' },
                },
              ],
            }),
          ];
        }
        return block?.type === 'text' && block.text ? [this.#chunk({ content: block.text })] : [];
      }
      case 'content_block_delta': {
        const d = ev.delta;
        if (d?.type === 'text_delta') return [this.#chunk({ content: d.text ?? '' })];
        if (d?.type === 'input_json_delta' && this.#answerBlock !== undefined && (ev.index ?? 0) === this.#answerBlock) {
          if (!d.partial_json) return [];
          this.#answerSent = true;
          return [this.#chunk({ content: d.partial_json })];
        }
        if (d?.type === 'input_json_delta') {
          const index = this.#toolBlocks.get(ev.index ?? 0) ?? this.#toolIndex;
          return [this.#chunk({ tool_calls: [{ index, function: { arguments: d.partial_json ?? '' } }] })];
        }
        return [];
      }
      case 'content_block_stop':
        // A schema tool called with no input at all still answers: with the empty object, as a whole answer does.
        if (this.#answerBlock !== undefined && (ev.index ?? 0) === this.#answerBlock && !this.#answerSent) {
          this.#answerSent = true;
          return [this.#chunk({ content: '{}' })];
        }
        return [];
      case 'message_delta': {
        // message_delta's usage is cumulative: it may restate any field of message_start's.
        this.#usage = { ...this.#usage, ...ev.usage };
        this.#done = true;
        let finish = finishReason(ev.delta?.stop_reason);
        if (finish === 'tool_calls' && this.#answerBlock !== undefined) finish = 'stop';
        const out: unknown[] = [this.#chunk({}, finish)];
        if (this.includeUsage) {
          out.push({
            ...this.#base(),
            choices: [],
            usage: openAIUsage(this.#usage),
          });
        }
        return out;
      }
      case 'error':
        return [
          {
            error: {
              message: ev.error?.message ?? 'backend stream error',
              type: 'upstream_error',
              code: ev.error?.type ?? null,
              param: null,
            },
          },
        ];
      default:
        return []; // ping, message_stop
    }
  }

  #base() {
    return { id: this.#id, object: 'chat.completion.chunk', created: this.#created, model: this.#model };
  }

  #chunk(delta: Record<string, unknown>, finish: string | null = null) {
    return { ...this.#base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }
}

import type { NativeTokenizer } from '@switchboard/native';
import type { Operation, ProxiedBody } from './operations.js';

/**
 * The prompt's token count per tokenizer, computed on first use: one native
 * call per request, more only when a route mixes tokenizers.
 */
export class PromptTokens {
  #first: NativeTokenizer | undefined;
  #firstCount = 0;
  #others: Map<NativeTokenizer, number> | undefined;

  constructor(
    private readonly op: Operation,
    private readonly body: ProxiedBody,
  ) {}

  for(tokenizer: NativeTokenizer): number {
    if (this.#first === undefined) {
      this.#first = tokenizer;
      this.#firstCount = this.op.promptTokens(tokenizer, this.body);
    }
    if (tokenizer === this.#first) return this.#firstCount;
    this.#others ??= new Map();
    let n = this.#others.get(tokenizer);
    if (n === undefined) this.#others.set(tokenizer, (n = this.op.promptTokens(tokenizer, this.body)));
    return n;
  }
}

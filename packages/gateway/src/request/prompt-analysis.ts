import type { NativeTokenizer } from '@switchboard/native';
import type { RouterUse } from '../table/strategy.js';
import type { Operation, PromptView, ProxiedBody } from './operations.js';

const NO_OUTPUTS: readonly number[] = [];

/**
 * What the native core says about one request's prompt, asked once: the
 * prompt is extracted once (by the operation), its token count is made once
 * per tokenizer, and the route's router outputs (when its strategy has a
 * native router) are made once and read by the strategy.
 *
 * The first count (the proxy asks for it before admission) is made in the
 * same native call as the router's outputs, so a request that needs both
 * crosses into Rust once; only a backend with another tokenizer costs a
 * second (count-only) call.
 */
export class PromptAnalysis {
  #view: PromptView | undefined;
  #first: NativeTokenizer | undefined;
  #firstCount = 0;
  #others: Map<NativeTokenizer, number> | undefined;
  #outputs: readonly number[] | undefined;

  constructor(
    private readonly op: Operation,
    private readonly body: ProxiedBody,
    private readonly router: RouterUse | undefined,
  ) {}

  get view(): PromptView {
    return (this.#view ??= this.op.view(this.body));
  }

  /** The text routers and rules read. */
  text(): string {
    return this.view.text;
  }

  tokens(tokenizer: NativeTokenizer): number {
    if (this.#first === undefined) {
      this.#first = tokenizer;
      this.#firstCount = this.#count(tokenizer);
    }
    if (tokenizer === this.#first) return this.#firstCount;
    this.#others ??= new Map();
    let n = this.#others.get(tokenizer);
    if (n === undefined) this.#others.set(tokenizer, (n = this.op.promptTokens(tokenizer, this.view)));
    return n;
  }

  /** The route's router outputs for the prompt (empty when its strategy has no native router). */
  routerOutputs(): readonly number[] {
    // Normally made by the first count; a strategy that ranks before any count pays its own call.
    if (this.#outputs === undefined) {
      const r = this.router;
      this.#outputs = !r ? NO_OUTPUTS : r.reads === 'score' ? [r.native.score(this.text())] : r.native.outputs(this.text());
    }
    return this.#outputs;
  }

  /** The first tokenizer's count, with the router's outputs in the same call when they are still to be made. */
  #count(tokenizer: NativeTokenizer): number {
    if (!this.router || this.#outputs !== undefined || !this.op.analyze) return this.op.promptTokens(tokenizer, this.view);
    const { tokens, outputs } = this.op.analyze(tokenizer, this.view, this.router);
    this.#outputs = outputs;
    return tokens;
  }
}

// Bodies of the simulated backend, shaped like OpenAI's API responses.

const WORDS = [' Switchboard', ' routes', ' each', ' prompt', ' to', ' the', ' model', ' that', ' fits', ' it', ' best', '.'];

/** The mock's completion: `n` word-sized pieces of a fixed sentence. */
export function completionPieces(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'Switchboard' : (WORDS[i % WORDS.length] as string)));
}

/** A rough prompt size (characters / 4): the mock is not a tokenizer. */
export function approxTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

export function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function chatCompletion(id: string, model: string, text: string, u: object | undefined, n = 1) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      message: { role: 'assistant', content: text },
      logprobs: null as ReturnType<typeof chatLogprobs> | null,
      finish_reason: 'stop',
    })),
    ...(u ? { usage: u } : {}),
  };
}

export function chatChunk(id: string, model: string, delta: object, finish: string | null, u?: object, index = 0) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: u ? [] : [{ index, delta, logprobs: null, finish_reason: finish }],
    ...(u ? { usage: u } : {}),
  };
}

export function textCompletion(id: string, model: string, text: string, u: object | undefined, n = 1) {
  return {
    id,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: Array.from({ length: n }, (_, index) => ({ index, text, logprobs: null, finish_reason: 'stop' })),
    ...(u ? { usage: u } : {}),
  };
}

export function textChunk(id: string, model: string, text: string, finish: string | null, u?: object, index = 0) {
  return {
    id,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: u ? [] : [{ index, text, logprobs: null, finish_reason: finish }],
    ...(u ? { usage: u } : {}),
  };
}

/** Deterministic unit-free vector derived from the input text (FNV-1a seeded). */
export function embeddingVector(input: string, dims: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 16777619);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ i;
    out.push(((h >>> 0) / 0xffffffff) * 2 - 1);
  }
  return out;
}

/** Bag of hashed lower-case words: texts that share words get similar vectors. */
export function wordsVector(input: string, dims: number): number[] {
  const out = new Array<number>(dims).fill(0);
  for (const word of input
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    out[(h >>> 0) % dims] = (out[(h >>> 0) % dims] as number) + 1;
  }
  return out;
}

/** OpenAI's chat `logprobs` object: every piece at the same log-probability. */
export function chatLogprobs(pieces: readonly string[], logprob: number) {
  return { content: pieces.map((token) => ({ token, logprob, bytes: null, top_logprobs: [] })), refusal: null };
}

/** Behaviour of the simulated OpenAI-compatible server. Mutable at run time. */
export interface MockBackendOptions {
  /** Model name reported in responses; by default the one requested. */
  model?: string;
  /** Delay before the response headers (non-streaming: before the whole answer). */
  latencyMs: number;
  /** Streaming: delay before the first token. */
  ttftMs: number;
  /** Streaming: pace of the following tokens; 0 sends them all at once. */
  tokensPerSecond: number;
  /** Tokens (words) in each completion. */
  completionTokens: number;
  /** Share of requests answered with an HTTP error, 0..1. */
  errorRate: number;
  /** Status used for injected errors. */
  errorStatus: number;
  /** Report `usage` in responses (and in streams when asked via stream_options). */
  usage: boolean;
  /** Embedding vector length. */
  embeddingDimensions: number;
  /** hash: a pseudo-random vector per text; words: a bag of hashed words, so texts sharing words are similar. */
  embeddingKind: 'hash' | 'words';
  /** The answer's text in place of the fixed sentence (e.g. a verifier's "yes"). */
  replyText: string | undefined;
  /** In-process only: the answer's text from the request body (a simulated judge, a model that answers per prompt). */
  reply?: ((body: Record<string, unknown>) => string) | undefined;
  /** Log-probability of every answer token, sent when the request asks for logprobs. */
  tokenLogprob: number;
  /** Retry-After header value sent with injected errors. */
  retryAfter: string | undefined;
  /** Fault: send the response headers and this many body bytes, then drop the connection. */
  cutAfterBytes: number | undefined;
  /** Fault: answer 200 with a body (or SSE events) that is not valid JSON. */
  malformed: boolean;
}

export const DEFAULT_MOCK_OPTIONS: MockBackendOptions = {
  latencyMs: 0,
  ttftMs: 0,
  tokensPerSecond: 0,
  completionTokens: 16,
  errorRate: 0,
  errorStatus: 500,
  usage: true,
  embeddingDimensions: 16,
  embeddingKind: 'hash',
  replyText: undefined,
  tokenLogprob: -0.1,
  retryAfter: undefined,
  cutAfterBytes: undefined,
  malformed: false,
};

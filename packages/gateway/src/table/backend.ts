import type { NativeTokenizer } from '@switchboard/native';
import type { ChatTemplate } from '../providers/triton/chat-template.js';

/** Upstream time limits, in milliseconds. */
export interface TimeoutsMs {
  connect: number;
  firstToken: number;
  idle: number;
  total: number;
}

export type ProviderName = 'openai' | 'openai-compatible' | 'nim' | 'azure-openai' | 'anthropic' | 'triton';

/** Request features a backend may lack. */
export type Capability = 'tools' | 'images' | 'json-mode';

/** Failure classes that move a request to the next backend. */
export type RetryOn = 'connect-error' | 'reset' | '5xx' | '429' | 'timeout';

/** Which transport carries a backend's calls: chosen once, when the table is built. */
export type TransportKind = 'http' | 'grpc';

/** What only one protocol needs, by provider (Envoy AI Gateway's filterapi.Backend, as a tagged union). */
export type ProviderSettings =
  | { kind: 'openai' }
  | { kind: 'azure-openai'; apiVersion: string }
  | { kind: 'anthropic'; apiVersion: string }
  /** triton: chat messages -> the model's text prompt. */
  | { kind: 'triton'; chatTemplate: ChatTemplate };

/** A backend ready to be called: references resolved, defaults applied. */
export interface CompiledBackend {
  name: string;
  provider: ProviderName;
  transport: TransportKind;
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:9001/v1/` (or `grpc://host:8001/`). */
  baseUrl: URL;
  model: string;
  /** Resolved API key, if the backend needs one. Never logged. */
  apiKey: string | undefined;
  inputPricePerToken: number;
  /** Input tokens read from a prompt cache (default: the input price). */
  cachedInputPricePerToken: number;
  /** Input tokens written to a prompt cache, Anthropic (default: the input price). */
  cacheWritePricePerToken: number;
  outputPricePerToken: number;
  contextWindow: number | undefined;
  priority: number;
  weight: number;
  tokenizer: NativeTokenizer;
  capabilities: ReadonlySet<Capability>;
  /** Extra headers for every request to this backend. */
  headers: Readonly<Record<string, string>>;
  /**
   * The most this backend writes when the client sets no max_tokens: the
   * route's configured value, else the provider's own default (anthropic
   * 4096, triton 256); undefined when the backend decides (OpenAI family).
   */
  maxOutputTokens: number | undefined;
  /** Requests in flight per process; undefined = unlimited. */
  maxConcurrency: number | undefined;
  maxQueue: number;
  settings: ProviderSettings;
}

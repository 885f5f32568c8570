import type { NativeTokenizer } from '@switchboard/native';
import type { ChatTemplate } from '../providers/triton/chat-template.js';
import type { Strategy } from '../routing/strategy.js';

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

export interface OutlierConfig {
  consecutiveFailures: number;
  failureRate: number;
  minRequests: number;
  windowMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
}

export interface HealthCheckConfig {
  intervalMs: number;
  timeoutMs: number;
  /** Path under the endpoint; undefined = the provider's own (models, or NIM's health/ready). */
  path: string | undefined;
}

export interface ResilienceConfig {
  retryOn: ReadonlySet<RetryOn>;
  maxAttempts: number;
  retryBudget: { ratio: number; minRetriesPerSecond: number };
  outlier: OutlierConfig;
  /** Active checks; undefined when off. */
  healthCheck: HealthCheckConfig | undefined;
}

/** A backend ready to be called: references resolved, defaults applied. */
export interface CompiledBackend {
  name: string;
  provider: ProviderName;
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:9001/v1/`. */
  baseUrl: URL;
  model: string;
  /** Resolved API key, if the backend needs one. Never logged. */
  apiKey: string | undefined;
  inputPricePerToken: number;
  outputPricePerToken: number;
  contextWindow: number | undefined;
  priority: number;
  weight: number;
  tokenizer: NativeTokenizer;
  capabilities: ReadonlySet<Capability>;
  /** triton: chat messages -> the model's text prompt. */
  chatTemplate: ChatTemplate;
  /** Extra headers for every request to this backend. */
  headers: Readonly<Record<string, string>>;
  /** azure-openai api-version / anthropic-version; undefined = the provider default. */
  apiVersion: string | undefined;
  /** anthropic: max_tokens when the client sends none. */
  maxOutputTokens: number | undefined;
  /** Requests in flight per process; undefined = unlimited. */
  maxConcurrency: number | undefined;
  maxQueue: number;
}

export interface CompiledRoute {
  /** `namespace/name`, as shown in headers and metrics. */
  id: string;
  modelNames: readonly string[];
  backends: readonly CompiledBackend[];
  strategy: Strategy;
  timeouts: TimeoutsMs;
  resilience: ResilienceConfig;
  /** Route-wide limits (all callers); undefined when none. */
  limits: { requestsPerMinute?: number; tokensPerMinute?: number } | undefined;
  /** Completion tokens a request without max_tokens reserves against limits and budgets (per choice). */
  reserveOutputTokens: number;
}

/**
 * The data plane's whole configuration: immutable, swapped atomically. A
 * request keeps the table it started with even if a new one is swapped in.
 * Holds no Kubernetes types (see docs/architecture.md).
 */
export interface RouteTable {
  /** Increases with every accepted configuration. */
  version: number;
  /** Model name -> route. */
  byModel: ReadonlyMap<string, CompiledRoute>;
  routes: readonly CompiledRoute[];
}

export const EMPTY_TABLE: RouteTable = { version: 0, byModel: new Map(), routes: [] };

import type { NativeTokenizer } from '@switchboard/native';
import type { Strategy } from '../routing/strategy.js';

/** Upstream time limits, in milliseconds. */
export interface TimeoutsMs {
  connect: number;
  firstToken: number;
  idle: number;
  total: number;
}

export type ProviderName = 'openai' | 'openai-compatible';

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
}

export interface CompiledRoute {
  /** `namespace/name`, as shown in headers and metrics. */
  id: string;
  modelNames: readonly string[];
  backends: readonly CompiledBackend[];
  strategy: Strategy;
  timeouts: TimeoutsMs;
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

import type { Problem } from '@switchboard/api';
import type { Capability, ProviderName, RetryOn, TimeoutsMs, TransportKind } from '../table/backend.js';
import type { HealthCheckConfig, OutlierConfig } from '../table/route.js';

// The route plan: what compile() makes of LLMRoutes — data only (strings,
// numbers, lists; no live objects), so it can be compared, hashed and
// table-tested. build() turns it into a RouteTable (docs/architecture.md).

/** Where a route came from, for resolving its references. */
export interface RouteOrigin {
  /** Route file (standalone mode): relative paths are resolved against its folder. */
  file?: string | undefined;
  namespace: string;
  /**
   * Kubernetes mode: the operator's folders (SWITCHBOARD_MODELS, the image's
   * models/) that every file a route names must resolve inside, symlinks
   * followed (runtime/route-files.ts). Absent: paths as written (standalone).
   */
  confineTo?: readonly string[] | undefined;
}

export type ProviderSettingsPlan =
  | { kind: 'openai' }
  | { kind: 'azure-openai'; apiVersion: string }
  | { kind: 'anthropic'; apiVersion: string }
  /** A named template (llama-3, mistral, chatml) or a Jinja template, compiled by build. */
  | { kind: 'triton'; chatTemplate: string | undefined };

export interface BackendPlan {
  name: string;
  provider: ProviderName;
  transport: TransportKind;
  /** With a trailing slash. */
  baseUrl: string;
  model: string;
  apiKey: string | undefined;
  inputPricePerToken: number;
  cachedInputPricePerToken: number;
  cacheWritePricePerToken: number;
  outputPricePerToken: number;
  contextWindow: number | undefined;
  priority: number;
  weight: number;
  /** An encoding name (o200k_base) or a tokenizer.json path, loaded by build. */
  tokenizer: string;
  capabilities: Capability[];
  headers: Record<string, string>;
  maxOutputTokens: number | undefined;
  maxConcurrency: number | undefined;
  maxQueue: number;
  settings: ProviderSettingsPlan;
}

export interface ResiliencePlan {
  retryOn: RetryOn[];
  maxAttempts: number;
  retryBudget: { ratio: number; minRetriesPerSecond: number };
  outlier: OutlierConfig;
  healthCheck: HealthCheckConfig | undefined;
}

/** A rule in front of the strategy: conditions, and the backend it sends matching requests to. */
export interface RulePlan {
  name: string;
  backend: string;
  promptMatches?: string;
  keywords?: string[];
  header?: { name: string; equals?: string; matches?: string };
  metadata?: { key: string; equals: string };
  minPromptTokens?: number;
  maxPromptTokens?: number;
}

/** A strategy's own settings, normalised by its plan(): data only, JSON-serialisable. */
export type StrategySettings = { readonly [key: string]: unknown };

export interface StrategyPlan {
  kind: string;
  settings: StrategySettings;
  rules: RulePlan[];
}

/** Where sampled records go. */
export type SampleSinkPlan =
  | {
      kind: 'file';
      /** Absolute. */
      path: string;
      maxBytes: number;
      maxFiles: number;
      /** Kubernetes mode / --sampling-dir: the resolved folder the file must stay in (no symlink out). */
      confinedTo?: string;
    }
  | { kind: 'redis'; url: string; stream: string; maxLength: number; password: string | undefined };

export interface SamplingPlan {
  /** 0..1. */
  rate: number;
  maxPromptChars: number;
  /** Checked patterns (patternProblem found nothing), applied in order by the regex crate. */
  redact: { pattern: string; flags: string; replacement: string }[];
  sink: SampleSinkPlan;
}

export interface RoutePlan {
  id: string;
  modelNames: string[];
  origin: RouteOrigin;
  backends: BackendPlan[];
  strategy: StrategyPlan;
  timeouts: TimeoutsMs;
  resilience: ResiliencePlan;
  limits: { requestsPerMinute?: number; tokensPerMinute?: number } | undefined;
  reserveOutputTokens: number;
  /** Prompt sampling; undefined when the route has none (the default). */
  sampling: SamplingPlan | undefined;
  /** Stable hash of everything above. */
  hash: string;
}

export interface TablePlan {
  routes: RoutePlan[];
  /** Every route's problems by id (empty list = accepted), for status conditions. */
  problemsByRoute: Map<string, Problem[]>;
  /** Problems of rejected routes, each message prefixed with the route id. */
  problems: Problem[];
  /** Ids (`namespace/name`) of routes left out. */
  rejected: string[];
  /** Stable hash of the accepted routes' plans, in order: equal fingerprints build equal tables. */
  fingerprint: string;
}

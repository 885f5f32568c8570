// The shapes of the gateway's console API answers (see packages/gateway/src/console and explain/).

export interface BackendInfo {
  name: string;
  provider: string;
  model: string;
  priority: number;
  weight: number;
  prices: { input: number; output: number } | null;
  contextWindow: number | null;
  health: string;
  ejections: number;
  concurrency: { active: number; queued: number; max: number | null };
}

export interface LimitPreview {
  scope: string;
  limit: string;
  max: number;
  used: number;
  requested: number;
  admits: boolean;
  resetsAt: string;
}

export interface RouteInfo {
  id: string;
  models: string[];
  strategy: string;
  runner: Record<string, unknown> | null;
  limits: { requestsPerMinute?: number; tokensPerMinute?: number } | null;
  limitsInUse: LimitPreview[] | 'unavailable';
  backends: BackendInfo[];
}

export interface Overview {
  configVersion: number;
  loaded: boolean;
  mode: string;
  tracing: boolean;
  captureContent: boolean;
  savings: string | null;
  routes: RouteInfo[];
}

export interface Decision {
  seq: number;
  at: string;
  requestId: string;
  route: string;
  model: string;
  tenant: string;
  strategy: string;
  decision: string | null;
  score: number | null;
  backend: string | null;
  attempts: number;
  status: number;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number;
  prompt?: string;
}

export interface StatPoint {
  minute: string;
  requests: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Stats {
  from: string;
  series: { route: string; backend: string; points: StatPoint[] }[];
}

export interface SavingsBackend {
  backend: string;
  requests: number;
  share: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  spend: number;
  priced: boolean | null;
}

export interface SavingsRoute {
  route: string;
  known: boolean;
  requests: number;
  spend: number;
  routingCost: number;
  baseline: { backend: string; chosen: string; cost: number } | null;
  saved: number | null;
  savedShare: number | null;
  backends: SavingsBackend[];
  routing: {
    kind: string;
    backend: string | null;
    calls: number;
    promptTokens: number;
    completionTokens: number;
    spend: number;
    priced: boolean;
  }[];
  unpriced: string[];
  tenants: { tenant: string; requests: number; spend: number; baselineCost: number | null; saved: number | null }[];
}

export interface Savings {
  window: { from: string; to: string; resolution: string };
  totals: {
    requests: number;
    spend: number;
    routingCost: number;
    baselineCost: number;
    saved: number;
    withoutBaseline: string[];
  };
  routes: SavingsRoute[];
  series?: {
    start: string;
    routes: { route: string; spend: number; baselineCost: number | null; requests: Record<string, number> }[];
  }[];
}

export interface ExplainedBackend {
  name: string;
  provider: string;
  model: string;
  priority: number;
  weight: number;
  rank: number | null;
  skipped: string | null;
  health: string;
  ejections: number;
  concurrency: { active: number; queued: number; max: number | null; free: boolean };
  promptTokens: number;
  contextWindow: number | null;
  missing: string[];
  prices: { input: number; output: number } | null;
  cost: { prompt: number; upTo: number };
  figures: Record<string, number | string | boolean>;
  chanceFirst?: number;
}

export interface Explanation {
  route: string;
  model: string;
  endpoint: string;
  strategy: string;
  rules: { name: string; backend: string; matched: boolean }[];
  decision: string | null;
  score: number | null;
  notes: Record<string, unknown>;
  chosen: string | null;
  ranking: string[];
  skipped: { backend: string; reason: string }[];
  runner: Record<string, unknown> | null;
  limits: { admitted: boolean; checked: LimitPreview[]; storeUnavailable: boolean };
  outcome: string;
  askedModel: boolean;
  backends: ExplainedBackend[];
}

export interface Comparison {
  route: string;
  answers: {
    backend: string;
    model: string;
    latencyMs: number;
    text?: string;
    usage?: { promptTokens: number; completionTokens: number };
    cost?: number;
    error?: string;
  }[];
}

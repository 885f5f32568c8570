export { createApp, DEFAULT_BODY_LIMIT } from './app.js';
export type { AppDeps } from './context.js';
export {
  compileRoutes,
  routeId,
  DEFAULT_TIMEOUTS,
  type CompileContext,
  type CompileResult,
  type RouteSource,
} from './config/compile.js';
export { standaloneSecrets, type RouteOrigin, type SecretResolver } from './config/secrets.js';
export { RouteTableStore } from './config/table-store.js';
export type { CompiledBackend, CompiledRoute, RouteTable, TimeoutsMs } from './config/route-table.js';
export { GatewayError } from './errors.js';
export { GatewayMetrics } from './metrics/metrics.js';
export { UpstreamPools } from './upstream/pools.js';
export { DEFAULT_UPSTREAM_LIMITS, type UpstreamLimits } from './upstream/limits.js';
export { listen, type RunningServer } from './server.js';
export { RouteStates } from './resilience/route-states.js';
export { ActiveHealthChecks } from './resilience/active-health.js';
export type { LimitStore, Counter as LimitCounter, Window as LimitWindow, ConsumeResult } from './limits/store.js';
export { MemoryLimitStore } from './limits/memory-store.js';
export { RedisLimitStore } from './limits/redis-store.js';
export { ApiKeyRegistry, hashKey, mayUse, type Caller } from './auth/api-keys.js';
export type { AuthMode } from './middleware/auth.js';
export { Admission, type StoreFailureMode } from './limits/admission.js';
export { GRPCInferenceService, parameter, parameterMap } from './providers/triton/grpc/protocol.js';
export type { ModelInferRequest, ModelInferResponse, InferTensorContents } from './providers/triton/grpc/protocol.js';
export { splitBytesTensor } from './providers/triton/grpc/tensors.js';
export { loadRouter, readPrompts, resolveRouterDir } from './config/routers.js';
export {
  MemoryLearningStore,
  RedisLearningStore,
  learningStore,
  setLearningStore,
  type LearningStore,
} from './routing/bandit/store.js';
export {
  addReward,
  automatonUpdate,
  chooseArm,
  emptyState,
  reward,
  type BanditAlgorithm,
  type BanditParams,
  type BanditState,
  type RewardWeights,
} from './routing/bandit/algorithms.js';
export { EmbeddingsClient } from './routing/sources/embeddings.js';
export { parsePreference } from './routing/predictive.js';

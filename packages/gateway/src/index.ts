// What the other packages (cli, controller) and the cross-package tests use.
export { createApp } from './app.js';
export type { AppDeps } from './context.js';
export { Configurator, type ApplyMode, type ApplyOutcome } from './runtime/configurator.js';
export { TableBuilder } from './runtime/table-builder.js';
export { defaultFactories, readPrompts, resolveRouterDir, turnsOf } from './runtime/factories.js';
export { standaloneSecrets } from './runtime/secret-sources.js';
export type { RouteSource, SecretResolver } from './plan/secrets.js';
export { samplingFilesFor, type SamplingFiles } from './plan/sampling.js';
export { contentText } from './sampling/record.js';
export type { CompiledRoute, RouteTable } from './table/route.js';
export type { CompiledBackend } from './table/backend.js';
// Offline callers of backends (switchboard label) price answers as the gateway does.
export { costOf, usageFromOpenAI, type Usage } from './request/usage.js';
export { RouteTableStore } from './table/table-store.js';
export { Transports } from './transport/transport.js';
export { HttpTransport } from './transport/http/http-transport.js';
export { GrpcTransport } from './transport/grpc/grpc-transport.js';
export { GatewayMetrics } from './metrics/metrics.js';
export { DEFAULT_UPSTREAM_LIMITS, type UpstreamLimits } from './upstream/limits.js';
export { listen, type RunningServer } from './server.js';
export { RouteStates } from './resilience/route-states.js';
export { ActiveHealthChecks } from './resilience/active-health.js';
export type { LimitStore } from './limits/store.js';
export { MemoryLimitStore } from './limits/memory-store.js';
export { RedisLimitStore } from './limits/redis-store.js';
export { ApiKeyRegistry, hashKey } from './auth/api-keys.js';
export type { AuthMode } from './middleware/auth.js';
export { Admission, type StoreFailureMode } from './limits/admission.js';
export { MemoryLearningStore, RedisLearningStore, type LearningStore } from './learning/store.js';
export { MemoryResponseStore, RedisResponseStore, type ResponseStore } from './doors/responses/store.js';
export {
  addReward,
  automatonUpdate,
  chooseArm,
  emptyState,
  type BanditAlgorithm,
  type BanditParams,
} from './strategies/bandit/algorithms.js';
export { EmbeddingsClient } from './sources/embeddings.js';
// The simulated Triton of `switchboard mock-backend --protocol triton-grpc` speaks the same protocol.
export { GRPCInferenceService, parameter, parameterMap } from './transport/grpc/protocol.js';
export type { ModelInferRequest, ModelInferResponse, InferTensorContents } from './transport/grpc/protocol.js';
export { splitBytesTensor } from './transport/grpc/tensors.js';
// Savings, tracing, the console (issue 17).
export { adminAccess, type AdminAccess } from './auth/admin-key.js';
export { combineObservers } from './observe/combine.js';
export type { RequestObserver } from './observe/observer.js';
export { SavingsLedger } from './savings/ledger.js';
export { MemorySavingsStore } from './savings/memory-store.js';
export { RedisSavingsStore } from './savings/redis-store.js';
export type { SavingsStore } from './savings/store.js';
export { savingsObserver } from './savings/observer.js';
export { evaluatorCall } from './savings/side-calls.js';
export { startTracing, tracingWanted, type Tracing } from './tracing/setup.js';
export { tracingObserver } from './tracing/observer.js';
export { RecentDecisions } from './console/recent.js';
export { loadConsoleAssets } from './console/assets.js';
// The collaboration controller's contexts and prior, for training and evaluation on replays.
export {
  collaborationContexts,
  comparePlanKeys,
  planKeyProblem,
  priorPlans,
  type CollaborationContexts,
  type Difficulty,
} from './strategies/collaboration/offline.js';

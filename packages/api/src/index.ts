export type * from './generated/llmroute.js';
export type { ApiKeys, ApiKey, Tenant, Budget, RateLimits } from './generated/api-keys.js';
export { loadApiKeysFromYaml, type ApiKeysResult } from './api-keys.js';
export { apiKeysSchema, llmRouteSchema, LLMROUTE_API_VERSION, LLMROUTE_KIND } from './schema.js';
export { validateLLMRoute, type ValidationResult } from './validate.js';
export { loadRoutesFromYaml, type LoadedRoute, type LoadResult } from './load-yaml.js';
export { formatProblem, type Problem } from './problem.js';
export { parseDuration } from './duration.js';

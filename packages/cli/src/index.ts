export { startMockBackend, type MockBackend } from './mock-backend/server.js';
export { DEFAULT_MOCK_OPTIONS, type MockBackendOptions } from './mock-backend/options.js';
export { RoutesDirectory, RoutesInvalidError, type LoadOutcome } from './standalone/routes-dir.js';
export { startGatewayProcess, type GatewayProcess, type GatewayProcessOptions } from './gateway-process.js';
export { ApiKeysFile } from './standalone/api-keys-file.js';
export { ConfigError } from './standalone/config-error.js';
export { startMockTritonGrpc, startMockTritonHttp, type MockTriton, type MockTritonOptions } from './mock-backend/triton.js';

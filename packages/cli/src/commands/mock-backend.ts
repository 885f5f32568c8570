import type { Logger } from 'pino';
import { startMockBackend } from '../mock-backend/server.js';
import type { MockBackendOptions } from '../mock-backend/options.js';
import { startMockTritonGrpc, startMockTritonHttp, type MockTritonOptions } from '../mock-backend/triton.js';
import { onShutdownSignal } from './serve.js';

/** `switchboard mock-backend`: a simulated OpenAI-compatible server. */
export async function mockBackend(
  opts: Partial<MockBackendOptions> & { port: number; host: string },
  log: Logger,
): Promise<void> {
  const mock = await startMockBackend(opts);
  log.info({ url: mock.url, options: mock.options }, 'mock backend listening');
  onShutdownSignal(log, () => mock.close());
}

/** `switchboard mock-backend --protocol triton-grpc|triton-http`: a simulated Triton. */
export async function mockTriton(
  protocol: 'triton-grpc' | 'triton-http',
  opts: Partial<MockTritonOptions> & { port: number; host: string },
  log: Logger,
): Promise<void> {
  const mock = await (protocol === 'triton-grpc' ? startMockTritonGrpc(opts) : startMockTritonHttp(opts));
  log.info({ url: mock.url, protocol }, 'mock Triton listening');
  onShutdownSignal(log, () => mock.close());
}

import type { Logger } from 'pino';
import { startMockBackend } from '../mock-backend/server.js';
import type { MockBackendOptions } from '../mock-backend/options.js';
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

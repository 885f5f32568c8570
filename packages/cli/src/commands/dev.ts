import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRoutesFromYaml } from '@switchboard/api';
import type { Logger } from 'pino';
import { startMockBackend, type MockBackend } from '../mock-backend/server.js';
import { startGatewayProcess } from '../gateway-process.js';
import type { OperatorOptions } from '../operator-views.js';
import { onShutdownSignal } from './serve.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * `switchboard dev`: the gateway on a routes folder, plus a simulated
 * backend on every local port those routes point at (http://127.0.0.1:PORT),
 * so the example routes answer on a machine with no network and no keys.
 */
export async function dev(
  opts: {
    routesDir: string;
    port: number;
    host: string;
    auth: { apiKeysFile: string } | 'disabled';
    operator: OperatorOptions;
  },
  log: Logger,
): Promise<void> {
  const mocks: MockBackend[] = [];
  for (const port of await localBackendPorts(opts.routesDir)) {
    mocks.push(await startMockBackend({ port, latencyMs: 20, ttftMs: 50, tokensPerSecond: 40 }));
    log.info({ url: `http://127.0.0.1:${port}/v1` }, 'mock backend started');
  }
  const gateway = await startGatewayProcess({ ...opts, bodyLimitBytes: 10 * 1024 * 1024, shutdownGraceMs: 5000, log });
  log.info(
    { url: gateway.server.url, models: [...gateway.store.current().byModel.keys()] },
    `switchboard (dev) listening: try  curl ${gateway.server.url}/v1/models${opts.operator.console ? `, or open ${gateway.server.url}/console/` : ''}`,
  );
  onShutdownSignal(log, async () => {
    await gateway.shutdown();
    await Promise.all(mocks.map((m) => m.close()));
  });
}

async function localBackendPorts(dir: string): Promise<number[]> {
  const ports = new Set<number>();
  for (const name of (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n))) {
    const file = join(dir, name);
    for (const { route } of loadRoutesFromYaml(await readFile(file, 'utf8'), file).routes) {
      for (const b of route.spec.backends) {
        if (b.endpoint === undefined) continue;
        const url = new URL(b.endpoint);
        if (LOCAL_HOSTS.has(url.hostname) && url.port) ports.add(Number(url.port));
      }
    }
  }
  return [...ports];
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startGatewayProcess,
  startMockBackend,
  type GatewayProcess,
  type MockBackend,
  type MockBackendOptions,
} from '@switchboard/cli';
import type { UpstreamLimits } from '@switchboard/gateway';
import { pino, type Logger } from 'pino';

export interface Harness {
  gateway: GatewayProcess;
  url: string;
  mocks: MockBackend[];
  routesDir: string;
  writeRoutes(yaml: string, file?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real gateway on a real socket, serving a temporary routes folder, with
 * simulated backends behind it. `routes` receives the mocks' base URLs.
 */
export interface HarnessOptions {
  /** API keys file content (YAML); auth is disabled when absent. */
  apiKeys?: string;
  redisUrl?: string | undefined;
  limitsOnStoreError?: 'open' | 'closed';
  /** The gateway's logger (silent by default); captureLog() records what it writes. */
  log?: Logger;
  upstreamLimits?: UpstreamLimits;
}

/** A pino logger whose lines are kept, parsed, for tests that check what the gateway logged. */
export function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { log, lines };
}

export async function startHarness(
  routes: (mockUrls: string[]) => string,
  mockOptions: Partial<MockBackendOptions>[] = [{}],
  options: HarnessOptions = {},
): Promise<Harness> {
  const mocks = await Promise.all(mockOptions.map((o) => startMockBackend(o)));
  const routesDir = await mkdtemp(join(tmpdir(), 'switchboard-routes-'));
  const writeRoutes = (yaml: string, file = 'routes.yaml') => writeFile(join(routesDir, file), yaml);
  await writeRoutes(routes(mocks.map((m) => m.url)));
  const keysFile = join(routesDir, '..', `${routesDir.split('/').pop() ?? 'x'}-keys.yaml`);
  if (options.apiKeys) await writeFile(keysFile, options.apiKeys);
  const gateway = await startGatewayProcess({
    auth: options.apiKeys ? { apiKeysFile: keysFile } : 'disabled',
    redisUrl: options.redisUrl,
    limitsOnStoreError: options.limitsOnStoreError ?? 'open',
    routesDir,
    port: 0,
    host: '127.0.0.1',
    bodyLimitBytes: 1024 * 1024,
    shutdownGraceMs: 1000,
    log: options.log ?? pino({ level: 'silent' }),
    upstreamLimits: options.upstreamLimits,
  });
  return {
    gateway,
    url: gateway.server.url,
    mocks,
    routesDir,
    writeRoutes,
    async close() {
      await gateway.shutdown();
      await Promise.all(mocks.map((m) => m.close()));
      await rm(routesDir, { recursive: true, force: true });
      await rm(keysFile, { force: true });
    },
  };
}

/** A single-route LLMRoute YAML. */
export function routeYaml(name: string, backends: { name: string; url: string; extra?: string }[], extra = ''): string {
  return `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
${backends
  .map(
    (b) => `    - name: ${b.name}
      provider: openai-compatible
      endpoint: ${b.url}
      model: ${b.name}-model
      cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 }
${b.extra ?? ''}`,
  )
  .join('')}${extra}
`;
}

/** POSTs one user message to the gateway's chat endpoint. */
export const chat = (url: string, model: string, content: string, headers: Record<string, string> = {}, extra: object = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });

export const chatBody = (model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello, Switchboard!' }], ...extra });

/** Polls `check` until it holds (for file-watch reloads); fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000, describe?: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met in time${describe ? `:\n${describe()}` : ''}`);
}

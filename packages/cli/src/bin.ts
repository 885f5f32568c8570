#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { dev } from './commands/dev.js';
import { mockBackend, mockTriton } from './commands/mock-backend.js';
import { serve } from './commands/serve.js';
import { ConfigError } from './standalone/config-error.js';

const HELP = `switchboard: a Kubernetes-native LLM routing gateway

Usage:
  switchboard serve --routes DIR (--api-keys FILE | --no-auth) [--port 8080]
                    [--host 0.0.0.0] [--workers 1] [--redis URL]
                    [--limits-on-store-error open|closed] [--body-limit 10485760]
                    [--max-header-size 16384] [--drain-delay 0] [--shutdown-grace 30]
      Serve every LLMRoute YAML file in DIR; reload when DIR changes.
      --api-keys FILE  callers' keys, tenants, limits and budgets (reloaded on change);
                       --no-auth serves without authentication (trusted networks only).
      --workers N      processes sharing the port (0 = one per CPU); limits then need --redis.
      --redis URL      count rate limits and budgets in Redis, shared by all replicas.
  switchboard dev [--routes examples/routes] [--port 8080] [--api-keys FILE]
      Like serve (without authentication unless --api-keys is given), and
      also simulate every backend the routes put on http://127.0.0.1:PORT.
      No network and no keys needed.
  switchboard mock-backend [--port 9000] [--model NAME] [--latency-ms 0]
                    [--ttft-ms 0] [--tokens-per-second 0] [--completion-tokens 16]
                    [--error-rate 0] [--error-status 500] [--retry-after SECONDS]
                    [--cut-after-bytes N] [--malformed] [--no-usage]
      An OpenAI-compatible simulated backend, with fault injection.
  switchboard mock-backend --protocol triton-grpc|triton-http [--port 8001]
                    [--piece-delay-ms 0]
      A simulated NVIDIA Triton: KServe v2 gRPC (models "ensemble", decoupled
      TensorRT-LLM style, and "legacy", INPUT_0/OUTPUT_0) or the HTTP generate
      extension (model "ensemble").

Environment: LOG_LEVEL (info), backend keys named by routes' auth.env.
`;

const num = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got "${v}"`);
  return n;
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      routes: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'body-limit': { type: 'string' },
      'shutdown-grace': { type: 'string' },
      'drain-delay': { type: 'string' },
      'max-header-size': { type: 'string' },
      'api-keys': { type: 'string' },
      'no-auth': { type: 'boolean' },
      redis: { type: 'string' },
      'limits-on-store-error': { type: 'string' },
      model: { type: 'string' },
      'latency-ms': { type: 'string' },
      'ttft-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'completion-tokens': { type: 'string' },
      'error-rate': { type: 'string' },
      'error-status': { type: 'string' },
      'no-usage': { type: 'boolean' },
      'retry-after': { type: 'string' },
      'cut-after-bytes': { type: 'string' },
      malformed: { type: 'boolean' },
      protocol: { type: 'string' },
      'piece-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } });
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const host = values.host ?? '0.0.0.0';
  switch (command) {
    case 'serve': {
      if (!values.routes) throw new UsageError('serve needs --routes DIR');
      if (values['api-keys'] && values['no-auth']) throw new UsageError('--api-keys and --no-auth exclude each other');
      if (!values['api-keys'] && !values['no-auth']) {
        throw new UsageError('serve needs --api-keys FILE, or --no-auth to serve without authentication (trusted networks only)');
      }
      const onStoreError = values['limits-on-store-error'] ?? 'open';
      if (onStoreError !== 'open' && onStoreError !== 'closed')
        throw new UsageError('--limits-on-store-error must be open or closed');
      return serve(
        {
          routesDir: values.routes,
          auth: values['api-keys'] ? { apiKeysFile: values['api-keys'] } : 'disabled',
          redisUrl: values.redis,
          limitsOnStoreError: onStoreError,
          drainDelayMs: num(values['drain-delay'], 0, 'drain-delay') * 1000,
          maxHeaderBytes: num(values['max-header-size'], 16 * 1024, 'max-header-size'),
          port: num(values.port, 8080, 'port'),
          host,
          workers: num(values.workers, 1, 'workers'),
          bodyLimitBytes: num(values['body-limit'], 10 * 1024 * 1024, 'body-limit'),
          shutdownGraceMs: num(values['shutdown-grace'], 30, 'shutdown-grace') * 1000,
        },
        log,
      );
    }
    case 'dev':
      return dev(
        {
          routesDir: values.routes ?? 'examples/routes',
          port: num(values.port, 8080, 'port'),
          host,
          auth: values['api-keys'] ? { apiKeysFile: values['api-keys'] } : 'disabled',
        },
        log,
      );
    case 'mock-backend':
      if (values.protocol === 'triton-grpc' || values.protocol === 'triton-http') {
        return mockTriton(
          values.protocol,
          {
            port: num(values.port, 8001, 'port'),
            host: values.host ?? '127.0.0.1',
            pieceDelayMs: num(values['piece-delay-ms'], 0, 'piece-delay-ms'),
          },
          log,
        );
      }
      if (values.protocol !== undefined && values.protocol !== 'openai') {
        throw new UsageError(`--protocol must be openai, triton-grpc or triton-http, got "${values.protocol}"`);
      }
      return mockBackend(
        {
          port: num(values.port, 9000, 'port'),
          host: values.host ?? '127.0.0.1',
          ...(values.model ? { model: values.model } : {}),
          latencyMs: num(values['latency-ms'], 0, 'latency-ms'),
          ttftMs: num(values['ttft-ms'], 0, 'ttft-ms'),
          tokensPerSecond: num(values['tokens-per-second'], 0, 'tokens-per-second'),
          completionTokens: num(values['completion-tokens'], 16, 'completion-tokens'),
          errorRate: num(values['error-rate'], 0, 'error-rate'),
          errorStatus: num(values['error-status'], 500, 'error-status'),
          usage: !values['no-usage'],
          retryAfter: values['retry-after'],
          cutAfterBytes:
            values['cut-after-bytes'] === undefined ? undefined : num(values['cut-after-bytes'], 0, 'cut-after-bytes'),
          malformed: Boolean(values.malformed),
        },
        log,
      );
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`switchboard: ${err.message}\n${err instanceof UsageError ? `\n${HELP}` : ''}`);
  } else {
    process.stderr.write(`switchboard: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(2);
});

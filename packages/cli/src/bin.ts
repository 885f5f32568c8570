#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { dev } from './commands/dev.js';
import { mockBackend } from './commands/mock-backend.js';
import { serve } from './commands/serve.js';
import { RoutesInvalidError } from './standalone/routes-dir.js';

const HELP = `switchboard: a Kubernetes-native LLM routing gateway

Usage:
  switchboard serve --routes DIR [--port 8080] [--host 0.0.0.0] [--workers 1]
                    [--body-limit 10485760] [--shutdown-grace 30]
      Serve every LLMRoute YAML file in DIR; reload when DIR changes.
      --workers N  processes sharing the port (0 = one per CPU).
  switchboard dev [--routes examples/routes] [--port 8080]
      Like serve, and also simulate every backend the routes put on
      http://127.0.0.1:PORT. No network and no keys needed.
  switchboard mock-backend [--port 9000] [--model NAME] [--latency-ms 0]
                    [--ttft-ms 0] [--tokens-per-second 0] [--completion-tokens 16]
                    [--error-rate 0] [--error-status 500] [--retry-after SECONDS]
                    [--cut-after-bytes N] [--malformed] [--no-usage]
      An OpenAI-compatible simulated backend, with fault injection.

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
    case 'serve':
      if (!values.routes) throw new UsageError('serve needs --routes DIR');
      return serve(
        {
          routesDir: values.routes,
          port: num(values.port, 8080, 'port'),
          host,
          workers: num(values.workers, 1, 'workers'),
          bodyLimitBytes: num(values['body-limit'], 10 * 1024 * 1024, 'body-limit'),
          shutdownGraceMs: num(values['shutdown-grace'], 30, 'shutdown-grace') * 1000,
        },
        log,
      );
    case 'dev':
      return dev({ routesDir: values.routes ?? 'examples/routes', port: num(values.port, 8080, 'port'), host }, log);
    case 'mock-backend':
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
  if (err instanceof RoutesInvalidError || err instanceof UsageError) {
    process.stderr.write(`switchboard: ${err.message}\n${err instanceof UsageError ? `\n${HELP}` : ''}`);
  } else {
    process.stderr.write(`switchboard: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(2);
});

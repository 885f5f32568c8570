import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { KubernetesSourceOptions } from '../gateway-process.js';
import { list, nonNegative, parseOptions, UsageError, type OptionValues } from './args.js';
import type { Command } from './command.js';
import { operatorHelp, operatorOptions, operatorSettings } from './operator-options.js';

const options = {
  routes: { type: 'string' },
  kubernetes: { type: 'boolean' },
  'api-keys': { type: 'string' },
  'api-keys-secret': { type: 'string' },
  'no-auth': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  workers: { type: 'string' },
  redis: { type: 'string' },
  'limits-on-store-error': { type: 'string' },
  'body-limit': { type: 'string' },
  'max-header-size': { type: 'string' },
  'drain-delay': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  namespaces: { type: 'string' },
  'lease-name': { type: 'string' },
  'lease-namespace': { type: 'string' },
  'lease-duration': { type: 'string' },
  'allow-env-credentials': { type: 'string' },
  'allow-file-credentials': { type: 'string' },
  'max-response-bytes': { type: 'string' },
  'max-sse-line-bytes': { type: 'string' },
  ...operatorOptions,
  'sampling-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = OptionValues<typeof options>;

const help = `Usage:
  switchboard serve (--routes DIR | --kubernetes) (--api-keys FILE | --no-auth) [--port 8080]
                    [--host 0.0.0.0] [--workers 1] [--redis URL]
                    [--limits-on-store-error open|closed] [--body-limit 10485760]
                    [--max-header-size 16384] [--drain-delay 0] [--shutdown-grace 30]
                    [--max-response-bytes 67108864] [--max-sse-line-bytes 4194304]
                    [--console --admin-key-file FILE] [--capture-prompts] [--no-savings]
                    [--sampling-dir DIR]

Serve every LLMRoute YAML file in DIR; reload when DIR changes.
  --api-keys FILE  callers' keys, tenants, limits and budgets (reloaded on change);
                   --no-auth serves without authentication (trusted networks only).
  --workers N      processes sharing the port (0 = one per CPU); limits then need --redis.
  --redis URL      count rate limits and budgets in Redis, shared by all replicas.
  --kubernetes     serve the cluster's LLMRoute resources (in-cluster config or
                   KUBECONFIG) instead of a folder; [--namespaces a,b] limits the
                   watch; [--api-keys-secret [NS/]NAME[:KEY]] reads the keys file
                   from a Secret (default key keys.yaml); the Lease holder
                   ([--lease-name switchboard-leader] [--lease-namespace POD_NAMESPACE]
                   [--lease-duration 15s]) writes LLMRoute status. Routes take keys from
                   Secrets in their own namespace: auth.env / auth.file only for the pod's
                   variables and absolute file paths in [--allow-env-credentials A,B]
                   [--allow-file-credentials /path,...] (default none).
  --max-response-bytes N  largest backend answer read (streamed or not): 502 beyond.
  --max-sse-line-bytes N  longest line, or event, of a backend's event stream: the stream ends with an error.
${operatorHelp}
  --sampling-dir DIR  where routes' spec.sampling.file records may go: the file is then a
                   plain name, written as DIR/<route namespace>/<name>. Without it,
                   --kubernetes refuses sampling.file (route authors do not choose paths
                   on the gateway pod; sampling.redis still works); standalone routes
                   may name any path. Sampled prompts are private: docs/routing.md, Privacy.
  SIGTERM: /readyz fails, new connections stop after the drain delay, and
  in-flight requests finish within the grace period (seconds).
`;

type ParseDuration = (value: string) => number;

function durationMs(parseDuration: ParseDuration, value: string, name: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new UsageError(`--${name} must be a duration such as 15s, got "${value}"`);
  }
}

/** `serve --kubernetes` settings; the pod's name and namespace come from the Downward API (POD_NAME, POD_NAMESPACE). */
function kubernetesOptions(values: Values, parseDuration: ParseDuration): KubernetesSourceOptions {
  const podNamespace = process.env.POD_NAMESPACE ?? 'default';
  let apiKeysSecret: KubernetesSourceOptions['apiKeysSecret'];
  const secret = values['api-keys-secret'];
  if (secret) {
    const m = /^(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)(?::([-._a-zA-Z0-9]+))?$/.exec(secret);
    if (!m?.[2]) throw new UsageError(`--api-keys-secret must look like [NAMESPACE/]NAME[:KEY], got "${secret}"`);
    apiKeysSecret = { namespace: m[1] ?? podNamespace, name: m[2], key: m[3] ?? 'keys.yaml' };
  }
  const files = list(values['allow-file-credentials']) ?? [];
  for (const f of files) if (!isAbsolute(f)) throw new UsageError(`--allow-file-credentials takes absolute paths, got "${f}"`);
  const lease = values['lease-duration'];
  const leaseMs = lease === undefined ? undefined : durationMs(parseDuration, lease, 'lease-duration');
  return {
    podCredentials: { env: list(values['allow-env-credentials']) ?? [], files: files.map((f) => resolve(f)) },
    namespaces: list(values.namespaces),
    apiKeysSecret,
    leaseNamespace: values['lease-namespace'] ?? podNamespace,
    leaseName: values['lease-name'] ?? 'switchboard-leader',
    identity: `${process.env.POD_NAME ?? hostname()}-${process.pid}`,
    // client-go's proportions: renew deadline 2/3 and retry period 2/15 of the lease duration.
    ...(leaseMs
      ? {
          leaseDurationMs: leaseMs,
          renewDeadlineMs: Math.round((leaseMs * 2) / 3),
          retryPeriodMs: Math.max(200, Math.round((leaseMs * 2) / 15)),
        }
      : {}),
  };
}

function samplingDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  if (!dir.trim()) throw new UsageError('--sampling-dir needs a folder');
  return resolve(dir);
}

function checkAuth(values: Values): void {
  if (!values.routes === !values.kubernetes) throw new UsageError('serve needs exactly one of --routes DIR or --kubernetes');
  const keySources = [values['api-keys'], values['api-keys-secret'], values['no-auth']].filter(Boolean).length;
  if (keySources > 1) throw new UsageError('--api-keys, --api-keys-secret and --no-auth exclude each other');
  if (values['api-keys-secret'] && !values.kubernetes) throw new UsageError('--api-keys-secret needs --kubernetes');
  if (keySources === 0) {
    throw new UsageError(
      'serve needs --api-keys FILE (or --api-keys-secret NAMESPACE/NAME[:KEY] with --kubernetes), or --no-auth to serve without authentication (trusted networks only)',
    );
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the routes of a folder (or of the cluster, --kubernetes)',
  help,
  async run(args, { log }) {
    const values = parseOptions('serve', options, args);
    checkAuth(values);
    const onStoreError = values['limits-on-store-error'] ?? 'open';
    if (onStoreError !== 'open' && onStoreError !== 'closed')
      throw new UsageError('--limits-on-store-error must be open or closed');
    const apiKeys = values['api-keys'];
    const [{ serve }, { parseDuration }, { DEFAULT_UPSTREAM_LIMITS: limits }] = await Promise.all([
      import('../commands/serve.js'),
      import('@switchboard/api'),
      import('@switchboard/gateway'),
    ]);
    return serve(
      {
        routesDir: values.routes,
        kubernetes: values.kubernetes ? kubernetesOptions(values, parseDuration) : undefined,
        auth: apiKeys ? { apiKeysFile: apiKeys } : values['api-keys-secret'] ? { apiKeysSecret: true } : 'disabled',
        redisUrl: values.redis,
        samplingDir: samplingDir(values['sampling-dir']),
        limitsOnStoreError: onStoreError,
        drainDelayMs: nonNegative(values['drain-delay'], 0, 'drain-delay') * 1000,
        maxHeaderBytes: nonNegative(values['max-header-size'], 16 * 1024, 'max-header-size'),
        port: nonNegative(values.port, 8080, 'port'),
        host: values.host ?? '0.0.0.0',
        workers: nonNegative(values.workers, 1, 'workers'),
        bodyLimitBytes: nonNegative(values['body-limit'], 10 * 1024 * 1024, 'body-limit'),
        shutdownGraceMs: nonNegative(values['shutdown-grace'], 30, 'shutdown-grace') * 1000,
        operator: operatorSettings(values, false),
        upstreamLimits: {
          maxResponseBytes: nonNegative(values['max-response-bytes'], limits.maxResponseBytes, 'max-response-bytes'),
          maxSseLineBytes: nonNegative(values['max-sse-line-bytes'], limits.maxSseLineBytes, 'max-sse-line-bytes'),
        },
      },
      log,
    );
  },
};

#!/usr/bin/env node
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { dev } from './commands/dev.js';
import { mockBackend, mockTriton } from './commands/mock-backend.js';
import { runCalibrate } from './commands/route-calibrate.js';
import { formatLabelReport, runLabelEval } from './commands/route-eval-labels.js';
import { formatPredictiveReport, runPredictiveEval } from './commands/route-eval-predictive.js';
import { formatReport, runEval } from './commands/route-eval.js';
import { remoteVectors, runTrain } from './commands/route-train.js';
import { formatSimulation, runSimulation } from './commands/simulate.js';
import { serve } from './commands/serve.js';
import { parseDuration } from '@switchboard/api';
import { DEFAULT_UPSTREAM_LIMITS } from '@switchboard/gateway';
import type { KubernetesSourceOptions } from './gateway-process.js';
import { ConfigError } from './standalone/config-error.js';

const HELP = `switchboard: a Kubernetes-native LLM routing gateway

Usage:
  switchboard serve (--routes DIR | --kubernetes) (--api-keys FILE | --no-auth) [--port 8080]
                    [--host 0.0.0.0] [--workers 1] [--redis URL]
                    [--limits-on-store-error open|closed] [--body-limit 10485760]
                    [--max-header-size 16384] [--drain-delay 0] [--shutdown-grace 30]
                    [--max-response-bytes 67108864] [--max-sse-line-bytes 4194304]
      Serve every LLMRoute YAML file in DIR; reload when DIR changes.
      --max-response-bytes N  largest backend answer read (streamed or not): 502 beyond.
      --max-sse-line-bytes N  longest line of a backend's event stream: the stream ends with an error beyond.
      --api-keys FILE  callers' keys, tenants, limits and budgets (reloaded on change);
                       --no-auth serves without authentication (trusted networks only).
      --workers N      processes sharing the port (0 = one per CPU); limits then need --redis.
      --redis URL      count rate limits and budgets in Redis, shared by all replicas.
      --kubernetes     serve the cluster's LLMRoute resources (in-cluster config or
                       KUBECONFIG) instead of a folder; [--namespaces a,b] limits the
                       watch; [--api-keys-secret [NS/]NAME[:KEY]] reads the keys file
                       from a Secret (default key keys.yaml);
                       [--allow-env-credentials A,B] [--allow-file-credentials /path,...]
                       the pod's own variables and files routes may name in auth.env /
                       auth.file (default none: routes take keys from Secrets); the Lease holder
                       ([--lease-name switchboard-leader] [--lease-namespace POD_NAMESPACE]
                       [--lease-duration 15s]) writes LLMRoute status.
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

  switchboard train --data FILE... --router mf|sw|classifier|random --strong MODEL --weak MODEL
                    --out models/NAME [--encoder hashed|sentence|remote] [--seed 42] [--no-cv]
      Train a strong/weak router on scored prompts (JSON Lines); writes router.json,
      weights.bin and a model card with leave-one-source-out figures.
      --router classifier --labels FIELD [--label-map FILE]
                     a task / complexity classifier on the classes in FIELD (or, with a
                     label map such as data/router/mmlu-families.json, on each row's
                     source mapped to a class); for routing.classifier.router.
      --router predictive [--prices FILE]
                     every model's quality per prompt (Tryage); for routing.predictive.
                     With --prices the card gets the quality-cost figures.
      --encoder remote --embeddings-url URL/v1 --embeddings-model NAME [--embeddings-key-env VAR]
                     vectors from an OpenAI-compatible /v1/embeddings server.
  switchboard eval --data FILE... --strong MODEL --weak MODEL --router PATH_OR_NAME
                    [--cv source [--seeds N]] [--json] [--scores-out FILE] [--plot FILE.svg]
      APGR, CPT(50%), CPT(80%) with the oracle's; --cv source trains a router of the
      named kind per held-out source.
  switchboard eval --data FILE... --labels FIELD [--label-map FILE] [--semantic]
                    [--encoder hashed|sentence|lexical] [--utterances N] [--top-k 3] [--seeds N]
      Task classification accuracy, leave one source out, and decision latency: a label
      classifier per fold, or (--semantic) semantic routes whose utterances are N
      prompts of each other source.
  switchboard eval --data FILE... --router predictive --prices FILE [--models A,B,...] [--seeds N]
      Quality-cost frontier of predictive routing over N models, leave one source out,
      against the single models, random choice and the oracle; AIQ (RouterBench).
  switchboard simulate --data FILE... --prices FILE [--rounds 5000] [--seeds 5]
                    [--algorithms epsilon-greedy,ucb1,thompson,automaton,random]
                    [--quality-weight 1] [--cost-weight 0] [--epsilon 0.1] [--exploration 1]
                    [--learning-rate 0.1] [--models A,B,...]
      Replays the data as a request stream and prints each bandit policy's cumulative
      regret against the best fixed backend in hindsight, averaged over seeds.
  switchboard calibrate --router PATH_OR_NAME --prompts FILE --target-strong-fraction 0.3
      The threshold that sends that share of the prompts to the strong model.

Environment: LOG_LEVEL (info), backend keys named by routes' auth.env.
`;

const num = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got "${v}"`);
  return n;
};

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(message);
}

/** `serve --kubernetes` settings; the pod's name and namespace come from the Downward API (POD_NAME, POD_NAMESPACE). */
function kubernetesOptions(values: Record<string, string | string[] | boolean | undefined>): KubernetesSourceOptions {
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const podNamespace = process.env.POD_NAMESPACE ?? 'default';
  let apiKeysSecret: KubernetesSourceOptions['apiKeysSecret'];
  const secret = str('api-keys-secret');
  if (secret) {
    const m = /^(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)(?::([-._a-zA-Z0-9]+))?$/.exec(secret);
    if (!m?.[2]) throw new UsageError(`--api-keys-secret must look like [NAMESPACE/]NAME[:KEY], got "${secret}"`);
    apiKeysSecret = { namespace: m[1] ?? podNamespace, name: m[2], key: m[3] ?? 'keys.yaml' };
  }
  const lease = str('lease-duration');
  const leaseMs = lease === undefined ? undefined : durationMs(lease, 'lease-duration');
  const list = (k: string) =>
    (str(k) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const files = list('allow-file-credentials');
  for (const f of files) if (!isAbsolute(f)) throw new UsageError(`--allow-file-credentials takes absolute paths, got "${f}"`);
  return {
    podCredentials: { env: list('allow-env-credentials'), files: files.map((f) => resolve(f)) },
    namespaces: str('namespaces')
      ?.split(',')
      .map((n) => n.trim())
      .filter(Boolean),
    apiKeysSecret,
    leaseNamespace: str('lease-namespace') ?? podNamespace,
    leaseName: str('lease-name') ?? 'switchboard-leader',
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

/** --embeddings-url / --embeddings-model / --embeddings-key-env: the remote encoder's server. */
function embeddingsOption(values: Record<string, string | string[] | boolean | undefined>) {
  const url = values['embeddings-url'];
  const model = values['embeddings-model'];
  if (values.encoder !== 'remote') {
    if (url || model) throw new UsageError('--embeddings-url and --embeddings-model go with --encoder remote');
    return undefined;
  }
  if (typeof url !== 'string' || typeof model !== 'string')
    throw new UsageError('--encoder remote needs --embeddings-url URL and --embeddings-model NAME');
  const keyEnv = values['embeddings-key-env'];
  const apiKey =
    typeof keyEnv === 'string' ? (process.env[keyEnv] ?? usage(`environment variable ${keyEnv} is not set`)) : undefined;
  return { endpoint: url, model, apiKey };
}

function durationMs(value: string, name: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new UsageError(`--${name} must be a duration such as 15s, got "${value}"`);
  }
}

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
      data: { type: 'string', multiple: true },
      router: { type: 'string' },
      encoder: { type: 'string' },
      strong: { type: 'string' },
      weak: { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      out: { type: 'string' },
      cv: { type: 'string' },
      'no-cv': { type: 'boolean' },
      json: { type: 'boolean' },
      'scores-out': { type: 'string' },
      plot: { type: 'string' },
      prompts: { type: 'string' },
      'target-strong-fraction': { type: 'string' },
      kubernetes: { type: 'boolean' },
      namespaces: { type: 'string' },
      'api-keys-secret': { type: 'string' },
      'allow-env-credentials': { type: 'string' },
      'allow-file-credentials': { type: 'string' },
      'max-response-bytes': { type: 'string' },
      'max-sse-line-bytes': { type: 'string' },
      'lease-name': { type: 'string' },
      'lease-namespace': { type: 'string' },
      'lease-duration': { type: 'string' },
      'piece-delay-ms': { type: 'string' },
      labels: { type: 'string' },
      'label-map': { type: 'string' },
      semantic: { type: 'boolean' },
      utterances: { type: 'string' },
      'top-k': { type: 'string' },
      prices: { type: 'string' },
      models: { type: 'string' },
      rounds: { type: 'string' },
      algorithms: { type: 'string' },
      'quality-weight': { type: 'string' },
      'cost-weight': { type: 'string' },
      epsilon: { type: 'string' },
      exploration: { type: 'string' },
      'learning-rate': { type: 'string' },
      'embeddings-url': { type: 'string' },
      'embeddings-model': { type: 'string' },
      'embeddings-key-env': { type: 'string' },
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
      if (!values.routes === !values.kubernetes) throw new UsageError('serve needs exactly one of --routes DIR or --kubernetes');
      const keySources = [values['api-keys'], values['api-keys-secret'], values['no-auth']].filter(Boolean).length;
      if (keySources > 1) throw new UsageError('--api-keys, --api-keys-secret and --no-auth exclude each other');
      if (values['api-keys-secret'] && !values.kubernetes) throw new UsageError('--api-keys-secret needs --kubernetes');
      if (keySources === 0) {
        throw new UsageError(
          'serve needs --api-keys FILE (or --api-keys-secret NAMESPACE/NAME[:KEY] with --kubernetes), or --no-auth to serve without authentication (trusted networks only)',
        );
      }
      const onStoreError = values['limits-on-store-error'] ?? 'open';
      if (onStoreError !== 'open' && onStoreError !== 'closed')
        throw new UsageError('--limits-on-store-error must be open or closed');
      return serve(
        {
          routesDir: values.routes,
          kubernetes: values.kubernetes ? kubernetesOptions(values) : undefined,
          auth: values['api-keys']
            ? { apiKeysFile: values['api-keys'] }
            : values['api-keys-secret']
              ? { apiKeysSecret: true }
              : 'disabled',
          redisUrl: values.redis,
          limitsOnStoreError: onStoreError,
          drainDelayMs: num(values['drain-delay'], 0, 'drain-delay') * 1000,
          maxHeaderBytes: num(values['max-header-size'], 16 * 1024, 'max-header-size'),
          port: num(values.port, 8080, 'port'),
          host,
          workers: num(values.workers, 1, 'workers'),
          bodyLimitBytes: num(values['body-limit'], 10 * 1024 * 1024, 'body-limit'),
          shutdownGraceMs: num(values['shutdown-grace'], 30, 'shutdown-grace') * 1000,
          upstreamLimits: {
            maxResponseBytes: num(values['max-response-bytes'], DEFAULT_UPSTREAM_LIMITS.maxResponseBytes, 'max-response-bytes'),
            maxSseLineBytes: num(values['max-sse-line-bytes'], DEFAULT_UPSTREAM_LIMITS.maxSseLineBytes, 'max-sse-line-bytes'),
          },
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
    case 'train': {
      const need = (k: 'router' | 'strong' | 'weak' | 'out') => values[k] ?? usage(`train needs --${k}`);
      if (!values.data?.length) throw new UsageError('train needs --data FILE (one or more)');
      const router = need('router');
      const pairless = Boolean(values.labels) || router === 'predictive';
      if (values['label-map'] && !values.labels) throw new UsageError('--label-map needs --labels FIELD (the field it fills)');
      await runTrain(
        {
          data: values.data,
          router,
          encoder: values.encoder ?? 'hashed',
          strong: pairless ? (values.strong ?? '') : need('strong'),
          weak: pairless ? (values.weak ?? '') : need('weak'),
          seed: num(values.seed, 42, 'seed'),
          out: need('out'),
          cv: !values['no-cv'],
          labels: values.labels,
          labelMap: values['label-map'],
          prices: values.prices,
          embeddings: embeddingsOption(values),
        },
        (line) => process.stderr.write(`${line}\n`),
      );
      return;
    }
    case 'eval': {
      if (!values.data?.length) throw new UsageError('eval needs --data FILE (one or more)');
      if (values.cv !== undefined && values.cv !== 'source') throw new UsageError('--cv takes "source" (leave one source out)');
      const seedCount = num(values.seeds, 1, 'seeds');
      const firstSeed = num(values.seed, 42, 'seed');
      const seeds = Array.from({ length: Math.max(1, seedCount) }, (_, i) => firstSeed + i);
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      if (values.labels) {
        const semantic = Boolean(values.semantic);
        const report = runLabelEval(
          {
            data: values.data,
            labels: values.labels,
            labelMap: values['label-map'],
            method: semantic ? 'semantic' : 'classifier',
            encoder: values.encoder ?? (semantic ? 'lexical' : 'hashed'),
            seeds,
            utterancesPerSource: num(values.utterances, 20, 'utterances'),
            topK: num(values['top-k'], 3, 'top-k'),
            progress: !values.json,
          },
          progress,
        );
        process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatLabelReport(report)}\n`);
        return;
      }
      if (values.router === 'predictive') {
        const report = runPredictiveEval(
          {
            data: values.data,
            prices: values.prices ?? usage('eval --router predictive needs --prices FILE (e.g. data/router/prices.json)'),
            encoder: values.encoder ?? 'hashed',
            seeds,
            models: values.models?.split(',').map((m) => m.trim()),
            progress: !values.json,
          },
          progress,
        );
        process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatPredictiveReport(report)}\n`);
        return;
      }
      const embeddings = embeddingsOption(values);
      const { report } = runEval(
        {
          data: values.data,
          strong: values.strong ?? usage('eval needs --strong MODEL'),
          weak: values.weak ?? usage('eval needs --weak MODEL'),
          router: values.router ?? usage('eval needs --router PATH_OR_NAME (or a router kind with --cv source)'),
          cv: values.cv === 'source' ? 'source' : undefined,
          encoder: values.encoder ?? 'hashed',
          seeds,
          json: Boolean(values.json),
          scoresOut: values['scores-out'],
          plot: values.plot,
          vectors: embeddings ? await remoteVectors(values.data, embeddings, progress) : undefined,
          encoderModel: embeddings?.model,
        },
        progress,
      );
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
      return;
    }
    case 'simulate': {
      if (!values.data?.length) throw new UsageError('simulate needs --data FILE (one or more)');
      const known = ['epsilon-greedy', 'ucb1', 'thompson', 'automaton', 'random'] as const;
      const algorithms = (values.algorithms ?? known.join(',')).split(',').map((a) => a.trim());
      for (const a of algorithms)
        if (!(known as readonly string[]).includes(a))
          throw new UsageError(`unknown algorithm "${a}" (known: ${known.join(', ')})`);
      const seedCount = num(values.seeds, 5, 'seeds');
      const firstSeed = num(values.seed, 42, 'seed');
      const report = runSimulation({
        data: values.data,
        prices: values.prices ?? usage('simulate needs --prices FILE (e.g. data/router/prices.json)'),
        models: values.models?.split(',').map((m) => m.trim()),
        algorithms: algorithms as (typeof known)[number][],
        seeds: Array.from({ length: Math.max(1, seedCount) }, (_, i) => firstSeed + i),
        rounds: num(values.rounds, 5000, 'rounds'),
        weights: {
          quality: num(values['quality-weight'], 1, 'quality-weight'),
          cost: num(values['cost-weight'], 0, 'cost-weight'),
        },
        epsilon: num(values.epsilon, 0.1, 'epsilon'),
        exploration: num(values.exploration, 1, 'exploration'),
        learningRate: num(values['learning-rate'], 0.1, 'learning-rate'),
      });
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatSimulation(report)}\n`);
      return;
    }
    case 'calibrate': {
      const share = num(values['target-strong-fraction'], NaN, 'target-strong-fraction');
      if (!(share >= 0 && share <= 1)) throw new UsageError('calibrate needs --target-strong-fraction between 0 and 1');
      const { threshold, prompts } = runCalibrate(
        values.router ?? usage('calibrate needs --router PATH_OR_NAME'),
        values.prompts ?? usage('calibrate needs --prompts FILE'),
        share,
      );
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ threshold, targetStrongFraction: share, prompts })}\n`
          : `threshold ${threshold} sends ${(share * 100).toFixed(1)}% of ${prompts} prompts to the strong model\n`,
      );
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Commands that read data files: their errors (bad data, unknown model, missing label) are the user's to fix, not crashes. */
const DATA_COMMANDS = new Set(['train', 'eval', 'simulate', 'calibrate']);

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`switchboard: ${err.message}\n${err instanceof UsageError ? `\n${HELP}` : ''}`);
  } else if (DATA_COMMANDS.has(process.argv[2] ?? '') && err instanceof Error && process.env.LOG_LEVEL !== 'debug') {
    process.stderr.write(`switchboard ${process.argv[2]}: ${err.message}\n`);
  } else {
    process.stderr.write(`switchboard: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(2);
});

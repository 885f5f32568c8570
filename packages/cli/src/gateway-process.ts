import { KubernetesRoutes, loadKubeConfig } from '@switchboard/controller';
import {
  ActiveHealthChecks,
  ApiKeyRegistry,
  Admission,
  Configurator,
  samplingFilesFor,
  createApp,
  defaultFactories,
  DEFAULT_UPSTREAM_LIMITS,
  GatewayMetrics,
  GrpcTransport,
  HttpTransport,
  listen,
  MemoryLearningStore,
  MemoryLimitStore,
  MemoryResponseStore,
  RedisLearningStore,
  RedisLimitStore,
  RedisResponseStore,
  RouteStates,
  RouteTableStore,
  TableBuilder,
  Transports,
  type AuthMode,
  type LearningStore,
  type LimitStore,
  type ResponseStore,
  type RouteTable,
  type RunningServer,
  type StoreFailureMode,
  type UpstreamLimits,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ApiKeysFile, keysHaveLimits } from './standalone/api-keys-file.js';
import { startOperatorViews, type OperatorOptions } from './operator-views.js';
import { ConfigError } from './standalone/config-error.js';
import { RoutesDirectory } from './standalone/routes-dir.js';

/** Routes (and optionally API keys) from the Kubernetes API instead of a folder. */
export interface KubernetesSourceOptions {
  /** Namespaces to watch; all when empty or absent. */
  namespaces?: string[] | undefined;
  /** Gateway API keys from a Secret (namespace/name, data key). */
  apiKeysSecret?: { namespace: string; name: string; key: string } | undefined;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs?: number | undefined;
  renewDeadlineMs?: number | undefined;
  retryPeriodMs?: number | undefined;
  statusIntervalMs?: number | undefined;
  /** Watch timings (tests shorten them). */
  reflector?: { stallMs?: number; resyncMs?: number; backoffMinMs?: number; backoffMaxMs?: number } | undefined;
  /** The pod's environment variables and files routes may name in auth.env / auth.file (default none). */
  podCredentials?: { env: string[]; files: string[] } | undefined;
}

export interface GatewayProcessOptions {
  /** Standalone mode: a folder of LLMRoute files. */
  routesDir?: string | undefined;
  /** Controller mode (`serve --kubernetes`). */
  kubernetes?: KubernetesSourceOptions | undefined;
  port: number;
  host: string;
  bodyLimitBytes: number;
  /** Largest request head (request line and headers); Node answers 431 past it. */
  maxHeaderBytes?: number;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownGraceMs: number;
  /** How long /readyz fails before the listener closes, so load balancers stop sending first. */
  drainDelayMs?: number;
  /** An API keys file, keys from a Secret (with `kubernetes.apiKeysSecret`), or 'disabled' (explicitly). */
  auth: { apiKeysFile: string } | { apiKeysSecret: true } | 'disabled';
  /** Redis for limits shared between processes; in-memory counting when absent. */
  redisUrl?: string | undefined;
  limitsOnStoreError?: StoreFailureMode;
  /** Bounds on backend answers (whole answer, stream line); defaults when absent. */
  upstreamLimits?: UpstreamLimits | undefined;
  /**
   * Where routes' sampling.file records go (`--sampling-dir`): each a plain
   * file name under DIR/<namespace>/. Kubernetes mode refuses sampling.file
   * without it; standalone mode takes paths unless it is given.
   */
  samplingDir?: string | undefined;
  /** Set when several worker processes share the port: limits then need Redis. */
  sharedPort?: boolean;
  /** This worker's stable slot (1..N) when several share the port: each writes its own sampling files. */
  workerSlot?: number | undefined;
  /** Savings, tracing, the console and the admin key (operator-views.ts). */
  operator?: OperatorOptions | undefined;
  log: Logger;
}

export interface GatewayProcess {
  server: RunningServer;
  /** Standalone mode's routes folder. */
  routes: RoutesDirectory | undefined;
  /** Controller mode's reflectors, reconciler and leader election. */
  controller: KubernetesRoutes | undefined;
  store: RouteTableStore;
  states: RouteStates;
  /** Drain: fail /readyz, stop accepting, let requests finish (up to the grace period). */
  shutdown(): Promise<void>;
}

const routesHaveLimits = (table: RouteTable) => table.routes.some((r) => r.limits);

/** The stores limits and learners count in: this process's memory, or Redis shared by every replica. */
async function openStores(
  opts: GatewayProcessOptions,
): Promise<{ limits: LimitStore; learning: LearningStore; responses: ResponseStore }> {
  if (!opts.redisUrl) {
    if (opts.sharedPort) {
      opts.log.warn('stored responses (previous_response_id) are kept per worker process without --redis');
    }
    return { limits: new MemoryLimitStore(), learning: new MemoryLearningStore(), responses: new MemoryResponseStore() };
  }
  const limits = new RedisLimitStore(opts.redisUrl);
  await limits
    .ready()
    .catch((err: unknown) =>
      opts.log.warn(
        { err: (err as Error).message },
        'Redis not reachable yet; limits follow --limits-on-store-error until it is',
      ),
    );
  // Bandit statistics and the feedback ledger live there too: every replica learns together.
  // So do stored Responses API answers: a conversation continues on any replica.
  return { limits, learning: new RedisLearningStore(opts.redisUrl), responses: new RedisResponseStore(opts.redisUrl) };
}

/** One gateway serving a routes folder: the body of `serve` and `dev` (and of each worker). */
export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const { log } = opts;
  const store = new RouteTableStore();
  const upstreamLimits = opts.upstreamLimits ?? DEFAULT_UPSTREAM_LIMITS;
  const transports = new Transports({
    http: new HttpTransport({ maxResponseBytes: upstreamLimits.maxResponseBytes }),
    grpc: new GrpcTransport({ maxResponseBytes: upstreamLimits.maxResponseBytes, log }),
  });
  const states = new RouteStates();
  const metrics = new GatewayMetrics({ processMetrics: true });
  metrics.watchHealth(states);
  const checks = new ActiveHealthChecks(states, transports, log);
  let draining = false;

  const keys = opts.auth !== 'disabled' && 'apiKeysFile' in opts.auth ? new ApiKeysFile(opts.auth.apiKeysFile, log) : undefined;
  const keysConfig = await keys?.start();
  const stores = await openStores(opts);

  const countedAlone = (what: string) =>
    `${what} are configured but each worker process would count them alone: run with --redis URL, or with --workers 1`;
  const onTable = (table: RouteTable) => {
    states.sync(table);
    checks.sync(table);
    transports.retainFor(table);
    metrics.resetBindings();
    if (opts.sharedPort && !opts.redisUrl && routesHaveLimits(table)) log.error(countedAlone('route limits'));
  };
  const views = await startOperatorViews(opts.operator ?? {}, { redisUrl: opts.redisUrl, tables: store, log });
  const builder = new TableBuilder(defaultFactories({ learning: stores.learning, transports, log, onAsked: views.onAsked }));
  const samplingFiles = samplingFilesFor(opts.kubernetes !== undefined, opts.samplingDir, opts.workerSlot);
  const configurator = new Configurator(store, builder, onTable, { samplingFiles });
  let routes: RoutesDirectory | undefined;
  let controller: KubernetesRoutes | undefined;
  if (opts.kubernetes) {
    const k = opts.kubernetes;
    controller = new KubernetesRoutes({
      kubeConfig: loadKubeConfig(),
      namespaces: k.namespaces,
      configurator,
      states,
      log,
      apiKeysSecret: k.apiKeysSecret,
      podCredentials: k.podCredentials,
      statusIntervalMs: k.statusIntervalMs,
      reflector: k.reflector,
      leaderElection: {
        namespace: k.leaseNamespace,
        name: k.leaseName,
        identity: k.identity,
        ...(k.leaseDurationMs ? { leaseDurationMs: k.leaseDurationMs } : {}),
        ...(k.renewDeadlineMs ? { renewDeadlineMs: k.renewDeadlineMs } : {}),
        ...(k.retryPeriodMs ? { retryPeriodMs: k.retryPeriodMs } : {}),
      },
    });
    await controller.start();
  } else if (opts.routesDir) {
    routes = new RoutesDirectory(opts.routesDir, configurator, log);
    await routes.start();
  } else {
    throw new ConfigError('no route source: give a routes folder or --kubernetes');
  }
  const noKeys = new ApiKeyRegistry({ keys: [] });
  const fromController = controller;
  const auth: AuthMode = keys
    ? { kind: 'keys', registry: keys.registry }
    : opts.auth !== 'disabled' && fromController
      ? { kind: 'keys', registry: () => fromController.apiKeys() ?? noKeys }
      : { kind: 'disabled' };
  if (opts.sharedPort && !opts.redisUrl && ((keysConfig && keysHaveLimits(keysConfig)) || routesHaveLimits(store.current()))) {
    throw new ConfigError(countedAlone('rate limits or budgets'));
  }
  const admission = new Admission(stores.limits, opts.limitsOnStoreError ?? 'open', metrics, log);

  const app = createApp({
    tables: store,
    transports,
    states,
    metrics,
    log,
    auth,
    admission,
    learning: stores.learning,
    responses: stores.responses,
    bodyLimitBytes: opts.bodyLimitBytes,
    upstreamLimits,
    isDraining: () => draining,
    ...views.deps,
  });
  const server = await listen(app, { port: opts.port, host: opts.host, maxHeaderBytes: opts.maxHeaderBytes });
  return {
    server,
    routes,
    controller,
    store,
    states,
    async shutdown() {
      draining = true;
      routes?.stop();
      await controller?.stop();
      keys?.stop();
      checks.stop();
      if (opts.drainDelayMs) await new Promise((r) => setTimeout(r, opts.drainDelayMs));
      const grace = setTimeout(() => {
        log.warn('shutdown grace period over; closing remaining connections');
        if ('closeAllConnections' in server.server) server.server.closeAllConnections();
      }, opts.shutdownGraceMs);
      grace.unref();
      await server.close();
      clearTimeout(grace);
      await Promise.all([
        transports.close(),
        stores.limits.close(),
        stores.learning.close(),
        stores.responses.close(),
        views.close(),
        // Sampling sinks flush their last records and close their files and connections.
        builder.close(),
      ]);
    },
  };
}

import {
  ActiveHealthChecks,
  createApp,
  GatewayMetrics,
  listen,
  RouteStates,
  RouteTableStore,
  UpstreamPools,
  type RouteTable,
  type RunningServer,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { RoutesDirectory } from './standalone/routes-dir.js';

export interface GatewayProcessOptions {
  routesDir: string;
  port: number;
  host: string;
  bodyLimitBytes: number;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownGraceMs: number;
  /** How long /readyz fails before the listener closes, so load balancers stop sending first. */
  drainDelayMs?: number;
  log: Logger;
}

export interface GatewayProcess {
  server: RunningServer;
  routes: RoutesDirectory;
  store: RouteTableStore;
  states: RouteStates;
  /** Drain: fail /readyz, stop accepting, let requests finish (up to the grace period). */
  shutdown(): Promise<void>;
}

/** One gateway serving a routes folder: the body of `serve` and `dev` (and of each worker). */
export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const store = new RouteTableStore();
  const pools = new UpstreamPools();
  const states = new RouteStates();
  const metrics = new GatewayMetrics({ processMetrics: true });
  metrics.watchHealth(states);
  const checks = new ActiveHealthChecks(states, pools, opts.log);
  let draining = false;
  const routes = new RoutesDirectory(opts.routesDir, store, opts.log);
  await routes.start((table: RouteTable) => {
    states.sync(table);
    checks.sync(table);
    pools.retainFor(table);
    metrics.resetBindings();
  });
  const app = createApp({
    tables: store,
    pools,
    states,
    metrics,
    log: opts.log,
    bodyLimitBytes: opts.bodyLimitBytes,
    isDraining: () => draining,
  });
  const server = await listen(app, { port: opts.port, host: opts.host });
  return {
    server,
    routes,
    store,
    states,
    async shutdown() {
      draining = true;
      routes.stop();
      checks.stop();
      if (opts.drainDelayMs) await new Promise((r) => setTimeout(r, opts.drainDelayMs));
      const grace = setTimeout(() => {
        opts.log.warn('shutdown grace period over; closing remaining connections');
        if ('closeAllConnections' in server.server) server.server.closeAllConnections();
      }, opts.shutdownGraceMs);
      grace.unref();
      await server.close();
      clearTimeout(grace);
      await pools.close();
    },
  };
}

import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { startGatewayProcess, type GatewayProcessOptions } from '../gateway-process.js';

export interface ServeOptions extends Omit<GatewayProcessOptions, 'log'> {
  /** Worker processes sharing the port (node:cluster); 1 runs in this process. */
  workers: number;
}

/** `switchboard serve`: the gateway on a routes folder, in one or several processes. */
export async function serve(opts: ServeOptions, log: Logger): Promise<void> {
  const workers = opts.workers === 0 ? availableParallelism() : opts.workers;
  if (workers > 1 && cluster.isPrimary) return superviseWorkers(workers, log);
  const gateway = await startGatewayProcess({ ...opts, sharedPort: workers > 1, workerSlot: workerSlot(workers), log });
  const table = gateway.store.current();
  log.info(
    {
      url: gateway.server.url,
      routes: table.routes.map((r) => `${r.id} -> ${r.modelNames.join(',')}`),
      worker: cluster.worker?.id,
    },
    'switchboard listening',
  );
  onShutdownSignal(log, () => gateway.shutdown());
}

/** The variable a worker learns its slot (1..N) from: stable across a replaced worker, unlike cluster's ids. */
const WORKER_SLOT_ENV = 'SWITCHBOARD_WORKER_SLOT';

function workerSlot(workers: number): number | undefined {
  if (workers <= 1) return undefined;
  const slot = Number(process.env[WORKER_SLOT_ENV]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

/** Exit code of a process that cannot start with its configuration (see bin.ts). */
export const CONFIG_ERROR_EXIT = 2;

/** Forks the workers, replaces any that die, and passes SIGTERM on. */
function superviseWorkers(count: number, log: Logger): void {
  // Workers accept connections themselves: the default round-robin passes
  // every connection through the primary, one more hop per connection.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  // Each worker's slot, so a replacement writes the files of the one it replaces.
  const slots = new Map<number, number>();
  const fork = (slot: number) => slots.set(cluster.fork({ [WORKER_SLOT_ENV]: String(slot) }).id, slot);
  for (let i = 1; i <= count; i++) fork(i);
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id) ?? 1;
    slots.delete(worker.id);
    if (stopping) return;
    if (code === CONFIG_ERROR_EXIT) {
      // The configuration is wrong: every new worker would fail the same way.
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = CONFIG_ERROR_EXIT;
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'worker exited; starting a new one');
    setTimeout(() => fork(slot), 1000).unref();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function onShutdownSignal(log: Logger, shutdown: () => Promise<void>): void {
  const handler = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down: draining in-flight requests');
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

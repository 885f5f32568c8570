import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  adminAccess,
  combineObservers,
  evaluatorCall,
  loadConsoleAssets,
  MemorySavingsStore,
  RecentDecisions,
  RedisSavingsStore,
  SavingsLedger,
  savingsObserver,
  startTracing,
  tracingObserver,
  type AppDeps,
  type RouteTableStore,
  type SavingsStore,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ConfigError } from './standalone/config-error.js';

/** What operators see: savings, tracing, the console, and who may look. */
export interface OperatorOptions {
  /** Serve the web console at /console/ (outside dev, only with an admin key). */
  console?: boolean | undefined;
  /** The admin key's text (from --admin-key-file or SWITCHBOARD_ADMIN_KEY). */
  adminKey?: string | undefined;
  /** `switchboard dev`: without an admin key the admin views are open. */
  dev?: boolean | undefined;
  /** Show prompt text in the console's live view and record content in spans. */
  capturePrompts?: boolean | undefined;
  /** Count savings (default on). */
  savings?: boolean | undefined;
  /** Where OTEL_* settings are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

export interface OperatorViews {
  deps: Pick<AppDeps, 'observer' | 'savings' | 'admin' | 'console'>;
  /** For the factories: an evaluator's answers are the cost of routing of its route. */
  onAsked: (backend: Parameters<typeof evaluatorCall>[1], answer: unknown) => void;
  close(): Promise<void>;
}

/** The built console (packages/console/dist). */
function consoleDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@switchboard/console/package.json')), 'dist');
}

async function savingsStore(redisUrl: string | undefined, log: Logger): Promise<SavingsStore> {
  if (!redisUrl) return new MemorySavingsStore();
  const store = new RedisSavingsStore(redisUrl);
  await store
    .ready()
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'Redis not reachable yet; savings are kept until it is'));
  return store;
}

/** Starts savings, tracing and the live view as the options and OTEL_* variables ask; nothing runs for what is off. */
export async function startOperatorViews(
  opts: OperatorOptions,
  ctx: { redisUrl: string | undefined; tables: RouteTableStore; log: Logger },
): Promise<OperatorViews> {
  const admin = adminAccess(opts.adminKey, Boolean(opts.dev));
  if (opts.console && !admin)
    throw new ConfigError('--console needs an admin key: --admin-key-file FILE or SWITCHBOARD_ADMIN_KEY');
  const capture = Boolean(opts.capturePrompts);
  const ledger =
    opts.savings === false
      ? undefined
      : new SavingsLedger(await savingsStore(ctx.redisUrl, ctx.log), {
          onError: (err) => ctx.log.warn({ err: err.message }, 'savings store unavailable; counts are kept and retried'),
        });
  const tracing = startTracing(opts.env ?? process.env, { captureContent: capture });
  const recent = opts.console ? new RecentDecisions({ captureContent: capture }) : undefined;
  const observer = combineObservers([ledger && savingsObserver(ledger), tracing && tracingObserver(tracing), recent]);
  const info = { mode: opts.dev ? ('dev' as const) : ('serve' as const), tracing: Boolean(tracing), captureContent: capture };
  return {
    deps: {
      observer,
      savings: ledger,
      admin,
      console: recent ? { assets: loadConsoleAssets(consoleDir()), recent, info } : undefined,
    },
    onAsked: (backend, answer) => {
      const call = evaluatorCall(ctx.tables.current(), backend, answer);
      if (call) observer?.sideCall?.(call);
    },
    async close() {
      await Promise.all([ledger?.close(), tracing?.shutdown()]);
    },
  };
}

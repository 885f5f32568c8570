import type { RateLimits } from '@switchboard/api';
import type { Logger } from 'pino';
import type { Caller } from '../auth/api-keys.js';
import type { CompiledRoute } from '../table/route.js';
import { GatewayError } from '../errors.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { Counter, LimitStore, Window } from './store.js';
import type { UsageEstimate } from './estimate.js';
import { minuteWindow, periodWindow } from './windows.js';

/** Budgets are counted in nano-units of currency: integer counters, no float drift. */
const NANO = 1e9;

export type StoreFailureMode = 'open' | 'closed';

interface Described extends Counter {
  /** "API key ci-bot", "tenant team-a", "route default/assistant" */
  scope: string;
  what: 'requests per minute' | 'tokens per minute' | 'budget';
  kind: 'requests' | 'tokens' | 'spend';
}

/** What an admitted request holds, to be corrected once its usage is known. */
export interface Reservation {
  settle(usage: { promptTokens: number; completionTokens: number } | undefined, cost: number): void;
}

const NOTHING_RESERVED: Reservation = { settle: () => undefined };

/** One limit as a request would meet it now (Admission.preview). */
export interface LimitPreview {
  /** "API key ci-bot", "tenant team-a", "route default/assistant" */
  scope: string;
  limit: 'requests per minute' | 'tokens per minute' | 'budget';
  /** The limit, in requests, tokens or currency. */
  max: number;
  used: number;
  /** What this request would take (its reservation). */
  requested: number;
  admits: boolean;
  resetsAt: string;
}

/**
 * The largest amount a counter takes or gives back. Anything larger, or not a
 * number at all, is counted as this: an estimate can overflow (n choices of a
 * huge max_tokens at a route's prices give Infinity, and Infinity × a zero
 * price gives NaN), and NaN passes every `>` check while Redis refuses it as
 * an argument, which would admit the request unreserved. Counted as the
 * largest amount, it fails closed: it exceeds any limit.
 */
const LARGEST_AMOUNT = Number.MAX_SAFE_INTEGER;
const bounded = (x: number) => (Number.isNaN(x) ? LARGEST_AMOUNT : Math.min(Math.max(x, -LARGEST_AMOUNT), LARGEST_AMOUNT));

// At least one nano-unit, so that a request with no known price still meets a spent budget.
const spendOf = (estimate: UsageEstimate) => Math.max(1, Math.ceil(bounded(estimate.cost * NANO)));
const tokensOf = (estimate: UsageEstimate) => Math.ceil(bounded(estimate.tokens));

/**
 * Token-aware admission: requests and tokens per minute per API key, tenant
 * and route, and spend per tenant per period. Before a request is sent it
 * reserves what it may use at most (`UsageEstimate`: the prompt's native
 * token count plus every completion token it may write, and their price on
 * the dearest backend), so a burst of concurrent requests cannot pass a
 * limit by more than one request's worth; the reservation is corrected to
 * the real usage and cost afterwards. When no limit applies, the store is
 * not touched.
 */
export class Admission {
  #lastStoreWarning = 0;

  constructor(
    private readonly store: LimitStore,
    private readonly onStoreError: StoreFailureMode,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** False when no limit or budget can apply: the request then skips the store (and an await). */
  applies(caller: Caller | undefined, route: CompiledRoute): boolean {
    return Boolean(route.limits || caller?.keyLimits || caller?.tenantLimits || caller?.budget);
  }

  async admit(caller: Caller | undefined, route: CompiledRoute, estimate: UsageEstimate): Promise<Reservation> {
    const now = this.now();
    const tokens = tokensOf(estimate);
    const spend = spendOf(estimate);
    const counters = this.#counters(caller, route, estimate, now);
    if (counters.length === 0 || !(await this.#take(counters, now))) return NOTHING_RESERVED;
    let settled = false;
    return {
      settle: (usage, cost) => {
        // Once: a call path that settles twice must not refund twice.
        if (settled) return;
        settled = true;
        const actual = usage ? bounded(usage.promptTokens + usage.completionTokens) : 0;
        const corrections: Promise<void>[] = [];
        for (const c of counters) {
          if (c.kind === 'tokens' && actual !== tokens) corrections.push(this.store.adjust(c.key, c.window, actual - tokens));
          if (c.kind === 'spend') corrections.push(this.store.adjust(c.key, c.window, bounded(Math.round(cost * NANO)) - spend));
        }
        Promise.all(corrections).catch((err: unknown) => this.#reportStoreError(err));
      },
    };
  }

  /**
   * One request against the requests-per-minute limits alone (no tokens, no
   * spend, nothing to settle): POST /v1/route/explain of a strategy that asks
   * a remote model, which is a real call to that model but no answer.
   */
  async admitRequest(caller: Caller | undefined, route: CompiledRoute): Promise<void> {
    const now = this.now();
    const counters = this.#counters(caller, route, { tokens: 0, cost: 0 }, now).filter((c) => c.kind === 'requests');
    if (counters.length) await this.#take(counters, now);
  }

  /** Takes every counter, or throws the limit one would pass; false when the store failed and failure is open. */
  async #take(counters: Described[], now: number): Promise<boolean> {
    let result;
    try {
      result = await this.store.consume(counters);
    } catch (err) {
      this.#storeFailed(err);
      return false;
    }
    if (!result.allowed) {
      const c = counters[result.index] as Described;
      this.metrics.limited.inc({ scope: c.scope.split(' ')[0] ?? '', limit: c.kind });
      throw limitError(c, result.current, now);
    }
    return true;
  }

  /**
   * What admit() would check, without taking anything: each counter with its
   * current value and whether this request would still fit under it. For
   * POST /v1/route/explain and the console; a store failure is thrown.
   */
  async preview(caller: Caller | undefined, route: CompiledRoute, estimate: UsageEstimate): Promise<LimitPreview[]> {
    const counters = this.#counters(caller, route, estimate, this.now());
    const used = await Promise.all(counters.map((c) => this.store.peek(c.key, c.window)));
    return counters.map((c, i) => {
      const current = used[i] ?? 0;
      const scale = c.kind === 'spend' ? NANO : 1;
      return {
        scope: c.scope,
        limit: c.what,
        max: c.limit / scale,
        used: current / scale,
        requested: c.amount / scale,
        admits: current + c.amount <= c.limit,
        resetsAt: new Date(c.window.end).toISOString(),
      };
    });
  }

  /** The counters of every limit and budget that applies to this caller on this route. */
  #counters(caller: Caller | undefined, route: CompiledRoute, estimate: UsageEstimate, now: number): Described[] {
    const tokens = tokensOf(estimate);
    const spend = spendOf(estimate);
    const counters: Described[] = [];
    const minute = minuteWindow(now);
    const perMinute = (scope: string, key: string, limits: RateLimits | undefined) => {
      if (limits?.requestsPerMinute)
        counters.push({
          scope,
          key: `${key}:rpm`,
          limit: limits.requestsPerMinute,
          amount: 1,
          window: minute,
          what: 'requests per minute',
          kind: 'requests',
        });
      if (limits?.tokensPerMinute)
        counters.push({
          scope,
          key: `${key}:tpm`,
          limit: limits.tokensPerMinute,
          amount: tokens,
          window: minute,
          what: 'tokens per minute',
          kind: 'tokens',
        });
    };
    if (caller) {
      perMinute(`API key ${caller.keyName}`, `key:${caller.keyName}`, caller.keyLimits);
      perMinute(`tenant ${caller.tenant}`, `tenant:${caller.tenant}`, caller.tenantLimits);
      if (caller.budget) {
        counters.push({
          scope: `tenant ${caller.tenant}`,
          key: `tenant:${caller.tenant}:spend:${caller.budget.period}`,
          limit: Math.round(caller.budget.amount * NANO),
          amount: spend,
          window: periodWindow(caller.budget.period, now),
          what: 'budget',
          kind: 'spend',
        });
      }
    }
    perMinute(`route ${route.id}`, `route:${route.id}`, route.limits);
    return counters;
  }

  #storeFailed(err: unknown): Reservation {
    this.#reportStoreError(err);
    if (this.onStoreError === 'open') return NOTHING_RESERVED;
    throw new GatewayError(
      503,
      'server_error',
      'Rate limits cannot be checked right now (limit store unavailable); the request was not sent.',
      {
        code: 'limits_unavailable',
        headers: { 'retry-after': '1' },
      },
    );
  }

  #reportStoreError(err: unknown): void {
    this.metrics.limitStoreErrors.inc({ mode: this.onStoreError });
    const now = this.now();
    if (now - this.#lastStoreWarning > 10_000) {
      this.#lastStoreWarning = now;
      this.log.warn(
        { err: (err as Error).message, failing: this.onStoreError },
        `limit store unavailable: requests are ${this.onStoreError === 'open' ? 'admitted without limits' : 'refused'} until it is back`,
      );
    }
  }
}

function limitError(c: Described, current: number, now: number): GatewayError {
  const resetsIn = Math.max(1, Math.ceil((c.window.end - now) / 1000));
  const at = new Date(c.window.end).toISOString();
  const message =
    c.kind === 'spend'
      ? `Budget reached for ${c.scope}: ${amount(current)} of ${amount(c.limit)} per ${periodName(c.window)} spent or reserved, and this request may cost up to ${amount(c.amount)}. It resets at ${at} (in ${resetsIn} s).`
      : `Rate limit reached for ${c.scope} on ${c.what}: limit ${c.limit}, used ${current}, requested ${c.amount}. It resets at ${at} (in ${resetsIn} s).`;
  return new GatewayError(429, 'rate_limit_error', message, {
    code: c.kind === 'spend' ? 'budget_exceeded' : 'rate_limit_exceeded',
    headers: { 'retry-after': String(resetsIn), 'x-ratelimit-reset': at },
  });
}

/** Nano-units as currency with up to 6 significant digits. */
const amount = (nano: number) => String(Number((nano / NANO).toPrecision(6)));

function periodName(w: Window): string {
  const ms = w.end - w.start;
  return ms === 3_600_000 ? 'hour' : ms === 86_400_000 ? 'day' : 'month';
}

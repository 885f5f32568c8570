import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** This replica's identity (pod name). */
  identity: string;
  /** client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry period. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/**
 * The Lease API stores MicroTime (RFC 3339 with six fractional digits);
 * client-node serializes a Date with three, which the API server rejects.
 */
class MicroTime extends Date {
  override toISOString(): string {
    return super.toISOString().replace(/Z$/, '000Z');
  }
}

/**
 * Leader election over a coordination.k8s.io Lease, as client-go does it:
 * the holder renews every retry period; a candidate takes the lease once
 * it has seen the same record unchanged for a whole lease duration (so
 * clocks need not agree); a leader that cannot renew within the renew
 * deadline steps down. `stop()` releases the lease so a successor need not
 * wait for it to expire.
 */
export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #opts: Required<LeaderElectionOptions>;
  #leader = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastRenew = 0;
  /** The last lease record seen, and when this process first saw it. */
  #observed: { key: string; at: number } | undefined;
  readonly #listeners = new Set<(leader: boolean) => void>();

  constructor(
    kubeConfig: KubeConfig,
    opts: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.#opts = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  onChange(listener: (leader: boolean) => void): void {
    this.#listeners.add(listener);
  }

  start(): void {
    const tick = async () => {
      if (this.#stopped) return;
      await this.#tryAcquireOrRenew();
      if (!this.#stopped)
        this.#timer = setTimeout(() => void tick(), this.#opts.retryPeriodMs * (this.#leader ? 1 : 1 + Math.random() * 0.2));
    };
    void tick();
  }

  /** Stops campaigning; a leader releases the lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#leader) return;
    try {
      const lease = await this.#api.readNamespacedLease({ name: this.#opts.name, namespace: this.#opts.namespace });
      if (lease.spec?.holderIdentity === this.#opts.identity) {
        const now = new MicroTime();
        lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
        await this.#api.replaceNamespacedLease({ name: this.#opts.name, namespace: this.#opts.namespace, body: fixTimes(lease) });
        this.log.info({ lease: this.#opts.name }, 'leader lease released');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not release the leader lease');
    }
    this.#set(false);
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const { name, namespace, identity } = this.#opts;
    const now = Date.now();
    try {
      let lease: V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        const t = new MicroTime();
        await this.#api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: this.#seconds(),
              acquireTime: t,
              renewTime: t,
              leaseTransitions: 0,
            },
          },
        });
        this.#renewed(now);
        return;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const recordKey = `${holder}|${String(spec.renewTime)}|${spec.leaseDurationSeconds ?? ''}`;
      if (this.#observed?.key !== recordKey) this.#observed = { key: recordKey, at: now };
      const durationMs = (spec.leaseDurationSeconds ?? this.#seconds()) * 1000;
      const expired = holder === '' || now - this.#observed.at > durationMs;
      if (holder !== identity && !expired) {
        this.#set(false);
        return;
      }
      const t = new MicroTime();
      lease.spec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.#seconds(),
        renewTime: t,
        ...(holder !== identity ? { acquireTime: t, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
      };
      // resourceVersion makes this a compare-and-swap: a concurrent taker gets 409.
      await this.#api.replaceNamespacedLease({ name, namespace, body: fixTimes(lease) });
      if (holder !== identity) this.log.info({ lease: name, previous: holder || '(released)' }, 'acquired leader lease');
      this.#renewed(now);
    } catch (err) {
      if (this.#leader && Date.now() - this.#lastRenew > this.#opts.renewDeadlineMs) {
        this.log.warn({ err: (err as Error).message }, 'could not renew the leader lease in time; stepping down');
        this.#set(false);
      } else if (!this.#leader) {
        this.log.debug({ err: (err as Error).message }, 'leader election attempt failed');
      }
    }
  }

  #renewed(at: number): void {
    this.#lastRenew = at;
    this.#set(true);
  }

  #seconds(): number {
    return Math.max(1, Math.round(this.#opts.leaseDurationMs / 1000));
  }

  #set(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    for (const l of this.#listeners) l(leader);
  }
}

/** Times read back from the API are strings; send them back as MicroTime. */
function fixTimes(lease: V1Lease): V1Lease {
  const spec = lease.spec;
  if (!spec) return lease;
  const micro = (v: unknown) => (v === undefined || v === null ? undefined : new MicroTime(v as string));
  return {
    ...lease,
    spec: { ...spec, acquireTime: micro(spec.acquireTime), renewTime: micro(spec.renewTime) } as NonNullable<V1Lease['spec']>,
  };
}

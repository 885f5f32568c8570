import type { OutlierConfig } from '../table/route.js';

export type HealthState = 'healthy' | 'ejected' | 'half-open' | 'rate-limited';

const BUCKETS = 10;

/**
 * Passive health of one backend (outlier detection). Failures in a row, or
 * a failure rate over a sliding window, eject it for a cool-down that
 * doubles with each repeat ejection; after the cool-down one probe request
 * is let through (half-open): success restores it, failure ejects it again.
 * A backend's 429 with Retry-After is not ill health: it only makes the
 * backend unavailable until then.
 */
export class BackendHealth {
  #config: OutlierConfig;
  #consecutive = 0;
  #ejections = 0;
  #ejectedUntil = 0;
  #lastEjectedAt = 0;
  #probeInFlight = false;
  #probe = 0;
  #rateLimitedUntil = 0;
  // Sliding window as a ring of buckets: [successes, failures] per slice.
  readonly #ok = new Array<number>(BUCKETS).fill(0);
  readonly #failed = new Array<number>(BUCKETS).fill(0);
  #bucketStart = 0;
  #bucket = 0;

  constructor(config: OutlierConfig) {
    this.#config = config;
  }

  configure(config: OutlierConfig): void {
    this.#config = config;
  }

  get ejections(): number {
    return this.#ejections;
  }

  state(now: number): HealthState {
    if (this.#ejectedUntil) return now < this.#ejectedUntil || this.#probeInFlight ? 'ejected' : 'half-open';
    if (now < this.#rateLimitedUntil) return 'rate-limited';
    return 'healthy';
  }

  /** Marks the one request that tests a half-open backend; returns its token for endProbe. */
  beginProbe(): number {
    this.#probeInFlight = true;
    return ++this.#probe;
  }

  /**
   * The probe request is over. When it ended without a verdict (the client
   * left, the request was refused before it was sent, a 429), the backend is
   * half-open again for the next request: it must not stay ejected for good.
   */
  endProbe(token: number): void {
    if (token === this.#probe && this.#probeInFlight) this.#probeInFlight = false;
  }

  success(now: number): void {
    this.#count(now, true);
    this.#consecutive = 0;
    if (this.#ejectedUntil) {
      this.#ejectedUntil = 0;
      this.#probeInFlight = false;
    }
    // A backend healthy for a whole max cool-down starts again from the base cool-down.
    if (this.#ejections && now - this.#lastEjectedAt > this.#config.maxEjectionMs * 2) this.#ejections = 0;
  }

  failure(now: number): void {
    this.#count(now, false);
    this.#consecutive++;
    if (this.#ejectedUntil) {
      if (this.#probeInFlight || now >= this.#ejectedUntil) this.#eject(now);
      return;
    }
    const { ok, failed } = this.#totals();
    const rateTripped = ok + failed >= this.#config.minRequests && failed / (ok + failed) >= this.#config.failureRate;
    if (this.#consecutive >= this.#config.consecutiveFailures || rateTripped) this.#eject(now);
  }

  rateLimited(until: number): void {
    this.#rateLimitedUntil = Math.max(this.#rateLimitedUntil, until);
  }

  #eject(now: number): void {
    this.#ejections++;
    const cooldown = Math.min(this.#config.maxEjectionMs, this.#config.baseEjectionMs * 2 ** (this.#ejections - 1));
    this.#ejectedUntil = now + cooldown;
    this.#lastEjectedAt = now;
    this.#probeInFlight = false;
    this.#consecutive = 0;
    this.#ok.fill(0);
    this.#failed.fill(0);
  }

  #count(now: number, ok: boolean): void {
    const slice = this.#config.windowMs / BUCKETS;
    if (now - this.#bucketStart >= slice) {
      const steps = Math.min(BUCKETS, Math.floor((now - this.#bucketStart) / slice));
      for (let i = 0; i < steps; i++) {
        this.#bucket = (this.#bucket + 1) % BUCKETS;
        this.#ok[this.#bucket] = 0;
        this.#failed[this.#bucket] = 0;
      }
      this.#bucketStart = steps === BUCKETS ? now : this.#bucketStart + steps * slice;
    }
    if (ok) this.#ok[this.#bucket] = (this.#ok[this.#bucket] ?? 0) + 1;
    else this.#failed[this.#bucket] = (this.#failed[this.#bucket] ?? 0) + 1;
  }

  #totals(): { ok: number; failed: number } {
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < BUCKETS; i++) {
      ok += this.#ok[i] ?? 0;
      failed += this.#failed[i] ?? 0;
    }
    return { ok, failed };
  }
}

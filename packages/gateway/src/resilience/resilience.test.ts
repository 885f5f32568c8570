import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { OutlierConfig, RouteTable } from '../table/route.js';
import type { Transports } from '../transport/transport.js';
import { ActiveHealthChecks } from './active-health.js';
import { BackendHealth } from './backend-health.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { RetryBudget } from './retry-budget.js';
import type { RouteStates } from './route-states.js';

const outlier: OutlierConfig = {
  consecutiveFailures: 3,
  failureRate: 0.5,
  minRequests: 10,
  windowMs: 10_000,
  baseEjectionMs: 1000,
  maxEjectionMs: 4000,
};

describe('BackendHealth', () => {
  it('ejects after consecutive failures, then lets one probe through after the cool-down', () => {
    const h = new BackendHealth(outlier);
    h.failure(0);
    h.failure(1);
    expect(h.state(2)).toBe('healthy');
    h.failure(2);
    expect(h.state(3)).toBe('ejected');
    expect(h.state(1001)).toBe('ejected');
    expect(h.state(1002)).toBe('half-open');
    h.beginProbe();
    expect(h.state(1003)).toBe('ejected'); // one probe at a time
    h.success(1004);
    expect(h.state(1005)).toBe('healthy');
  });

  it('a probe that ends without a verdict (client gone, 429) leaves the backend half-open, not ejected for good', () => {
    const h = new BackendHealth({ ...outlier, consecutiveFailures: 1 });
    h.failure(0);
    const probe = h.beginProbe();
    expect(h.state(1001)).toBe('ejected');
    h.endProbe(probe);
    expect(h.state(1002)).toBe('half-open');
    // A probe that did get a verdict is not undone by its end.
    const failed = h.beginProbe();
    h.failure(1003); // ejected again, 2000 ms
    h.endProbe(failed);
    expect(h.state(2000)).toBe('ejected');
    // An old probe's end does not release a newer one.
    const next = h.beginProbe();
    h.endProbe(failed);
    expect(h.state(3100)).toBe('ejected');
    h.endProbe(next);
    expect(h.state(3101)).toBe('half-open');
  });

  it('doubles the cool-down on each repeat ejection, up to the maximum', () => {
    const h = new BackendHealth({ ...outlier, consecutiveFailures: 1 });
    h.failure(0); // 1st ejection: 1000 ms
    expect(h.state(999)).toBe('ejected');
    h.beginProbe();
    h.failure(1000); // failed probe: 2nd ejection, 2000 ms
    expect(h.state(2999)).toBe('ejected');
    expect(h.state(3000)).toBe('half-open');
    h.beginProbe();
    h.failure(3000); // 3rd: 4000 ms
    h.beginProbe();
    h.failure(7000); // 4th: capped at 4000 ms
    expect(h.state(10_999)).toBe('ejected');
    expect(h.state(11_000)).toBe('half-open');
    expect(h.ejections).toBe(4);
  });

  it('ejects on the failure rate within the window once enough requests were seen', () => {
    const h = new BackendHealth({ ...outlier, consecutiveFailures: 100 });
    for (let i = 0; i < 9; i++) {
      if (i % 2) h.failure(i);
      else h.success(i);
    }
    expect(h.state(10)).toBe('healthy'); // 9 requests < minRequests
    h.failure(10); // 10 requests, 5 failed
    expect(h.state(11)).toBe('ejected');
  });

  it('forgets failures older than the window', () => {
    const h = new BackendHealth({ ...outlier, consecutiveFailures: 100 });
    for (let i = 0; i < 8; i++) h.failure(i);
    for (let i = 0; i < 9; i++) h.success(20_000 + i);
    h.failure(20_010);
    expect(h.state(20_011)).toBe('healthy'); // 1 of 10 in the window
  });

  it('treats Retry-After as unavailability, not ill health', () => {
    const h = new BackendHealth(outlier);
    h.rateLimited(5000);
    expect(h.state(4999)).toBe('rate-limited');
    expect(h.state(5000)).toBe('healthy');
    expect(h.ejections).toBe(0);
  });
});

describe('RetryBudget', () => {
  it('allows retries up to the ratio of requests plus the per-second floor', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 0 }, () => now);
    // starts full: cap = 0 + 0.5 * 100 = 50
    for (let i = 0; i < 50; i++) expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    budget.onRequest();
    expect(budget.tryRetry()).toBe(false); // 0.5 token
    budget.onRequest();
    expect(budget.tryRetry()).toBe(true);
    now += 10_000; // no floor: time alone does not refill
    expect(budget.tryRetry()).toBe(false);
  });

  it('refills the floor over time', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 2 }, () => now);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now += 500;
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });
});

describe('ConcurrencyLimit', () => {
  it('is free when unlimited', () => {
    const l = new ConcurrencyLimit(undefined, 0);
    expect(l.tryAcquire()).not.toBeNull();
    expect(l.canQueue()).toBe(false);
  });

  it('hands a released slot to the first waiter, and turns away callers past the queue', async () => {
    const l = new ConcurrencyLimit(1, 1);
    const first = l.tryAcquire();
    expect(first).not.toBeNull();
    expect(l.tryAcquire()).toBeNull();
    const waiting = l.acquire(10_000);
    expect(l.queued).toBe(1);
    expect(await l.acquire(10_000)).toBeNull(); // queue full
    first?.();
    first?.(); // a second release is harmless
    const second = await waiting;
    expect(second).not.toBeNull();
    expect(l.active).toBe(1);
    second?.();
    expect(l.active).toBe(0);
  });

  it('gives up waiting after the timeout', async () => {
    const l = new ConcurrencyLimit(1, 5);
    l.tryAcquire();
    expect(await l.acquire(10)).toBeNull();
    expect(l.queued).toBe(0);
  });
});

describe('ActiveHealthChecks', () => {
  it('sends a backend no new probe while its last one is still out', async () => {
    vi.useFakeTimers();
    try {
      let probes = 0;
      let answer: (ok: boolean) => void = () => undefined;
      const transports = {
        for: () => ({
          ready: () => {
            probes++;
            return new Promise<boolean>((r) => (answer = r));
          },
        }),
      } as unknown as Transports;
      const states = { backend: () => undefined } as unknown as RouteStates;
      const checks = new ActiveHealthChecks(states, transports, pino({ level: 'silent' }));
      const backend = { name: 'b' };
      const route = {
        id: 'default/r',
        backends: [backend],
        resilience: { healthCheck: { intervalMs: 1000, timeoutMs: 60_000 } },
      };
      checks.sync({ routes: [route] } as unknown as RouteTable);
      await vi.advanceTimersByTimeAsync(10_500);
      expect(probes).toBe(1);
      answer(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(probes).toBe(2);
      checks.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

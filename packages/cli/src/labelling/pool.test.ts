import { describe, expect, it } from 'vitest';
import { Limiter, withRetries } from './pool.js';

describe('call pool', () => {
  it('runs at most n tasks at once, the rest in order', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      limiter.run(async () => {
        active++;
        most = Math.max(most, active);
        order.push(i);
        await new Promise<void>((r) => gates.push(r));
        active--;
      }),
    );
    // release the tasks one by one as they start
    while (gates.length || order.length < 5) {
      await Promise.resolve();
      gates.shift()?.();
    }
    await Promise.all(tasks);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('retries with doubling back-off, then gives up with the last error', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    let n = 0;
    await expect(
      withRetries(() => (++n < 3 ? Promise.reject(new Error(`no ${n}`)) : Promise.resolve(n)), {
        retries: 2,
        sleep,
        baseDelayMs: 100,
      }),
    ).resolves.toBe(3);
    expect(waits).toEqual([100, 200]);
    n = 0;
    await expect(withRetries(() => Promise.reject(new Error(`no ${++n}`)), { retries: 1, sleep })).rejects.toThrow('no 2');
  });
});

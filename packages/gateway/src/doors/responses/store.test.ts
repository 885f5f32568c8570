import { describe, expect, it } from 'vitest';
import { MemoryResponseStore, type StoredResponse } from './store.js';

const record = (text: string): StoredResponse => ({ response: { id: text, output_text: text }, input: [] });

describe('MemoryResponseStore', () => {
  it("a tenant flooding the store evicts its own oldest answers, never another tenant's", async () => {
    const store = new MemoryResponseStore({ maxEntries: 10 });
    await store.put('team-a/k', 'resp_a', record('kept'));
    for (let i = 0; i < 100; i++) await store.put('team-b/k', `resp_b${i}`, record(`flood ${i}`));
    expect(store.size).toBe(10);
    expect(await store.get('team-a/k', 'resp_a')).toEqual(record('kept'));
    expect(await store.get('team-b/k', 'resp_b0')).toBeUndefined();
    expect(await store.get('team-b/k', 'resp_b99')).toEqual(record('flood 99'));
    expect(await store.get('team-b/k', 'resp_b91')).toEqual(record('flood 91'));
    expect(await store.get('team-b/k', 'resp_b90')).toBeUndefined();
  });

  it('the same by bytes: the owner holding the most bytes gives up its oldest', async () => {
    const big = 'x'.repeat(1000);
    const store = new MemoryResponseStore({ maxBytes: 5000 });
    await store.put('a', 'small', record('small'));
    for (let i = 0; i < 20; i++) await store.put('b', `big${i}`, record(`${big}${i}`));
    expect(await store.get('a', 'small')).toEqual(record('small'));
    expect(await store.get('b', 'big19')).toBeDefined();
    expect(await store.get('b', 'big0')).toBeUndefined();
    expect(store.size).toBeLessThanOrEqual(5);
  });

  it("an owner's id finds nothing for another owner, and delete and re-put keep the counts right", async () => {
    const store = new MemoryResponseStore({ maxEntries: 3 });
    await store.put('a', 'r1', record('one'));
    expect(await store.get('b', 'r1')).toBeUndefined();
    expect(await store.delete('b', 'r1')).toBe(false);
    await store.put('a', 'r1', record('again'));
    expect(store.size).toBe(1);
    expect(await store.delete('a', 'r1')).toBe(true);
    expect(store.size).toBe(0);
    for (const id of ['x', 'y', 'z', 'w']) await store.put('a', id, record(id));
    expect(store.size).toBe(3);
    expect(await store.get('a', 'x')).toBeUndefined();
  });

  it('expires entries after the TTL', async () => {
    let now = 0;
    const store = new MemoryResponseStore({ ttlMs: 1000, now: () => now });
    await store.put('a', 'r', record('r'));
    now = 999;
    expect(await store.get('a', 'r')).toBeDefined();
    now = 1000;
    expect(await store.get('a', 'r')).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

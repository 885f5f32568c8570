import { describe, expect, it } from 'vitest';
import { SecretExistence, type SecretName } from './secret-existence.js';

/** A probe over a fixed set of existing Secrets that records what it was asked. */
function probeOver(existing: SecretName[]) {
  const asked: SecretName[] = [];
  const probe = (n: SecretName) => {
    asked.push(n);
    return Promise.resolve(existing.includes(n));
  };
  return { asked, probe };
}

describe('SecretExistence', () => {
  it('tells which of the names exist, asking once per name however often it is called', async () => {
    const { asked, probe } = probeOver(['a/one']);
    const existence = new SecretExistence(probe);
    expect(await existence.existing(['a/one', 'a/two', 'a/one'])).toEqual(new Set(['a/one']));
    expect(await existence.existing(['a/two', 'a/one'])).toEqual(new Set(['a/one']));
    expect(asked).toEqual(['a/one', 'a/two']);
  });

  it('asks again once an answer is older than the TTL', async () => {
    const { asked, probe } = probeOver([]);
    const existence = new SecretExistence(probe, { ttlMs: -1 });
    await existence.existing(['a/one']);
    await existence.existing(['a/one']);
    expect(asked).toEqual(['a/one', 'a/one']);
  });

  it('asks at most maxProbes per call; the rest count as absent until a later call', async () => {
    const names = Array.from({ length: 10 }, (_, i): SecretName => `a/s${i}`);
    const { asked, probe } = probeOver(names);
    const existence = new SecretExistence(probe, { maxProbes: 4 });
    expect((await existence.existing(names)).size).toBe(4);
    expect((await existence.existing(names)).size).toBe(8);
    expect((await existence.existing(names)).size).toBe(10);
    expect(asked).toEqual(names);
  });
});

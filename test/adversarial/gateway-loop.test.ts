import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

// A route whose backend is the gateway itself (a mistake, or a route author
// on purpose) must end after a few rounds: before the depth header, each
// round held another upstream connection until all 256 of the origin's were
// taken and held for the route's timeouts.

let h: Harness;
beforeAll(async () => {
  h = await startHarness(([a]) => routeYaml('placeholder', [{ name: 'a', url: a ?? '' }]), [{}]);
  await h.writeRoutes(
    routeYaml('loop', [
      // The route author even tries to reset the count on every round.
      { name: 'self', url: `${h.url}/v1`, extra: "      headers: { x-switchboard-depth: '0' }\n" },
    ]).replace('model: self-model', 'model: loop'),
    'loop.yaml',
  );
  await eventually(async () => (await (await fetch(`${h.url}/v1/models`)).text()).includes('"loop"'));
});
afterAll(() => h.close());

describe('a route that calls itself through the gateway', () => {
  it('is stopped at the depth limit, and the client gets an error that says so', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('loop'),
    });
    const text = await res.text();
    expect(res.status).toBe(502);
    // Seven gateways' 502s around the eighth's refusal.
    expect(text.match(/answered HTTP 502/g)).toHaveLength(7);
    expect(text).toMatch(/answered HTTP 508: This request has passed through 8 gateways/);
  });

  it('refuses a request that arrives already too deep, or with a depth that is not a number', async () => {
    for (const [depth, status] of [
      ['8', 508],
      ['abc', 400],
      ['-1', 400],
    ] as const) {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-depth': depth },
        body: chatBody('placeholder'),
      });
      expect(res.status).toBe(status);
      await res.arrayBuffer();
    }
    const ok = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-depth': '7' },
      body: chatBody('placeholder'),
    });
    expect(ok.status).toBe(200);
  });
});

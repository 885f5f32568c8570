import { fileURLToPath } from 'node:url';
import { NativeRouter } from '@switchboard/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const ROUTER = fileURLToPath(new URL('../../models/mf-hashed', import.meta.url));
const HARD = 'Prove that the integral of exp(-x^2) over the real line equals sqrt(pi), using polar coordinates and Fubini.';
const EASY = 'hi there, how are you today?';

describe('threshold routing (learned strong/weak router)', () => {
  let h: Harness;
  const router = NativeRouter.load(ROUTER);
  const [hard, easy] = [router.score(HARD), router.score(EASY)];
  const between = (hard + easy) / 2;
  beforeAll(async () => {
    h = await startHarness(
      ([strong, weak]) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: smart }
spec:
  backends:
    - { name: strong, provider: openai-compatible, endpoint: "${strong}", model: big }
    - { name: weak, provider: openai-compatible, endpoint: "${weak}", model: small }
  routing:
    strategy: threshold
    threshold: { strong: strong, weak: weak, router: "${ROUTER}", threshold: ${between} }
`,
      [{ model: 'big' }, { model: 'small' }],
    );
  });
  afterAll(() => h?.close());

  const ask = (model: string, content: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content },
        ],
      }),
    });

  it('scores differ enough between the two prompts for the test to mean something', () => {
    expect(Math.abs(hard - easy)).toBeGreaterThan(0.01);
  });

  it('sends a prompt scoring at or above the threshold to the strong backend, and the others to the weak one', async () => {
    const [above, below] = hard > easy ? [HARD, EASY] : [EASY, HARD];
    const a = await ask('smart', above);
    expect(a.headers.get('x-switchboard-backend')).toBe('strong');
    expect(a.headers.get('x-switchboard-decision')).toBe('strong');
    expect(Number(a.headers.get('x-switchboard-score'))).toBeCloseTo(Math.max(hard, easy), 3);
    const b = await ask('smart', below);
    expect(b.headers.get('x-switchboard-backend')).toBe('weak');
    expect(b.headers.get('x-switchboard-decision')).toBe('weak');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_router_decisions_total\{route="default\/smart",decision="strong"\} 1/);
    expect(metrics).toMatch(/switchboard_router_decisions_total\{route="default\/smart",decision="weak"\} 1/);
  });

  it("accepts RouteLLM's router-<name>-<threshold> model syntax", async () => {
    expect((await ask('router-mf-0', EASY)).headers.get('x-switchboard-decision')).toBe('strong');
    expect((await ask('router-mf-hashed-1', HARD)).headers.get('x-switchboard-decision')).toBe(hard >= 1 ? 'strong' : 'weak');
    expect((await ask('router-nosuch-0.5', EASY)).status).toBe(404);
  });

  it('rejects a route whose router cannot be loaded, with the reason, at load time', async () => {
    await h.writeRoutes(
      `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: broken }
spec:
  backends:
    - { name: a, provider: openai-compatible, endpoint: "http://127.0.0.1:1/v1", model: m }
    - { name: b, provider: openai-compatible, endpoint: "http://127.0.0.1:1/v1", model: m }
  routing:
    strategy: threshold
    threshold: { strong: a, weak: b, router: no-such-router, threshold: 0.5 }
`,
      'broken.yaml',
    );
    await expect
      .poll(() => h.gateway.routes?.lastRejected?.[0]?.message, { timeout: 5000 })
      .toMatch(/no router "no-such-router"/);
  });
});

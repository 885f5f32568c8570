import { describe, expect, it } from 'vitest';
import { standaloneSecrets } from '../runtime/secret-sources.js';
import { backend, inProcess } from '../fixtures/in-process.fixture.js';

// RouteLLM's `router-<name>-<threshold>` is claimed like a model name (plan/router-names.ts claimRouterNames):
// the first route in table order whose router answers to the name owns it; a later one is served without it.

const thresholdRoute = (prefix: string, modelNames?: string[]) => ({
  ...(modelNames ? { modelNames } : {}),
  backends: [backend(`${prefix}-strong`), backend(`${prefix}-weak`)],
  routing: {
    strategy: 'threshold' as const,
    threshold: { strong: `${prefix}-strong`, weak: `${prefix}-weak`, router: 'default', threshold: 0.5 },
  },
});
const plain = (name: string, modelNames: string[]) => ({ modelNames, backends: [backend(name)] });
const ask = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('router-<name>-<threshold> lookup', () => {
  it('a single route with a router answers to its folder name and its kind, at the threshold asked', async () => {
    const gw = await inProcess({ smart: thresholdRoute('legit') });
    for (const model of ['router-default-0.58', 'router-cluster-0.3']) {
      const r = await gw.post('/v1/chat/completions', ask(model));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-switchboard-route')).toBe('default/smart');
    }
    // Threshold 0: every score is at or above it, so the strong backend answers; 1: the weak one (a score below 1).
    const strong = await gw.post('/v1/chat/completions', ask('router-default-0'));
    expect(strong.headers.get('x-switchboard-backend')).toBe('legit-strong');
    const weak = await gw.post('/v1/chat/completions', ask('router-default-1'));
    expect(weak.headers.get('x-switchboard-backend')).toBe('legit-weak');
    expect((await gw.post('/v1/chat/completions', ask('router-nope-0.5'))).status).toBe(404);
  });

  it('a second route loading the same router does not share the name: it is served without it, and the conflict is reported on it', async () => {
    // `aaa` stands for a route earlier in the table (in Kubernetes mode, an older route of another namespace).
    const gw = await inProcess({ aaa: thresholdRoute('attacker'), smart: thresholdRoute('legit') });
    const r = await gw.post('/v1/chat/completions', ask('router-default-0.58'));
    expect(r.headers.get('x-switchboard-route')).toBe('default/aaa');
    // The later route still serves its own model name.
    const own = await gw.post('/v1/chat/completions', ask('smart'));
    expect(own.headers.get('x-switchboard-route')).toBe('default/smart');

    const table = gw.configurator.current();
    expect(table.byRouterName.get('default')?.id).toBe('default/aaa');
    expect(table.routes.map((x) => x.id)).toEqual(['default/aaa', 'default/smart']);
    // Reported, naming both routes, with the model name conflict reason (the controller's Accepted=False reason);
    // an unchanged plan applied again (no build) reports it still.
    const sources = ['aaa', 'smart'].map((name) => ({
      route: {
        apiVersion: 'switchboard.dev/v1alpha1' as const,
        kind: 'LLMRoute' as const,
        metadata: { name },
        spec: thresholdRoute(name === 'aaa' ? 'attacker' : 'legit'),
      },
    }));
    const outcome = await gw.configurator.apply(sources, standaloneSecrets({}), 'per-route');
    expect(outcome.swapped).toBe(false);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.problemsByRoute.get('default/aaa')).toEqual([]);
    // The folder's name and the router's kind (cluster) are both taken.
    const smart = outcome.problemsByRoute.get('default/smart') ?? [];
    expect(smart.map((p) => p.reason)).toEqual(['ModelNameConflict', 'ModelNameConflict']);
    ['default', 'cluster'].forEach((name, i) => {
      expect(smart[i]?.message).toContain(`"router-${name}-<threshold>"`);
      expect(smart[i]?.message).toContain('already served by route default/aaa');
    });
  });

  it('when the legitimate route comes first, a later route can neither take the name with its router nor by spelling it as a model name', async () => {
    const gw = await inProcess({ smart: thresholdRoute('legit'), zzz: thresholdRoute('attacker') });
    const r = await gw.post('/v1/chat/completions', ask('router-default-0.58'));
    expect(r.headers.get('x-switchboard-route')).toBe('default/smart');
    await expect(gw.apply({ smart: thresholdRoute('legit'), zzz: plain('attacker', ['router-default-0.58']) })).rejects.toThrow(
      /model name "router-default-0.58" is already served by route default\/smart/,
    );
    const after = await gw.post('/v1/chat/completions', ask('router-default-0.58'));
    expect(after.headers.get('x-switchboard-route')).toBe('default/smart');
  });
});

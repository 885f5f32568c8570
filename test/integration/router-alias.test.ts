import { describe, expect, it } from 'vitest';
import { captureLog, chatBody, routeYaml, startHarness } from '../helpers/harness.js';

// router-<name>-<threshold> is claimed like a model name: a second route on
// the same router is served without the alias. In Kubernetes the route's
// status says so; a standalone gateway has only its log to say it.

const thresholdRoute = (name: string, [strong, weak]: [string, string]) =>
  routeYaml(name, [
    { name: 'strong', url: strong },
    { name: 'weak', url: weak },
  ]) + `  routing:\n    strategy: threshold\n    threshold: { strong: strong, weak: weak, router: default, threshold: 0.5 }\n`;

describe('a standalone gateway with two routes on one router', () => {
  it('serves both, gives the alias to the first, and logs why the second has none', async () => {
    const logs = captureLog();
    const h = await startHarness(
      ([a, b]) => [thresholdRoute('first', [a ?? '', b ?? '']), thresholdRoute('second', [a ?? '', b ?? ''])].join('---\n'),
      [{}, {}],
      { log: logs.log },
    );
    try {
      for (const model of ['first', 'second']) {
        const res = await fetch(`${h.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: chatBody(model),
        });
        expect(res.status).toBe(200);
      }
      const alias = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('router-default-0.5'),
      });
      expect(alias.headers.get('x-switchboard-route')).toBe('default/first');
      const warned = logs.lines.filter((l) => l.msg === 'route served with a problem');
      // Its folder name and its kind (cluster): both aliases are the first route's.
      expect(warned.map((l) => l.route)).toEqual(['default/second', 'default/second']);
      const said = warned.map((l) => String(l.problem)).join('\n');
      expect(said).toMatch(/router-default-<threshold>.*already served by route default\/first/);
      expect(said).toMatch(/router-cluster-<threshold>.*already served by route default\/first/);
    } finally {
      await h.close();
    }
  });
});

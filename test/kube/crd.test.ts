import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRoutesFromYaml, validateLLMRoute } from '@switchboard/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCrd, ROOT, startApiServer, type ApiServer } from '../helpers/kube.js';

const fixtures = (kind: 'good' | 'bad') =>
  readdirSync(join(ROOT, 'test/kube/fixtures', kind))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const file = join(ROOT, 'test/kube/fixtures', kind, f);
      const text = readFileSync(file, 'utf8');
      return { name: f, file, text, expect: /^# expect: (.+)$/m.exec(text)?.[1] ?? '' };
    });

describe('the LLMRoute CRD on a real API server', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer();
    await installCrd(api);
  }, 120_000);
  afterAll(() => api?.stop());

  it('is served with its short name, printer columns and status subresource', async () => {
    const resources = await api.kubectl(['api-resources', '--api-group=switchboard.dev', '-o', 'wide']);
    expect(resources).toMatch(/llmroutes\s+llmr\s+switchboard.dev\/v1alpha1\s+true\s+LLMRoute/);
    const crd = JSON.parse(await api.kubectl(['get', 'crd', 'llmroutes.switchboard.dev', '-o', 'json'])) as {
      spec: { versions: { subresources: unknown; additionalPrinterColumns: { name: string }[] }[] };
    };
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Strategy',
      'Backends',
      'Accepted',
      'Programmed',
      'Age',
    ]);
  });

  for (const f of fixtures('bad')) {
    it(`rejects ${f.name} with "${f.expect}", as standalone validation does`, async () => {
      expect(f.expect).not.toBe('');
      await expect(api.kubectl(['apply', '--dry-run=server', '-f', f.file])).rejects.toThrow(f.expect);
      const standalone = loadRoutesFromYaml(f.text, f.file);
      const messages = [
        ...standalone.problems,
        ...standalone.routes.flatMap((r) => {
          const v = validateLLMRoute(r.route);
          return v.ok ? [] : v.problems;
        }),
      ].map((p) => p.message);
      expect(messages.join('\n')).toContain(f.expect);
    });
  }

  const goodFiles = [
    ...fixtures('good').map((f) => f.file),
    ...readdirSync(join(ROOT, 'examples/routes')).map((f) => join(ROOT, 'examples/routes', f)),
  ];
  for (const file of goodFiles) {
    it(`accepts ${file.slice(ROOT.length)}`, async () => {
      await expect(api.kubectl(['apply', '--dry-run=server', '-f', file])).resolves.toMatch(/created \(server dry run\)/);
    });
  }

  it('applies defaults from the schema', async () => {
    await api.kubectl(['apply', '-f', join(ROOT, 'test/kube/fixtures/good/service-ref-and-secret-ref.yaml')]);
    const route = JSON.parse(await api.kubectl(['get', 'llmroute', 'in-cluster', '-o', 'json'])) as {
      spec: { backends: { serviceRef?: { scheme?: string; path?: string } }[] };
    };
    expect(route.spec.backends[0]?.serviceRef).toMatchObject({ scheme: 'http', path: '/v1' });
    expect(route.spec.backends[1]?.serviceRef).toMatchObject({ scheme: 'grpc', path: '' });
  });
});

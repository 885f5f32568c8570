import type { LLMRoute } from '@switchboard/api';
import { loadTokenizer } from '@switchboard/native';
import { describe, expect, it } from 'vitest';
import { compileRoutes, DEFAULT_TIMEOUTS, type CompileContext } from './compile.js';
import { standaloneSecrets } from './secrets.js';

const route = (name: string, spec: Partial<LLMRoute['spec']> = {}, namespace?: string): LLMRoute => ({
  apiVersion: 'switchboard.dev/v1alpha1',
  kind: 'LLMRoute',
  metadata: namespace ? { name, namespace } : { name },
  spec: { backends: [{ name: 'b', provider: 'openai', endpoint: 'http://h:1/v1', model: 'm' }], ...spec },
});

const ctx: CompileContext = { secrets: standaloneSecrets({ KEY: 'sk-1' }), loadTokenizer, version: 7 };

describe('compileRoutes', () => {
  it('indexes routes by model name, defaulting to the route name', () => {
    const { table, problems } = compileRoutes([{ route: route('a') }, { route: route('b', { modelNames: ['x', 'y'] }) }], ctx);
    expect(problems).toEqual([]);
    expect(table.version).toBe(7);
    expect([...table.byModel.keys()]).toEqual(['a', 'x', 'y']);
    expect(table.byModel.get('y')?.id).toBe('default/b');
  });

  it('resolves endpoints, prices, defaults and timeouts', () => {
    const { table } = compileRoutes(
      [
        {
          route: route('a', {
            backends: [
              {
                name: 'b',
                provider: 'openai',
                endpoint: 'http://h:1/v1',
                model: 'm',
                auth: { env: 'KEY' },
                cost: { inputPerMillionTokens: 2, outputPerMillionTokens: 8 },
              },
            ],
            resilience: { timeouts: { firstToken: '1.5s' } },
          }),
        },
      ],
      ctx,
    );
    const r = table.byModel.get('a')!;
    const b = r.backends[0]!;
    expect(b.baseUrl.href).toBe('http://h:1/v1/');
    expect(b.apiKey).toBe('sk-1');
    expect(b.inputPricePerToken).toBeCloseTo(2e-6);
    expect(b.outputPricePerToken).toBeCloseTo(8e-6);
    expect(b.priority).toBe(0);
    expect(b.weight).toBe(1);
    expect(r.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, firstToken: 1500 });
    expect(r.strategy.name).toBe('priority');
  });

  it('gives a model name to the first route that claims it and rejects the later one', () => {
    const { table, problems, rejected } = compileRoutes(
      [
        { route: route('a', { modelNames: ['shared'] }) },
        { route: route('b', { modelNames: ['shared', 'own'] }), file: 'b.yaml' },
      ],
      ctx,
    );
    expect(rejected).toEqual(['default/b']);
    expect(table.byModel.has('own')).toBe(false);
    expect(problems).toEqual([
      {
        file: 'b.yaml',
        path: 'spec.modelNames[0]',
        message: 'route default/b: model name "shared" is already served by route default/a',
        reason: 'ModelNameConflict',
      },
    ]);
  });

  it('rejects a route whose key, tokenizer or timeouts cannot be resolved, naming the field but never a key', () => {
    const bad = route('a', {
      backends: [
        {
          name: 'b',
          provider: 'openai',
          endpoint: 'http://h:1/v1',
          model: 'm',
          auth: { env: 'MISSING' },
          tokenizer: 'p50k_nope',
        },
      ],
      resilience: { timeouts: { total: '0s' } },
    });
    const { problems, table } = compileRoutes([{ route: bad }], ctx);
    expect(table.routes).toEqual([]);
    expect(problems.map((p) => p.path)).toEqual([
      'spec.backends[0].auth',
      'spec.backends[0].tokenizer',
      'spec.resilience.timeouts.total',
    ]);
    expect(problems[0]?.message).toContain('environment variable MISSING is not set');
  });

  it('treats the same name in two namespaces as two routes, and the same twice as an error', () => {
    const ok = compileRoutes([{ route: route('a', {}, 'x') }, { route: route('a', { modelNames: ['other'] }, 'y') }], ctx);
    expect(ok.problems).toEqual([]);
    const dup = compileRoutes([{ route: route('a') }, { route: route('a', { modelNames: ['other'] }) }], ctx);
    expect(dup.problems[0]?.message).toContain('defined more than once');
  });
});

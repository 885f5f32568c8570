import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { loadRoutesFromYaml } from './load-yaml.js';
import { formatProblem } from './problem.js';
import { jsonPointerToPath, validateLLMRoute } from './validate.js';

const good = () => ({
  apiVersion: 'switchboard.dev/v1alpha1',
  kind: 'LLMRoute',
  metadata: { name: 'assistant' },
  spec: {
    backends: [
      {
        name: 'strong',
        provider: 'openai',
        endpoint: 'https://api.openai.com/v1',
        model: 'gpt-4o',
        auth: { env: 'OPENAI_API_KEY' },
      },
    ],
  },
});

describe('validateLLMRoute', () => {
  it('accepts a minimal route and fills defaults', () => {
    const result = validateLLMRoute(good());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.route.spec.backends[0]).toMatchObject({ priority: 0, weight: 1, tokenizer: 'o200k_base' });
  });

  it('returns every problem with its field path', () => {
    const route = good() as Record<string, unknown> & ReturnType<typeof good>;
    Object.assign(route.spec.backends[0] as object, { provider: 'bedrock', priority: -1, colour: 'red' });
    (route.spec as Record<string, unknown>).routing = { strategy: 'magic' };
    const result = validateLLMRoute(route);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
    expect(byPath).toMatchObject({
      'spec.backends[0].provider': 'must be one of: openai, openai-compatible, nim, azure-openai, anthropic, triton',
      'spec.backends[0].priority': 'must be >= 0',
      'spec.backends[0].colour': 'is not a known field',
      'spec.routing.strategy':
        'must be one of: priority, weighted, threshold, classifier, semantic, predictive, bandit, cascade, collaboration',
    });
  });

  it.each([
    ['missing backends', (r: ReturnType<typeof good>) => Object.assign(r.spec, { backends: [] }), 'spec.backends'],
    ['bad name', (r: ReturnType<typeof good>) => Object.assign(r.metadata, { name: 'Not_A_Label' }), 'metadata.name'],
    [
      'bad endpoint',
      (r: ReturnType<typeof good>) => Object.assign(r.spec.backends[0] as object, { endpoint: 'ftp://x' }),
      'spec.backends[0].endpoint',
    ],
    [
      'both auth sources',
      (r: ReturnType<typeof good>) => Object.assign(r.spec.backends[0] as object, { auth: { env: 'A', file: '/k' } }),
      'spec.backends[0].auth',
    ],
    [
      'empty auth',
      (r: ReturnType<typeof good>) => Object.assign(r.spec.backends[0] as object, { auth: {} }),
      'spec.backends[0].auth',
    ],
    [
      'bad duration',
      (r: ReturnType<typeof good>) => Object.assign(r.spec, { resilience: { timeouts: { total: '10 minutes' } } }),
      'spec.resilience.timeouts.total',
    ],
    ['wrong kind', (r: ReturnType<typeof good>) => Object.assign(r, { kind: 'Route' }), 'kind'],
    [
      'duplicate model names',
      (r: ReturnType<typeof good>) => Object.assign(r.spec, { modelNames: ['a', 'a'] }),
      'spec.modelNames',
    ],
  ])('rejects %s at %s', (_name, mutate, path) => {
    const route = good();
    mutate(route);
    const result = validateLLMRoute(route);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toContain(path);
  });

  it('rejects duplicate backend names (a cross-field rule)', () => {
    const route = good();
    route.spec.backends.push({ ...(route.spec.backends[0] as (typeof route.spec.backends)[0]) });
    const result = validateLLMRoute(route);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        {
          path: 'spec.backends[1].name',
          message: 'backend names must be unique within a route: "strong" is also spec.backends[0].name',
        },
      ]);
  });
});

describe('loadRoutesFromYaml', () => {
  it('loads several documents and skips empty ones', () => {
    const yaml = `---\napiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: {name: a}\nspec:\n  backends:\n    - {name: x, provider: openai, endpoint: "http://h/v1", model: m}\n---\n---\napiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: {name: b}\nspec:\n  backends:\n    - {name: y, provider: openai, endpoint: "http://h/v1", model: m}\n`;
    const { routes, problems } = loadRoutesFromYaml(yaml, 'r.yaml');
    expect(problems).toEqual([]);
    expect(routes.map((r) => r.route.metadata.name)).toEqual(['a', 'b']);
  });

  it('locates schema problems at their line and column', () => {
    const yaml = [
      'apiVersion: switchboard.dev/v1alpha1',
      'kind: LLMRoute',
      'metadata: {name: a}',
      'spec:',
      '  backends:',
      '    - name: x',
      '      provider: azure',
      '      endpoint: http://h/v1',
      '      model: m',
      '',
    ].join('\n');
    const { problems } = loadRoutesFromYaml(yaml, 'routes/a.yaml');
    expect(problems).toEqual([
      {
        file: 'routes/a.yaml',
        path: 'spec.backends[0].provider',
        message: 'must be one of: openai, openai-compatible, nim, azure-openai, anthropic, triton',
        line: 7,
        column: 17,
      },
    ]);
    expect(formatProblem(problems[0]!)).toBe(
      'routes/a.yaml:7:17 spec.backends[0].provider: must be one of: openai, openai-compatible, nim, azure-openai, anthropic, triton',
    );
  });

  it('reports YAML syntax errors and duplicate keys with a line', () => {
    const { problems } = loadRoutesFromYaml('kind: LLMRoute\nkind: LLMRoute\n', 'dup.yaml');
    expect(problems[0]).toMatchObject({ file: 'dup.yaml', line: 2 });
    const broken = loadRoutesFromYaml('spec: [unclosed\n', 'broken.yaml');
    expect(broken.problems.length).toBeGreaterThan(0);
    expect(broken.routes).toEqual([]);
  });
});

describe('helpers', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('10')).toThrow(/invalid duration/);
    expect(() => parseDuration('5s garbage')).toThrow(/invalid duration/);
  });

  it('turns JSON pointers into field paths', () => {
    expect(jsonPointerToPath('/spec/backends/0/auth')).toBe('spec.backends[0].auth');
    expect(jsonPointerToPath('')).toBe('');
  });
});

import type { LLMRoute } from '@switchboard/api';
import { describe, expect, it } from 'vitest';
import { standaloneSecrets } from '../runtime/secret-sources.js';
import { planRouting } from '../strategies/registry.js';
import { compileRoutes, DEFAULT_TIMEOUTS } from './compile.js';
import { claimRouterNames, parseRouterModel } from './router-names.js';
import { resolveSecrets, type RouteSource } from './secrets.js';

const route = (name: string, spec: Partial<LLMRoute['spec']> = {}, namespace?: string): LLMRoute => ({
  apiVersion: 'switchboard.dev/v1alpha1',
  kind: 'LLMRoute',
  metadata: namespace ? { name, namespace } : { name },
  spec: { backends: [{ name: 'b', provider: 'openai', endpoint: 'http://h:1/v1', model: 'm' }], ...spec },
});

const compile = (sources: RouteSource[], env: NodeJS.ProcessEnv = { KEY: 'sk-1' }) =>
  compileRoutes(sources, resolveSecrets(sources, standaloneSecrets(env)), planRouting);

describe('compileRoutes (the pure plan)', () => {
  it('claims model names in order, defaulting to the route name', () => {
    const plan = compile([{ route: route('a') }, { route: route('b', { modelNames: ['x', 'y'] }) }]);
    expect(plan.problems).toEqual([]);
    expect(plan.routes.map((r) => [r.id, r.modelNames])).toEqual([
      ['default/a', ['a']],
      ['default/b', ['x', 'y']],
    ]);
  });

  // Each row: a backend as written, and what the plan must hold for it.
  const backendCases: [string, NonNullable<LLMRoute['spec']['backends']>[number], Record<string, unknown>][] = [
    [
      'prices per token, defaults, a resolved key',
      {
        name: 'b',
        provider: 'openai',
        endpoint: 'http://h:1/v1',
        model: 'm',
        auth: { env: 'KEY' },
        cost: { inputPerMillionTokens: 2, outputPerMillionTokens: 8 },
      },
      {
        baseUrl: 'http://h:1/v1/',
        apiKey: 'sk-1',
        inputPricePerToken: 2e-6,
        outputPricePerToken: 8e-6,
        priority: 0,
        weight: 1,
        tokenizer: 'o200k_base',
        transport: 'http',
        maxOutputTokens: undefined,
        settings: { kind: 'openai' },
        capabilities: ['tools', 'images', 'json-mode'],
      },
    ],
    [
      'azure: the default api-version',
      { name: 'b', provider: 'azure-openai', endpoint: 'https://x.openai.azure.com', model: 'dep' },
      { settings: { kind: 'azure-openai', apiVersion: '2024-10-21' } },
    ],
    [
      'anthropic: its version and a max output default',
      { name: 'b', provider: 'anthropic', endpoint: 'https://api.anthropic.com/v1', model: 'claude' },
      { settings: { kind: 'anthropic', apiVersion: '2023-06-01' }, maxOutputTokens: 4096 },
    ],
    [
      'triton over gRPC: the transport chosen by the scheme, no capabilities by default',
      { name: 'b', provider: 'triton', endpoint: 'grpc://t:8001', model: 'ensemble', chatTemplate: 'llama-3' },
      { transport: 'grpc', settings: { kind: 'triton', chatTemplate: 'llama-3' }, capabilities: [], maxOutputTokens: 256 },
    ],
    [
      'a Service reference',
      { name: 'b', provider: 'openai-compatible', serviceRef: { name: 'vllm', port: 8000, path: '/v1' }, model: 'm' },
      { baseUrl: 'http://vllm.team.svc:8000/v1/' },
    ],
  ];
  it.each(backendCases)('backend: %s', (_name, backend, expected) => {
    const plan = compile([{ route: route('a', { backends: [backend] }, 'team') }]);
    expect(plan.problems).toEqual([]);
    expect(plan.routes[0]?.backends[0]).toMatchObject(expected);
  });

  it('fills timeouts and resilience defaults, and keeps what is given', () => {
    const plan = compile([{ route: route('a', { resilience: { timeouts: { firstToken: '1.5s' }, retryOn: ['5xx'] } }) }]);
    const r = plan.routes[0];
    expect(r?.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, firstToken: 1500 });
    expect(r?.resilience).toMatchObject({ retryOn: ['5xx'], maxAttempts: 3, healthCheck: undefined });
    expect(r?.reserveOutputTokens).toBe(4096);
    expect(r?.strategy).toEqual({ kind: 'priority', settings: {}, rules: [] });
  });

  // Each row: a route that must be rejected, the problem paths, and a piece of the first message.
  const rejections: [string, Partial<LLMRoute['spec']>, string[], string][] = [
    [
      'a key that cannot be read',
      { backends: [{ name: 'b', provider: 'openai', endpoint: 'http://h:1/v1', model: 'm', auth: { env: 'MISSING' } }] },
      ['spec.backends[0].auth'],
      'environment variable MISSING is not set',
    ],
    ['a zero timeout', { resilience: { timeouts: { total: '0s' } } }, ['spec.resilience.timeouts.total'], 'greater than zero'],
    [
      'gRPC for a provider that does not speak it',
      { backends: [{ name: 'b', provider: 'openai', endpoint: 'grpc://h:1', model: 'm' }] },
      ['spec.backends[0].endpoint'],
      'only provider "triton"',
    ],
    [
      'a strategy naming a backend the route lacks',
      { routing: { strategy: 'semantic', semantic: { routes: [{ name: 'x', backend: 'nope', utterances: ['u'] }] } } },
      ['spec.routing.semantic.routes[0].backend'],
      '"nope" is not a backend of this route',
    ],
    [
      'a rule with a broken regular expression',
      { routing: { rules: [{ name: 'r', backend: 'b', promptMatches: '(' }] } },
      ['spec.routing.rules[0].promptMatches'],
      'invalid regular expression',
    ],
    [
      'a rule with look-around (it needs a backtracking engine)',
      { routing: { rules: [{ name: 'r', backend: 'b', header: { name: 'x-a', matches: '(?<!a)b' } }] } },
      ['spec.routing.rules[0].header.matches'],
      'look-around',
    ],
    [
      'an ejection cap below the base',
      { resilience: { outlierDetection: { baseEjectionTime: '60s', maxEjectionTime: '10s' } } },
      ['spec.resilience.outlierDetection.maxEjectionTime'],
      'must not be shorter',
    ],
  ];
  it.each(rejections)('rejects %s, naming the field but never a key', (_name, spec, paths, message) => {
    const plan = compile([{ route: route('a', spec) }]);
    expect(plan.routes).toEqual([]);
    expect(plan.rejected).toEqual(['default/a']);
    expect(plan.problems.map((p) => p.path)).toEqual(paths);
    expect(plan.problems[0]?.message).toContain(message);
    expect(JSON.stringify(plan.problems)).not.toContain('sk-1');
  });

  it('gives a model name to the first route that claims it and rejects the later one', () => {
    const plan = compile([
      { route: route('a', { modelNames: ['shared'] }) },
      { route: route('b', { modelNames: ['shared', 'own'] }), file: 'b.yaml' },
    ]);
    expect(plan.rejected).toEqual(['default/b']);
    expect(plan.problems).toEqual([
      {
        file: 'b.yaml',
        path: 'spec.modelNames[0]',
        message: 'route default/b: model name "shared" is already served by route default/a',
        reason: 'ModelNameConflict',
      },
    ]);
  });

  it('treats the same name in two namespaces as two routes, and the same twice as an error', () => {
    expect(compile([{ route: route('a', {}, 'x') }, { route: route('a', { modelNames: ['other'] }, 'y') }]).problems).toEqual([]);
    const dup = compile([{ route: route('a') }, { route: route('a', { modelNames: ['other'] }) }]);
    expect(dup.problems[0]?.message).toContain('defined more than once');
  });

  it('fingerprints the plan: equal input, equal fingerprint; any change to a route, another one', () => {
    const sources = [{ route: route('a') }, { route: route('b', { modelNames: ['x'] }) }];
    const one = compile(sources);
    expect(compile(structuredClone(sources)).fingerprint).toBe(one.fingerprint);
    expect(compile([...sources].reverse()).fingerprint).not.toBe(one.fingerprint);
    const rotated = [
      {
        route: route('a', {
          backends: [{ name: 'b', provider: 'openai', endpoint: 'http://h:1/v1', model: 'm', auth: { env: 'KEY' } }],
        }),
      },
    ];
    expect(compile(rotated, { KEY: 'sk-1' }).fingerprint).not.toBe(compile(rotated, { KEY: 'sk-2' }).fingerprint);
    expect(compile(rotated, { KEY: 'sk-1' }).routes[0]?.hash).toBe(compile(rotated, { KEY: 'sk-1' }).routes[0]?.hash);
  });

  it('refuses durations a timer cannot hold and health checks more often than once a second', () => {
    const plan = compile([
      { route: route('fast', { resilience: { healthCheck: { interval: '1ms' } } }) },
      { route: route('rare', { resilience: { healthCheck: { interval: '1000h' } } }) },
      { route: route('long', { resilience: { timeouts: { total: '600h' } } }) },
      { route: route('ok', { resilience: { healthCheck: { interval: '1s' }, timeouts: { total: '596h' } } }) },
    ]);
    expect(plan.problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.resilience.healthCheck.interval', expect.stringMatching(/route default\/fast: must be at least 1000 ms/)],
      ['spec.resilience.healthCheck.interval', expect.stringMatching(/route default\/rare: must be at most 2147483647 ms/)],
      ['spec.resilience.timeouts.total', expect.stringMatching(/route default\/long: must be at most 2147483647 ms/)],
    ]);
    expect(plan.routes.map((r) => r.id)).toEqual(['default/ok']);
  });

  it('an unknown strategy is a problem', () => {
    const plan = compile([{ route: route('a', { routing: { strategy: 'telepathy' as 'priority' } }) }]);
    expect(plan.problems[0]).toMatchObject({
      path: 'spec.routing.strategy',
      message: 'route default/a: unknown strategy "telepathy"',
    });
  });
});

describe('claimRouterNames (RouteLLM `router-<name>-<threshold>`, claimed like a model name)', () => {
  const claimant = (id: string, routerNames: string[], modelNames = [id.split('/')[1] as string]) => ({
    id,
    modelNames,
    explicitModelNames: true,
    routerNames,
  });

  it('parses the syntax: the last `-<threshold>` in 0..1 ends the router name', () => {
    expect(parseRouterModel('router-default-0.58')).toEqual({ router: 'default', threshold: 0.58 });
    expect(parseRouterModel('router-mf-hashed-0.3')).toEqual({ router: 'mf-hashed', threshold: 0.3 });
    expect(parseRouterModel('router-mf-1')).toEqual({ router: 'mf', threshold: 1 });
    expect(parseRouterModel('router-mf-5')).toBeUndefined();
    expect(parseRouterModel('smart')).toBeUndefined();
  });

  it('a single route with a router claims its folder name and kind', () => {
    const claims = claimRouterNames([claimant('default/smart', ['default', 'cluster'])]);
    expect([...claims.owners]).toEqual([
      ['default', 'default/smart'],
      ['cluster', 'default/smart'],
    ]);
    expect(claims.withheld.size + claims.rejected.size).toBe(0);
  });

  it('an earlier route (older, in Kubernetes mode) keeps the name; the later is served without it, with a ModelNameConflict', () => {
    const claims = claimRouterNames([
      claimant('team-a/aaa', ['default', 'cluster']),
      claimant('default/smart', ['default', 'cluster']),
      claimant('default/mf', ['mf-hashed', 'mf']),
    ]);
    expect(claims.owners.get('default')).toBe('team-a/aaa');
    expect(claims.owners.get('mf')).toBe('default/mf');
    expect(claims.rejected.size).toBe(0);
    expect(claims.withheld.get('default/smart')).toEqual([
      {
        path: 'spec.routing',
        message:
          'model name "router-default-<threshold>" (RouteLLM\'s name for this route\'s router "default") is already served by route team-a/aaa; this route is served without it, under its own model names',
        reason: 'ModelNameConflict',
      },
      expect.objectContaining({ path: 'spec.routing', reason: 'ModelNameConflict' }),
    ]);
    expect(claims.withheld.has('team-a/aaa')).toBe(false);
  });

  it('a later model name spelled router-<claimed>-<t> is a model name conflict that rejects its route', () => {
    const claims = claimRouterNames([
      claimant('default/smart', ['default']),
      claimant('team-a/grab', [], ['grab', 'router-default-0.58']),
    ]);
    expect(claims.rejected.get('team-a/grab')).toEqual([
      {
        path: 'spec.modelNames[1]',
        message:
          'model name "router-default-0.58" is already served by route default/smart (its router "default" answers to router-default-<threshold>)',
        reason: 'ModelNameConflict',
      },
    ]);
    expect(claims.owners.get('default')).toBe('default/smart');
  });

  it('an earlier model name spelled router-<name>-<t> claims <name>: a later router of that name gets no alias (and no alias answers)', () => {
    const claims = claimRouterNames([
      claimant('team-a/grab', [], ['router-default-0.58']),
      claimant('default/smart', ['default']),
    ]);
    expect(claims.rejected.size).toBe(0);
    expect(claims.withheld.get('default/smart')?.[0]?.message).toContain('already served by route team-a/grab');
    // Only the exact model name answers (byModel); router-default-0.3 is no route's.
    expect(claims.owners.has('default')).toBe(false);
  });

  it('a route may spell its own router name as a model name', () => {
    const claims = claimRouterNames([claimant('default/smart', ['default'], ['smart', 'router-default-0.58'])]);
    expect(claims.owners.get('default')).toBe('default/smart');
    expect(claims.withheld.size + claims.rejected.size).toBe(0);
  });
});

import type { LLMRoute } from '@switchboard/api';
import { describe, expect, it } from 'vitest';
import { planRouting } from '../strategies/registry.js';
import { compileRoutes, type CompileOptions } from './compile.js';
import { samplingFilesFor, workerFile } from './sampling.js';
import { resolveSecrets, type RouteSource, type SecretResolver } from './secrets.js';

const spec = (sampling: LLMRoute['spec']['sampling'] | undefined): LLMRoute['spec'] => ({
  backends: [{ name: 'a', provider: 'openai-compatible', endpoint: 'http://a/v1', model: 'm' }],
  ...(sampling ? { sampling } : {}),
});

function compile(
  sampling: LLMRoute['spec']['sampling'] | undefined,
  resolver: SecretResolver = () => ({ key: 'k' }),
  options: CompileOptions = {},
) {
  const sources: RouteSource[] = [
    {
      route: {
        apiVersion: 'switchboard.dev/v1alpha1',
        kind: 'LLMRoute',
        metadata: { name: 'r', namespace: 'ns' },
        spec: spec(sampling),
      },
    },
  ];
  return compileRoutes(sources, resolveSecrets(sources, resolver), planRouting, options);
}

describe('planning spec.sampling', () => {
  it('fills the defaults; no block, no sampling', () => {
    expect(compile(undefined).routes[0]?.sampling).toBeUndefined();
    expect(compile({ rate: 0.1, file: { path: '/tmp/s.jsonl' } }).routes[0]?.sampling).toEqual({
      rate: 0.1,
      maxPromptChars: 8192,
      redact: [],
      sink: { kind: 'file', path: '/tmp/s.jsonl', maxBytes: 104857600, maxFiles: 5 },
    });
    expect(compile({ rate: 1, redis: { url: 'redis://r:6379', stream: 's' } }).routes[0]?.sampling?.sink).toEqual({
      kind: 'redis',
      url: 'redis://r:6379',
      stream: 's',
      maxLength: 100000,
      password: undefined,
    });
  });

  it('reads the Redis password through the resolver, and reports its refusal at the auth block', () => {
    const auth = { secretRef: { name: 'redis', key: 'pw' } };
    expect(compile({ rate: 1, redis: { url: 'redis://r', stream: 's', auth } }).routes[0]?.sampling?.sink).toMatchObject({
      password: 'k',
    });
    const refused = compile({ rate: 1, redis: { url: 'redis://r', stream: 's', auth: { env: 'X' } } }, () => ({
      error: 'auth.env X is not allowed in Kubernetes mode',
      reason: 'CredentialSourceNotAllowed',
    }));
    expect(refused.rejected).toEqual(['ns/r']);
    expect(refused.problemsByRoute.get('ns/r')).toEqual([
      {
        path: 'spec.sampling.redis.auth',
        message: 'auth.env X is not allowed in Kubernetes mode',
        reason: 'CredentialSourceNotAllowed',
      },
    ]);
  });

  it('refuses a password in the URL, and both or neither sink', () => {
    expect(compile({ rate: 1, redis: { url: 'redis://:pw@r', stream: 's' } }).problems[0]?.message).toMatch(
      /must not carry credentials/,
    );
    expect(compile({ rate: 1 }).problems[0]?.message).toMatch(/exactly one of file or redis/);
    expect(compile({ rate: 1, file: { path: '/x' }, redis: { url: 'redis://r', stream: 's' } }).problems[0]?.message).toMatch(
      /exactly one of file or redis/,
    );
  });

  it('refuses a redaction pattern the linear-time engine cannot run (look-around), naming it', () => {
    const plan = compile({ rate: 1, file: { path: '/tmp/s' }, redact: [{ pattern: 'ok' }, { pattern: '(?=a)a' }] });
    expect(plan.problems).toEqual([
      {
        path: 'spec.sampling.redact[1].pattern',
        message: expect.stringContaining('look-around') as unknown,
      },
    ]);
  });

  it('in a sampling directory, puts the file under the route namespace', () => {
    const plan = compile({ rate: 1, file: { path: 's.jsonl' } }, undefined, {
      samplingFiles: { kind: 'dir', dir: '/var/lib/samples' },
    });
    expect(plan.routes[0]?.sampling?.sink).toMatchObject({ path: '/var/lib/samples/ns/s.jsonl', confinedTo: '/var/lib/samples' });
  });

  it('a changed sampling block changes the route plan hash (the route is rebuilt)', () => {
    const a = compile({ rate: 0.1, file: { path: '/tmp/s' } }).routes[0]?.hash;
    const b = compile({ rate: 0.2, file: { path: '/tmp/s' } }).routes[0]?.hash;
    expect(a).not.toBe(b);
  });

  it('with several worker processes, each writes its own file: the slot before the extension', () => {
    expect(workerFile('/var/s/smart.jsonl', 2)).toBe('/var/s/smart.w2.jsonl');
    expect(workerFile('/var/s.d/samples', 1)).toBe('/var/s.d/samples.w1');
    expect(samplingFilesFor(false, undefined, 3)).toEqual({ kind: 'paths', worker: 3 });
    const standalone = compile({ rate: 1, file: { path: '/tmp/s.jsonl' } }, undefined, {
      samplingFiles: samplingFilesFor(false, undefined, 2),
    });
    expect(standalone.routes[0]?.sampling?.sink).toMatchObject({ path: '/tmp/s.w2.jsonl' });
    const confined = compile({ rate: 1, file: { path: 's.jsonl' } }, undefined, {
      samplingFiles: samplingFilesFor(true, '/var/lib/samples', 1),
    });
    expect(confined.routes[0]?.sampling?.sink).toMatchObject({ path: '/var/lib/samples/ns/s.w1.jsonl' });
  });

  it('the deployment rule: Kubernetes mode confines files (refused without a directory), standalone takes paths unless given one', () => {
    expect(samplingFilesFor(true, undefined)).toEqual({ kind: 'dir', dir: undefined });
    expect(samplingFilesFor(true, '/d')).toEqual({ kind: 'dir', dir: '/d' });
    expect(samplingFilesFor(false, '/d')).toEqual({ kind: 'dir', dir: '/d' });
    expect(samplingFilesFor(false, undefined)).toEqual({ kind: 'paths' });
    const refused = compile({ rate: 1, file: { path: '/tmp/s.jsonl' } }, undefined, {
      samplingFiles: samplingFilesFor(true, undefined),
    });
    expect(refused.problemsByRoute.get('ns/r')?.[0]).toMatchObject({
      path: 'spec.sampling.file.path',
      reason: 'SamplingFileNotAllowed',
    });
  });
});

import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Configurator,
  defaultFactories,
  GrpcTransport,
  HttpTransport,
  MemoryLearningStore,
  RouteTableStore,
  TableBuilder,
  Transports,
} from '@switchboard/gateway';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LLMRouteObject } from './llmroute-object.js';
import { podCredentialResolver } from './pod-credentials.js';
import { podModelDirs } from './pod-files.js';
import { RouteReconciler } from './route-reconciler.js';
import { desiredStatus } from './status.js';

// Route authors are untrusted: every file their LLMRoute names (policy,
// calibration prompts, router folders, ONNX model and tokenizer, a backend's
// tokenizer.json) must stay in the operator's model folders, be a regular
// file, and never have its content quoted into the route's status.

const SECRET = 'hunter2-Adm1n!';
const log = pino({ level: 'silent' });
const be = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'openai-compatible',
  endpoint: 'http://backend.invalid/v1',
  model: name,
  ...extra,
});
const three = [be('s'), be('m'), be('l')];
const collaboration = (policy: string) => ({
  backends: three,
  routing: { strategy: 'collaboration', collaboration: { policy } },
});
const threshold = (calibrationPrompts: string, router = 'mf-hashed') => ({
  backends: [be('strong'), be('weak')],
  routing: {
    strategy: 'threshold',
    threshold: { strong: 'strong', weak: 'weak', router, targetStrongFraction: 0.5, calibrationPrompts },
  },
});
const routerRoute = (router: string) => ({
  backends: [be('strong'), be('weak')],
  routing: { strategy: 'threshold', threshold: { strong: 'strong', weak: 'weak', router, threshold: 0.5 } },
});
const onnx = (model: string, tokenizer: string) => ({
  backends: [be('a'), be('b')],
  routing: {
    strategy: 'classifier',
    classifier: { onnx: { model, tokenizer, labels: ['x', 'y'] }, classes: { x: 'a' }, default: 'b' },
  },
});
const tokenizer = (path: string) => ({ backends: [be('a', { tokenizer: path })] });

let root: string;
let models: string;
let outside: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'switchboard-route-files-'));
  models = join(root, 'models');
  outside = join(root, 'pod');
  mkdirSync(models);
  mkdirSync(outside);
  // The pod's own files, which no route may read.
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  writeFileSync(join(outside, 'secret.json'), SECRET);
  writeFileSync(join(outside, 'config.json'), JSON.stringify({ url: `redis://:${SECRET}@redis:6379` }));
  cpSync(resolve('models/mf-hashed'), join(outside, 'router'), { recursive: true });
  // The operator's model folder: good files, a bad one, and symlinks out.
  writeFileSync(
    join(models, 'policy.json'),
    JSON.stringify({ kind: 'collaboration-policy', choices: { 'code/hard': 'fusion:3:mixed' } }),
  );
  writeFileSync(join(models, 'prompts.txt'), 'write a sorting function\nhello\nprove the theorem\n');
  writeFileSync(join(models, 'not-json.json'), SECRET);
  writeFileSync(join(models, 'bad-line.jsonl'), `{"prompt": "fine"}\n{${SECRET}}\n`);
  symlinkSync(join(outside, 'secret.txt'), join(models, 'escape.json'));
  symlinkSync(outside, join(models, 'pod'));
  symlinkSync('/dev/zero', join(models, 'zero.json'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function reconcile(specs: Record<string, unknown>) {
  const routes = Object.entries(specs).map(([name, spec]): LLMRouteObject => ({
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: spec as LLMRouteObject['spec'],
  }));
  const store = new RouteTableStore();
  const transports = new Transports({ http: new HttpTransport({ maxResponseBytes: 1 << 20 }), grpc: new GrpcTransport() });
  const configurator = new Configurator(
    store,
    new TableBuilder(defaultFactories({ learning: new MemoryLearningStore(), transports, log })),
  );
  const reconciler = new RouteReconciler({
    routes: { values: () => routes },
    secrets: { get: () => undefined },
    existence: { existing: () => Promise.resolve(new Set()) },
    configurator,
    podCredentials: podCredentialResolver(),
    modelDirs: [models, resolve('models')],
    log,
  });
  const started = performance.now();
  await reconciler.reconcile();
  const ms = performance.now() - started;
  await transports.close();
  const outcomes = reconciler.outcomes();
  const status = (name: string) => {
    const outcome = outcomes.get(`team-a/${name}`);
    if (!outcome) throw new Error(`no outcome for ${name}`);
    return desiredStatus({ ...outcome, backends: undefined }, undefined, new Date(0));
  };
  const accepted = (name: string) => status(name).conditions?.find((c) => c.type === 'Accepted');
  return { ms, outcomes, status, accepted, served: store.current().routes.map((r) => r.id) };
}

describe('files a route names, in Kubernetes mode', () => {
  it('never reads a pod file outside the model folders, and never puts a file content into status', async () => {
    const r = await reconcile({
      'policy-abs': collaboration(join(outside, 'secret.txt')),
      'policy-json': collaboration(join(outside, 'config.json')),
      'policy-dotdot': collaboration('../pod/secret.txt'),
      'policy-symlink': collaboration('escape.json'),
      'policy-dir-symlink': collaboration('pod/secret.txt'),
      'prompts-abs': threshold(join(outside, 'secret.txt')),
      'router-abs': routerRoute(join(outside, 'router')),
      'router-symlink': routerRoute('pod/router'),
      'onnx-abs': onnx(join(outside, 'secret.txt'), join(outside, 'secret.json')),
      'tokenizer-abs': tokenizer(join(outside, 'secret.json')),
      'tokenizer-symlink': tokenizer('escape.json'),
      'not-json': collaboration('not-json.json'),
      'bad-line': threshold('bad-line.jsonl'),
    });
    for (const [id, outcome] of r.outcomes) {
      const status = JSON.stringify(r.status(id.split('/')[1] as string));
      expect(outcome.programmed, id).toBe(false);
      expect(status, id).not.toContain(SECRET);
      expect(status, id).not.toContain('hunter2');
      expect(status, id).not.toContain('redis://');
    }
    for (const name of [
      'policy-abs',
      'policy-json',
      'policy-dotdot',
      'policy-symlink',
      'policy-dir-symlink',
      'prompts-abs',
      'router-abs',
      'router-symlink',
      'onnx-abs',
      'tokenizer-abs',
      'tokenizer-symlink',
    ]) {
      expect(r.accepted(name), name).toMatchObject({ status: 'False', reason: 'FileNotAllowed' });
      expect(r.accepted(name)?.message, name).toMatch(
        /: no such (file|router folder) in the gateway's model folders \(.*\); in Kubernetes mode/,
      );
    }
    // Inside the folders, a file that is not JSON is reported by position, not quoted.
    expect(r.accepted('not-json')?.message).toMatch(/policy not-json\.json: the file is not valid JSON/);
    expect(r.accepted('bad-line')?.message).toMatch(/bad-line\.jsonl is not valid JSON \(line 2\)/);
  });

  it('answers a path that does not exist exactly as one that exists outside the folders', async () => {
    const r = await reconcile({
      exists: collaboration('/etc/hostname'),
      absent: collaboration('/etc/hostnamf'),
      'exists-rel': collaboration('../pod/secret.txt'),
      'absent-rel': collaboration('../pod/secret.txu'),
    });
    const message = (name: string) => r.accepted(name)?.message ?? '';
    expect(message('exists').replaceAll('/etc/hostname', 'P')).toBe(message('absent').replaceAll('/etc/hostnamf', 'P'));
    expect(message('exists-rel').replaceAll('secret.txt', 'P')).toBe(message('absent-rel').replaceAll('secret.txu', 'P'));
    expect(r.accepted('absent')?.reason).toBe(r.accepted('exists')?.reason);
  });

  it('refuses /dev/zero (named, or through a symlink in the folder) at once, without reading it', async () => {
    let lag = 0;
    let last = performance.now();
    const beat = setInterval(() => {
      const now = performance.now();
      lag = Math.max(lag, now - last);
      last = now;
    }, 5);
    const r = await reconcile({
      'policy-zero': collaboration('/dev/zero'),
      'policy-zero-link': collaboration('zero.json'),
      'prompts-zero': threshold('zero.json'),
      'onnx-zero': onnx('/dev/zero', 'zero.json'),
      'tokenizer-zero': tokenizer('/dev/zero.json'),
    });
    clearInterval(beat);
    expect(r.ms).toBeLessThan(5000);
    expect(lag).toBeLessThan(2000);
    for (const name of ['policy-zero', 'policy-zero-link', 'prompts-zero', 'onnx-zero', 'tokenizer-zero']) {
      expect(r.accepted(name), name).toMatchObject({ status: 'False', reason: 'FileNotAllowed' });
    }
  });

  it('serves routes whose files are in the model folders, named relative to them', async () => {
    const r = await reconcile({
      policy: collaboration('policy.json'),
      prompts: threshold('prompts.txt'),
      'prompts-abs-inside': threshold(join(models, 'prompts.txt')),
      router: routerRoute('mf-hashed'),
      'router-image-path': routerRoute('models/mf-hashed'),
    });
    for (const name of ['policy', 'prompts', 'prompts-abs-inside', 'router', 'router-image-path']) {
      const outcome = r.outcomes.get(`team-a/${name}`);
      expect(outcome, name).toMatchObject({ programmed: true });
      // Four load the same router: the first claims router-mf-hashed-<t>, the rest are served without it (claimRouterNames).
      expect(
        outcome?.problems.filter((p) => p.reason !== 'ModelNameConflict'),
        name,
      ).toEqual([]);
    }
  });
});

describe('podModelDirs', () => {
  it('is SWITCHBOARD_MODELS, then the image models/ folder, resolved', () => {
    expect(podModelDirs({ SWITCHBOARD_MODELS: '/models' })).toEqual(['/models', resolve('models')]);
    expect(podModelDirs({})).toEqual([resolve('models')]);
    expect(podModelDirs({ SWITCHBOARD_MODELS: ' ' })).toEqual([resolve('models')]);
  });
});

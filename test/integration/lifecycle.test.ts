import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBackend, type MockBackend } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort } from '../helpers/cli-process.js';
import { chatBody, eventually, routeYaml, startHarness } from '../helpers/harness.js';

describe('process lifecycle', () => {
  let mock: MockBackend;
  let dir: string;
  beforeAll(async () => {
    mock = await startMockBackend({ tokensPerSecond: 20, completionTokens: 20 });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-life-'));
    await writeFile(join(dir, 'r.yaml'), routeYaml('main', [{ name: 'a', url: mock.url }]));
  });
  afterAll(async () => {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}-keys.yaml`, { force: true });
  });

  it('on SIGTERM fails /readyz first, lets a stream in flight finish, then exits 0', async () => {
    const port = await freePort();
    const gw = cli([
      'serve',
      '--routes',
      dir,
      '--no-auth',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--drain-delay',
      '0.5',
      '--shutdown-grace',
      '10',
    ]);
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 10_000);
    const stream = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('main', { stream: true }),
    });
    const reader = stream.body!.getReader();
    await reader.read();
    gw.child.kill('SIGTERM');
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 503);
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    const [code] = (await once(gw.child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('refuses to start without an explicit auth choice, or with per-worker limits and no Redis', async () => {
    const noAuth = cli(['serve', '--routes', dir]);
    expect(((await once(noAuth.child, 'exit')) as [number])[0]).toBe(2);
    expect(noAuth.stderr()).toContain(
      'serve needs --api-keys FILE (or --api-keys-secret NAMESPACE/NAME[:KEY] with --kubernetes), or --no-auth',
    );

    // Beside the routes folder, not in it: serve reads every YAML file there as a route.
    const keys = `${dir}-keys.yaml`;
    await writeFile(keys, `keys:\n  - { name: k, tenant: t, sha256: ${hashKey('sk-1')}, limits: { requestsPerMinute: 10 } }\n`);
    const workers = cli(['serve', '--routes', dir, '--api-keys', keys, '--workers', '2', '--port', '0']);
    const [code] = (await once(workers.child, 'exit')) as [number];
    expect(workers.stderr()).toContain('would count them alone: run with --redis URL');
    expect(code).toBe(2);
  });

  it('with --workers 2, each worker samples into its own file (processes cannot take turns rotating one)', async () => {
    const routes = await mkdtemp(join(tmpdir(), 'switchboard-workers-'));
    const samples = `${routes}-samples`;
    try {
      await writeFile(
        join(routes, 'r.yaml'),
        routeYaml('main', [{ name: 'a', url: mock.url }], `  sampling:\n    rate: 1\n    file: { path: '${samples}/s.jsonl' }\n`),
      );
      const port = await freePort();
      const gw = cli(['serve', '--routes', routes, '--no-auth', '--workers', '2', '--port', String(port), '--host', '127.0.0.1']);
      const url = `http://127.0.0.1:${port}`;
      try {
        await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 15_000);
        const batch = 12;
        const send = async () => {
          for (let i = 0; i < batch; i++) {
            const res = await fetch(`${url}/v1/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: chatBody('main'),
            });
            expect(res.status).toBe(200);
            await res.arrayBuffer();
          }
        };
        const lines = async () => {
          const names = await readdir(samples).catch(() => [] as string[]);
          let count = 0;
          for (const n of names) count += (await readFile(join(samples, n), 'utf8')).split('\n').filter(Boolean).length;
          return { names, count };
        };
        // One file per worker slot, never the shared name both would rotate.
        const expectSlotFiles = async (count: number) => {
          await eventually(async () => (await lines()).count === count, 10_000);
          const { names } = await lines();
          expect(names.length).toBeGreaterThan(0);
          for (const n of names) expect(n).toMatch(/^s\.w[12]\.jsonl$/);
        };
        await send();
        await expectSlotFiles(batch);

        // Kill both workers, one at a time: their replacements take the dead ones'
        // slots (and files), so every later request is answered by a replacement and
        // still lands in s.w1 / s.w2, not in a third file.
        const workers = async () =>
          (await readFile(`/proc/${gw.child.pid}/task/${gw.child.pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
        const first = await workers();
        expect(first).toHaveLength(2);
        for (const pid of first) {
          process.kill(Number(pid), 'SIGKILL');
          await eventually(async () => {
            const now = await workers();
            return now.length === 2 && !now.includes(pid);
          }, 15_000);
        }
        await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 15_000);
        const now = await workers();
        expect(now.some((pid) => first.includes(pid))).toBe(false);
        await send();
        await expectSlotFiles(2 * batch);
      } finally {
        gw.child.kill('SIGTERM');
        await once(gw.child, 'exit');
      }
    } finally {
      await rm(routes, { recursive: true, force: true });
      await rm(samples, { recursive: true, force: true });
    }
  });

  it('ejects a dead backend by active health checks alone, and takes it back when it answers', async () => {
    const h = await startHarness(
      ([a, b]) =>
        routeYaml(
          'main',
          [
            { name: 'a', url: a ?? '' },
            { name: 'b', url: b ?? '', extra: '      priority: 1\n' },
          ],
          '  resilience:\n    healthCheck: { interval: 1s, timeout: 200ms }\n    outlierDetection: { consecutiveFailures: 2, baseEjectionTime: 100ms }\n',
        ),
      [{}, {}],
    );
    try {
      const port = h.mocks[0]!.port;
      await h.mocks[0]!.close();
      const state = async () =>
        ((await (await fetch(`${h.url}/readyz`)).json()) as { backends: Record<string, Record<string, string>> }).backends[
          'default/main'
        ]?.a;
      await eventually(async () => (await state()) === 'ejected', 15_000);
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('main'),
      });
      expect(res.headers.get('x-switchboard-backend')).toBe('b');
      const revived = await startMockBackend({ port });
      try {
        await eventually(async () => (await state()) === 'healthy', 15_000);
      } finally {
        await revived.close();
      }
    } finally {
      await h.close();
    }
  });
});

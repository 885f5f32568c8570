import { mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKeysFile } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

// Route and key files change under the gateway in every way a file system
// allows: renames over the file, folders and symlinks with route-file names,
// files deleted while the folder is read. The gateway keeps serving the
// last good configuration, and sees every real change.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const chat = (url: string, model: string, key?: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: chatBody(model),
  });

const status = async (url: string, model: string, key?: string) => {
  const res = await chat(url, model, key);
  await res.arrayBuffer();
  return res.status;
};

describe('routes folder churn', () => {
  it('a folder named x.yaml, a dangling symlink and a vanished file are problems, not crashes', async () => {
    h = await startHarness(([a]) => routeYaml('main', [{ name: 'a', url: a ?? '' }]));
    const dir = h.routesDir;
    await mkdir(join(dir, 'x.yaml'));
    await eventually(() => Boolean(h?.gateway.routes?.lastRejected?.some((p) => p.file?.endsWith('x.yaml'))));
    expect(await status(h.url, 'main')).toBe(200);
    await rm(join(dir, 'x.yaml'), { recursive: true });
    await symlink(join(dir, 'no-such-target.yaml'), join(dir, 'dangling.yaml'));
    await eventually(() => Boolean(h?.gateway.routes?.lastRejected?.some((p) => p.message.includes('ENOENT'))));
    expect(await status(h.url, 'main')).toBe(200);
    await unlink(join(dir, 'dangling.yaml'));
    // Files appearing and vanishing while the folder is being read.
    const url = h.mocks[0]?.url ?? '';
    for (let i = 0; i < 200; i++) {
      const file = join(dir, `churn-${i % 5}.yaml`);
      await writeFile(file, routeYaml(`churn${i % 5}`, [{ name: 'a', url }]));
      if (i % 2) await unlink(file);
    }
    for (let i = 0; i < 5; i++) await rm(join(dir, `churn-${i}.yaml`), { force: true });
    await writeFile(join(dir, 'second.yaml'), routeYaml('second', [{ name: 'a', url }]));
    await eventually(async () => (await status(h!.url, 'second')) === 200);
    expect(await status(h.url, 'main')).toBe(200);
    expect(h.gateway.routes?.lastRejected).toBeUndefined();
  });
});

describe('API keys file churn', () => {
  const KEY_OLD = 'sk-old-0123456789';
  const KEY_NEW = 'sk-new-0123456789';
  const KEY_THIRD = 'sk-third-0123456789';
  const keysYaml = (key: string) => `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(key)} }\n`;
  const keysFile = (hh: Harness) => join(hh.routesDir, '..', `${hh.routesDir.split('/').pop()}-keys.yaml`);

  it('a key revoked by renaming a new file over the old stops working, every time (mv, sed -i)', async () => {
    h = await startHarness(([a]) => routeYaml('main', [{ name: 'a', url: a ?? '' }]), [{}], { apiKeys: keysYaml(KEY_OLD) });
    const file = keysFile(h);
    expect(await status(h.url, 'main', KEY_OLD)).toBe(200);
    // mv: a new inode replaces the file
    await writeFile(`${file}.tmp`, keysYaml(KEY_NEW));
    await rename(`${file}.tmp`, file);
    await eventually(async () => (await status(h!.url, 'main', KEY_OLD)) === 401);
    expect(await status(h.url, 'main', KEY_NEW)).toBe(200);
    // and again (sed -i writes a temporary file and renames it over): the watch must still see it
    await writeFile(`${file}.sed`, (await readFile(file, 'utf8')).replace(hashKey(KEY_NEW), hashKey(KEY_THIRD)));
    await rename(`${file}.sed`, file);
    await eventually(async () => (await status(h!.url, 'main', KEY_NEW)) === 401);
    expect(await status(h.url, 'main', KEY_THIRD)).toBe(200);
  });
});

describe('a ConfigMap-style symlink swap', () => {
  it('follows keys.yaml -> ..data/keys.yaml when ..data is re-pointed', async () => {
    h = await startHarness(([a]) => routeYaml('main', [{ name: 'a', url: a ?? '' }]));
    const base = join(h.routesDir, '..', `${h.routesDir.split('/').pop()}-cm`);
    await mkdir(join(base, '..v1'), { recursive: true });
    await writeFile(join(base, '..v1', 'keys.yaml'), `keys:\n  - { name: k, tenant: t, sha256: ${hashKey('sk-cm-one-0123')} }\n`);
    await symlink('..v1', join(base, '..data'));
    await symlink('..data/keys.yaml', join(base, 'keys.yaml'));
    const keys = new ApiKeysFile(join(base, 'keys.yaml'), pino({ level: 'silent' }), 100);
    try {
      await keys.start();
      expect(keys.registry().authenticate('sk-cm-one-0123')).toBeDefined();
      // kubelet's atomic update: write ..v2, point ..data at it with a rename
      await mkdir(join(base, '..v2'));
      await writeFile(
        join(base, '..v2', 'keys.yaml'),
        `keys:\n  - { name: k, tenant: t, sha256: ${hashKey('sk-cm-two-0123')} }\n`,
      );
      await symlink('..v2', join(base, '..data_tmp'));
      await rename(join(base, '..data_tmp'), join(base, '..data'));
      await eventually(() => keys.registry().authenticate('sk-cm-two-0123') !== undefined);
      expect(keys.registry().authenticate('sk-cm-one-0123')).toBeUndefined();
    } finally {
      keys.stop();
      await rm(base, { recursive: true, force: true });
    }
  });
});

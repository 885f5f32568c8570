import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrompts } from './factories.js';
import { parseJson, readBounded, ROUTE_FILE_LIMITS, routeFile, routerDir } from './route-files.js';
import { standaloneSecrets } from './secret-sources.js';

const SECRET = 'hunter2-Adm1n!';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-route-files-'));
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'a.json'), '{"ok": true}');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  writeFileSync(join(dir, 'big.txt'), Buffer.alloc(1024 + 1, 'x'));
  writeFileSync(join(dir, 'route.yaml'), '');
  symlinkSync(join(dir, 'models', 'a.json'), join(dir, 'models', 'inner-link.json'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseJson', () => {
  it('says the file (and line) is not valid JSON, never what it holds', () => {
    for (const text of [SECRET, `{"a": 1,\n  "b": ${SECRET}}`, '', '{"a": 1} x', '[1, 2,]']) {
      expect(() => parseJson(text, 'the file')).toThrow(/^the file is not valid JSON$/);
    }
    expect(() => parseJson(SECRET, 'prompts', 7)).toThrow(/^prompts is not valid JSON \(line 7\)$/);
    expect(parseJson('{"a": [1, {"b": null}]}', 'f')).toEqual({ a: [1, { b: null }] });
  });
});

describe('readBounded', () => {
  it('refuses what is not a regular file (a device, a FIFO, a folder) before opening it', () => {
    for (const path of ['/dev/zero', join(dir, 'fifo'), dir]) {
      expect(() => readBounded(path, 1024, 'file'), path).toThrow(/is not a regular file/);
    }
  });

  it('refuses a file larger than the cap, naming sizes and not content', () => {
    expect(() => readBounded(join(dir, 'big.txt'), 1024, 'file')).toThrow(/is 1025 bytes, more than the 1024 bytes it may be/);
    expect(readBounded(join(dir, 'big.txt'), 1025, 'file')).toHaveLength(1025);
    expect(() => readBounded(join(dir, 'absent'), 1024, 'file')).toThrow(/cannot read file .*absent: ENOENT/);
  });
});

describe('routeFile', () => {
  const text = { what: 'policy', maxBytes: ROUTE_FILE_LIMITS.text };

  it('standalone: absolute paths and paths relative to the route file; regular files only, capped', () => {
    const scope = { file: join(dir, 'route.yaml') };
    expect(routeFile('secret.txt', scope, text)).toBe(join(dir, 'secret.txt'));
    expect(routeFile(join(dir, 'secret.txt'), {}, text)).toBe(join(dir, 'secret.txt'));
    expect(() => routeFile('/dev/zero', scope, text)).toThrow('policy /dev/zero is not a regular file');
    expect(() => routeFile('fifo', scope, text)).toThrow(/is not a regular file/);
    expect(() => routeFile('big.txt', scope, { what: 'policy', maxBytes: 1024 })).toThrow(/more than the 1024 bytes/);
    expect(() => routeFile('nope.json', scope, text)).toThrow(`no policy nope.json (looked in ${join(dir, 'nope.json')})`);
  });

  it('Kubernetes mode: only inside the folders, symlinks resolved; outside and absent read the same', () => {
    const scope = { confineTo: [join(dir, 'models')] };
    expect(routeFile('a.json', scope, text)).toBe(join(dir, 'models', 'a.json'));
    expect(routeFile('inner-link.json', scope, text)).toBe(join(dir, 'models', 'a.json'));
    expect(routeFile(join(dir, 'models', 'a.json'), scope, text)).toBe(join(dir, 'models', 'a.json'));
    const refusal = (spec: string) => {
      try {
        routeFile(spec, scope, text);
      } catch (err) {
        return { message: (err as Error).message.replace(spec, 'SPEC'), reason: (err as { reason?: string }).reason };
      }
      throw new Error(`${spec} was allowed`);
    };
    const absent = refusal('nope.json');
    expect(absent.reason).toBe('FileNotAllowed');
    for (const spec of ['../secret.txt', join(dir, 'secret.txt'), '/dev/zero', '/etc/hostname', '../fifo', '/', '..']) {
      expect(refusal(spec), spec).toEqual(absent);
    }
    expect(() => routeFile('a.json\0', scope, text)).toThrow(/NUL/);
    // No folder at all (no models volume): nothing is allowed.
    expect(() => routeFile('a.json', { confineTo: [join(dir, 'absent')] }, text)).toThrow(/no such file/);
  });

  it('router folders: by name under the models folder, confined the same way', () => {
    const models = resolve('models');
    expect(routerDir('mf-hashed', {}, models)).toBe(join(models, 'mf-hashed'));
    expect(routerDir('mf-hashed', { confineTo: [models] }, models)).toBe(join(models, 'mf-hashed'));
    expect(routerDir('models/mf-hashed', { confineTo: [models] }, models)).toBe(join(models, 'mf-hashed'));
    expect(() => routerDir('../packages', { confineTo: [models] }, models)).toThrow(/no such router folder/);
    expect(() => routerDir(dir, { confineTo: [models] }, models)).toThrow(/no such router folder/);
    expect(() => routerDir('no-such-router', {}, models)).toThrow(/no router "no-such-router" \(looked for router.json in /);
  });
});

describe('everything that reads a route-named file', () => {
  it('calibration prompts: capped, regular, a bad JSON line named by number', () => {
    writeFileSync(join(dir, 'prompts.jsonl'), `{"prompt": "a"}\nplain line\n{"prompt": ${SECRET}}\n`);
    expect(() => readPrompts(join(dir, 'prompts.jsonl'))).toThrow(/prompts\.jsonl is not valid JSON \(line 3\)$/);
    expect(() => readPrompts('/dev/zero')).toThrow(/is not a regular file/);
    writeFileSync(join(dir, 'good.jsonl'), '{"prompt": "a"}\nplain line\n');
    expect(readPrompts(join(dir, 'good.jsonl'))).toEqual({ texts: ['a', 'plain line'], turns: [0, 0] });
    // a sampled chat record: scored with its conversation's turns, as the gateway scored it
    const chat = {
      prompt: 'go on',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'go on' },
      ],
    };
    writeFileSync(join(dir, 'sampled.jsonl'), `${JSON.stringify(chat)}\n{"prompt": "b", "messages": "not a list"}\n`);
    expect(readPrompts(join(dir, 'sampled.jsonl'))).toEqual({ texts: ['go on', 'b'], turns: [2, 0] });
  });

  it('standalone auth.file: a regular file within the key cap', () => {
    const secrets = standaloneSecrets({});
    const origin = { file: join(dir, 'route.yaml'), namespace: 'default' };
    expect(secrets({ file: 'secret.txt' }, origin)).toEqual({ key: SECRET });
    expect(secrets({ file: '/dev/zero' }, origin)).toEqual({ error: 'key file /dev/zero is not a regular file' });
    writeFileSync(join(dir, 'huge-key'), Buffer.alloc(ROUTE_FILE_LIMITS.key + 1, 'k'));
    const huge = secrets({ file: 'huge-key' }, origin);
    expect('error' in huge && huge.error).toMatch(/more than the 65536 bytes/);
  });
});

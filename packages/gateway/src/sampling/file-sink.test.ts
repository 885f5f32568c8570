import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SampleOutcome } from '../table/route.js';
import { FileSink } from './file-sink.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-file-sink-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A record of exactly `bytes` bytes with its newline. */
const line = (i: number, bytes = 100) =>
  JSON.stringify({ i, pad: '' }).replace('""', `"${'x'.repeat(bytes - 1 - 15 - String(i).length)}"`);

function sink(path: string, maxBytes: number, maxFiles: number) {
  const outcomes: SampleOutcome[] = [];
  const errors: Error[] = [];
  const s = new FileSink({ path, maxBytes, maxFiles, onError: (e) => errors.push(e) });
  return { s, outcomes, errors, write: (l: string) => s.write(l, (o) => outcomes.push(o)) };
}

const ids = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { i: number }).i);

describe('the JSON Lines sampling sink', () => {
  it('writes whole lines, 0600', async () => {
    const path = join(dir, 's.jsonl');
    const { s, write, outcomes } = sink(path, 10_000, 2);
    for (let i = 0; i < 5; i++) write(line(i));
    await s.close();
    expect(line(0)).toHaveLength(99);
    expect(ids(path)).toEqual([0, 1, 2, 3, 4]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(outcomes).toEqual(Array(5).fill('written'));
  });

  it('rotates before a write would pass maxBytes, keeping maxFiles rotated files (path.1 newest)', async () => {
    const path = join(dir, 's.jsonl');
    // 100-byte lines, 1000-byte cap: 10 lines a file; 35 lines -> s.jsonl holds 30..34, .1 20..29, .2 10..19; 0..9 deleted.
    const { s, write, outcomes } = sink(path, 1000, 2);
    for (let i = 0; i < 35; i++) {
      write(line(i));
      if (i % 7 === 0) await s.flush(); // batches of every size, across the cap
    }
    await s.close();
    expect(readdirSync(dir).sort()).toEqual(['s.jsonl', 's.jsonl.1', 's.jsonl.2']);
    expect(ids(path)).toEqual([30, 31, 32, 33, 34]);
    expect(ids(`${path}.1`)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(ids(`${path}.2`)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1000);
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(35);
  });

  it('maxFiles 0 starts the file over', async () => {
    const path = join(dir, 's.jsonl');
    const { s, write } = sink(path, 1000, 0);
    for (let i = 0; i < 25; i++) write(line(i));
    await s.close();
    expect(readdirSync(dir)).toEqual(['s.jsonl']);
    expect(ids(path)).toEqual([20, 21, 22, 23, 24]);
  });

  it('counts an existing file against the cap (a restart appends, then rotates)', async () => {
    const path = join(dir, 's.jsonl');
    writeFileSync(path, `${line(-1, 950)}\n`);
    const { s, write } = sink(path, 1000, 1);
    write(line(0));
    await s.close();
    expect(ids(`${path}.1`)).toEqual([-1]);
    expect(ids(path)).toEqual([0]);
  });

  it('drops a record larger than the cap, and records written after close', async () => {
    const path = join(dir, 's.jsonl');
    const { s, write, outcomes } = sink(path, 1024, 1);
    write(line(0));
    write(line(1, 2000));
    write(line(2));
    await s.close();
    write(line(3));
    expect(ids(path)).toEqual([0, 2]);
    expect(outcomes).toEqual(['written', 'dropped', 'written', 'dropped']);
  });

  it('follows a rotation done by another writer of the file (a replaced table still draining)', async () => {
    const path = join(dir, 's.jsonl');
    const a = sink(path, 1000, 3);
    const b = sink(path, 1000, 3);
    for (let i = 0; i < 8; i++) a.write(line(i));
    await a.s.flush();
    for (let i = 8; i < 12; i++) b.write(line(i)); // b rotates: 8 lines + 3 > 10
    await b.s.flush();
    a.write(line(12)); // a must write to the new file, not into s.jsonl.1
    await Promise.all([a.s.close(), b.s.close()]);
    expect(ids(`${path}.1`)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids(path)).toEqual([10, 11, 12]);
  });

  it('two writers of one file rotating at once lose no line and rotate once per full file', async () => {
    const path = join(dir, 's.jsonl');
    const a = sink(path, 1000, 20);
    const b = sink(path, 1000, 20);
    // Interleaved one line at a time, so both sinks reach the cap in the same turn many times over.
    for (let i = 0; i < 200; i++) {
      (i % 2 ? b : a).write(line(i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([a.s.close(), b.s.close()]);
    const files = readdirSync(dir).sort();
    const written = files.flatMap((f) => ids(join(dir, f))).sort((x, y) => x - y);
    expect(written).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1000);
    // 200 lines of 99 bytes, 10 per file: 20 files, the live one and 19 rotated, none empty.
    expect(files).toHaveLength(20);
    expect([...a.outcomes, ...b.outcomes].every((o) => o === 'written')).toBe(true);
  });

  it('an unwritable place fails the records and reports the error, without throwing', async () => {
    writeFileSync(join(dir, 'file'), '');
    const { s, write, outcomes, errors } = sink(join(dir, 'file', 's.jsonl'), 1000, 1);
    write(line(0));
    write(line(1));
    await s.close();
    expect(outcomes).toEqual(['failed', 'failed']);
    expect(errors[0]?.message).toMatch(/ENOTDIR|EEXIST/);
    expect(existsSync(join(dir, 'file', 's.jsonl'))).toBe(false);
  });
});

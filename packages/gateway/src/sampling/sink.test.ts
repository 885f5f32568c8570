import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_CHARS, MAX_QUEUED_RECORDS, SinkQueue } from './sink.js';

describe("a sink's queue", () => {
  it('refuses past its record count', () => {
    const q = new SinkQueue<{ line: string }>();
    for (let i = 0; i < MAX_QUEUED_RECORDS; i++) expect(q.push({ line: 'x' })).toBe(true);
    expect(q.push({ line: 'x' })).toBe(false);
    expect(q.take()).toHaveLength(MAX_QUEUED_RECORDS);
    expect(q.push({ line: 'x' })).toBe(true);
  });

  it('refuses past its size, whatever the count', () => {
    const q = new SinkQueue<{ line: string }>();
    const big = 'x'.repeat(MAX_QUEUED_CHARS / 4);
    for (let i = 0; i < 4; i++) expect(q.push({ line: big })).toBe(true);
    expect(q.push({ line: 'x' })).toBe(false);
    expect(q.length).toBe(4);
    q.take();
    expect(q.push({ line: big })).toBe(true);
  });
});

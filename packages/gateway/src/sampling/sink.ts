import type { SampleOutcome } from '../table/route.js';

/** Where sampled records go: buffered, so a write never waits and never throws. */
export interface SampleSink {
  /** Queues one record (a JSON text, no newline); `done` hears how it went, later. */
  write(line: string, done: (outcome: SampleOutcome) => void): void;
  /** Resolves once everything queued so far is written (or has failed). */
  flush(): Promise<void>;
  /** Flushes, then lets go of the file or connection; later writes are dropped. */
  close(): Promise<void>;
}

/** Records, and characters of them, queued at most per sink: past either a slow sink drops (counted) rather than grow the heap. */
export const MAX_QUEUED_RECORDS = 10_000;
export const MAX_QUEUED_CHARS = 32 * 1024 * 1024;

/** A sink's queue: records waiting for the next batch, bounded by count and size. */
export class SinkQueue<T extends { line: string }> {
  #items: T[] = [];
  #chars = 0;

  /** False (nothing queued) when the queue is full. */
  push(item: T): boolean {
    if (this.#items.length >= MAX_QUEUED_RECORDS || this.#chars + item.line.length > MAX_QUEUED_CHARS) return false;
    this.#items.push(item);
    this.#chars += item.line.length;
    return true;
  }

  /** Everything queued, the queue emptied. */
  take(): T[] {
    const items = this.#items;
    this.#items = [];
    this.#chars = 0;
    return items;
  }

  get length(): number {
    return this.#items.length;
  }
}

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

/** Records queued at most per sink: past this a slow sink drops (counted) rather than grow the heap. */
export const MAX_QUEUED_RECORDS = 10_000;

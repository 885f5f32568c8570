import type { Redis } from 'ioredis';
import { failFastRedis } from '../redis-client.js';
import type { SampleOutcome } from '../table/route.js';
import { SinkQueue, type SampleSink } from './sink.js';

export interface RedisSinkOptions {
  url: string;
  stream: string;
  /** XADD MAXLEN ~ this. */
  maxLength: number;
  password: string | undefined;
  onError: (err: Error) => void;
}

interface Queued {
  line: string;
  done: (outcome: SampleOutcome) => void;
}

/**
 * A Redis stream: each record one XADD (field `record`), the stream trimmed
 * to about maxLength entries, batched in one pipeline per tick. The client
 * fails fast (the gateway's Redis helper): while Redis is away records fail
 * (counted) instead of queueing, and no request waits on it.
 */
export class RedisSink implements SampleSink {
  readonly #redis: Redis;
  readonly #queue = new SinkQueue<Queued>();
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly opts: RedisSinkOptions) {
    this.#redis = failFastRedis(opts.url, { prefix: '', password: opts.password, commandTimeoutMs: 2000 });
  }

  /** The client (tests wait for it to be ready). */
  get client(): Redis {
    return this.#redis;
  }

  write(line: string, done: (outcome: SampleOutcome) => void): void {
    if (this.#closed || !this.#queue.push({ line, done })) {
      done('dropped');
      return;
    }
    if (!this.#running) this.#running = this.#drain();
  }

  flush(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #drain(): Promise<void> {
    // One tick's records share a pipeline.
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length) {
      const batch = this.#queue.take();
      const pipeline = this.#redis.pipeline();
      for (const q of batch) pipeline.xadd(this.opts.stream, 'MAXLEN', '~', this.opts.maxLength, '*', 'record', q.line);
      let results: [Error | null, unknown][] | null = null;
      try {
        results = await pipeline.exec();
      } catch (err) {
        this.opts.onError(err as Error);
      }
      let reported = false;
      batch.forEach((q, i) => {
        const err = results ? results[i]?.[0] : new Error('pipeline failed');
        if (err && results && !reported) {
          reported = true;
          this.opts.onError(err);
        }
        q.done(err ? 'failed' : 'written');
      });
    }
    this.#running = undefined;
  }
}

import { constants, promises as fs, type Stats } from 'node:fs';
import { dirname, sep } from 'node:path';
import type { SampleOutcome } from '../table/route.js';
import { SinkQueue, type SampleSink } from './sink.js';

export interface FileSinkOptions {
  /** Absolute. */
  path: string;
  /** The file is rotated before a write would take it past this size. */
  maxBytes: number;
  /** Rotated files kept: path.1 (newest) ... path.N; 0 keeps none. */
  maxFiles: number;
  /** The resolved folder the file must stay inside (Kubernetes mode): a symlinked folder out of it is refused. */
  confinedTo?: string | undefined;
  /** A write that failed (logged by the caller; the records are counted failed). */
  onError: (err: Error) => void;
}

interface Queued {
  line: string;
  done: (outcome: SampleOutcome) => void;
}

const OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The last batch queued for each path, across every sink of this process: a
 * table being replaced and its successor share the file, and two batches
 * interleaved at their awaits would both append past the cap and both rotate
 * (path.1 moved twice). One batch per path at a time, so each sees the other's
 * size and rotation.
 */
const turns = new Map<string, Promise<void>>();

async function inTurn(path: string, work: () => Promise<void>): Promise<void> {
  const before = turns.get(path) ?? Promise.resolve();
  let done!: () => void;
  const released = new Promise<void>((resolve) => (done = resolve));
  const mine = before.then(() => released);
  turns.set(path, mine);
  await before;
  try {
    await work();
  } finally {
    done();
    if (turns.get(path) === mine) turns.delete(path);
  }
}

/**
 * JSON Lines, appended in batches off the request path, rotated by size:
 * path -> path.1 -> ... -> path.N, the oldest deleted. The file is created
 * 0600 (prompts are private) and opened without following a symlink. A
 * failing disk fails the records (counted), never a request. Another writer
 * of the same file (the sink of a table being replaced) may rotate it: their
 * batches take turns, and the file is reopened when the path no longer names
 * the open file.
 */
export class FileSink implements SampleSink {
  readonly #queue = new SinkQueue<Queued>();
  #handle: fs.FileHandle | undefined;
  #ino: number | undefined;
  #size = 0;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly opts: FileSinkOptions) {}

  write(line: string, done: (outcome: SampleOutcome) => void): void {
    if (this.#closed || !this.#queue.push({ line: `${line}\n`, done })) {
      done('dropped');
      return;
    }
    this.#schedule();
  }

  flush(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#closeHandle();
  }

  #schedule(): void {
    if (this.#running) return;
    this.#running = (async () => {
      // Batches until the queue is empty; a write() during a batch joins the next one.
      while (this.#queue.length) {
        const batch = this.#queue.take();
        await inTurn(this.opts.path, () => this.#writeBatch(batch));
      }
      this.#running = undefined;
    })();
  }

  async #writeBatch(batch: Queued[]): Promise<void> {
    let i = 0;
    try {
      await this.#ensureOpen();
      while (i < batch.length) {
        // Lines that fit before the cap go out in one write; a line alone past the cap is dropped.
        const chunk: Queued[] = [];
        let bytes = 0;
        for (; i < batch.length; i++) {
          const n = Buffer.byteLength((batch[i] as Queued).line);
          if (n > this.opts.maxBytes) {
            (batch[i] as Queued).done('dropped');
            if (!chunk.length) continue;
            i++;
            break;
          }
          if (this.#size + bytes + n > this.opts.maxBytes) break;
          chunk.push(batch[i] as Queued);
          bytes += n;
        }
        if (chunk.length) {
          await (this.#handle as fs.FileHandle).write(chunk.map((q) => q.line).join(''));
          this.#size += bytes;
          for (const q of chunk) q.done('written');
        }
        if (i < batch.length && !chunk.length) await this.#rotate();
      }
    } catch (err) {
      for (; i < batch.length; i++) (batch[i] as Queued).done('failed');
      this.opts.onError(err as Error);
      await this.#closeHandle();
    }
  }

  /** The file open, and still the one at `path` (another writer may have rotated it). */
  async #ensureOpen(): Promise<void> {
    if (this.#handle) {
      let at: Stats | undefined;
      try {
        at = await fs.lstat(this.opts.path);
      } catch (err) {
        if (!missing(err)) throw err;
      }
      if (at && at.ino === this.#ino) {
        this.#size = (await this.#handle.stat()).size;
        return;
      }
      await this.#closeHandle();
    }
    const folder = dirname(this.opts.path);
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const confined = this.opts.confinedTo;
    if (confined !== undefined) {
      const [real, root] = await Promise.all([fs.realpath(folder), fs.realpath(confined)]);
      if (real !== root && !real.startsWith(root + sep)) {
        throw new Error(`sampling folder ${folder} resolves outside the sampling directory ${confined}`);
      }
    }
    const handle = await fs.open(this.opts.path, OPEN_FLAGS, 0o600);
    const stat = await handle.stat();
    this.#handle = handle;
    this.#ino = stat.ino;
    this.#size = stat.size;
  }

  async #rotate(): Promise<void> {
    await this.#closeHandle();
    const { path, maxFiles } = this.opts;
    const ignoreMissing = (err: unknown) => {
      if (!missing(err)) throw err;
    };
    if (maxFiles === 0) await fs.unlink(path).catch(ignoreMissing);
    else {
      await fs.unlink(`${path}.${maxFiles}`).catch(ignoreMissing);
      for (let n = maxFiles - 1; n >= 1; n--) await fs.rename(`${path}.${n}`, `${path}.${n + 1}`).catch(ignoreMissing);
      await fs.rename(path, `${path}.1`).catch(ignoreMissing);
    }
    await this.#ensureOpen();
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    this.#ino = undefined;
    await handle?.close().catch(() => undefined);
  }
}

import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/**
 * Tells when the files of a folder that `matches` selects change content.
 * It watches the folder, not the files: an editor's save-by-rename, `sed -i`,
 * `mv new old` and a Kubernetes ConfigMap's symlink swap all replace the file
 * (a new inode, which a watch on the file itself never sees). Events are
 * debounced, and compared by a digest of the files' contents (names, bytes,
 * and read errors), so that only real changes reach `onChange`; the digest is
 * also checked every `pollMs`, for file systems whose events are unreliable.
 */
export class FolderWatch {
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #digest = '';
  #checking: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    private readonly dir: string,
    private readonly matches: (name: string) => boolean,
    private readonly pollMs: number,
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.#digest = await this.digest();
    this.#watch();
    this.#poll = setInterval(() => this.#check(), this.pollMs);
    this.#poll.unref();
  }

  stop(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    clearTimeout(this.#debounce);
    clearInterval(this.#poll);
  }

  /** The folder's matching files, their contents and read errors, as one hash. */
  async digest(): Promise<string> {
    const hash = createHash('sha256');
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(this.matches).sort();
    } catch (err) {
      return `unreadable:${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
    for (const name of names) {
      hash.update(`${name}\0`);
      try {
        hash.update(await readFile(join(this.dir, name)));
      } catch (err) {
        hash.update(`error:${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      hash.update('\0');
    }
    return hash.digest('hex');
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.dir, () => {
        // Editors write in several steps: wait for the burst to end.
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => this.#check(), 150);
      });
      // A folder that disappears (or a watch the OS drops) must not take the process down; polling continues.
      this.#watcher.on('error', (err) => {
        this.log.warn({ dir: this.dir, err: err.message }, 'folder watch failed; checking for changes by polling');
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch (err) {
      this.log.warn({ dir: this.dir, err: (err as Error).message }, 'cannot watch folder; checking for changes by polling');
    }
  }

  #check(): void {
    this.#checking = this.#checking
      .then(async () => {
        if (this.#stopped) return;
        if (!this.#watcher) this.#watch();
        const digest = await this.digest();
        if (digest === this.#digest || this.#stopped) return;
        this.#digest = digest;
        this.onChange();
      })
      .catch((err: unknown) => this.log.error({ dir: this.dir, err: (err as Error).message }, 'folder change check failed'));
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProblem, loadRoutesFromYaml, type Problem } from '@switchboard/api';
import {
  compileRoutes,
  standaloneSecrets,
  type RouteSource,
  type RouteTable,
  type RouteTableStore,
  type SecretResolver,
} from '@switchboard/gateway';
import { loadTokenizer } from '@switchboard/native';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';
import { FolderWatch } from './folder-watch.js';

export type LoadOutcome = { ok: true; table: RouteTable; files: number } | { ok: false; problems: Problem[] };

const ROUTE_FILE = /\.ya?ml$/i;

/**
 * Standalone mode's configuration source: every *.yaml / *.yml file in one
 * folder. The folder is read and compiled as a whole; any problem — a bad
 * route, or a file that cannot be read (a folder named x.yaml, a dangling
 * symlink, a file deleted mid-scan) — rejects the whole new table and the
 * last good one keeps serving.
 */
export class RoutesDirectory {
  #watch: FolderWatch | undefined;
  #reloading: Promise<void> = Promise.resolve();
  /** Problems of the most recent rejected change; cleared by a good one. */
  lastRejected: Problem[] | undefined;

  constructor(
    readonly dir: string,
    private readonly store: RouteTableStore,
    private readonly log: Logger,
    private readonly secrets: SecretResolver = standaloneSecrets(),
    /** How often the folder's content is compared with what was loaded, besides change events. */
    private readonly pollMs = 5000,
  ) {}

  /** Reads and compiles the folder without touching the store. */
  async load(): Promise<LoadOutcome> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => ROUTE_FILE.test(n)).sort();
    } catch (err) {
      return { ok: false, problems: [{ path: '', file: this.dir, message: `cannot read routes folder: ${errorCode(err)}` }] };
    }
    const sources: RouteSource[] = [];
    const problems: Problem[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        problems.push({ path: '', file, message: `cannot read route file: ${errorCode(err)}` });
        continue;
      }
      const loaded = loadRoutesFromYaml(text, file);
      problems.push(...loaded.problems);
      sources.push(...loaded.routes);
    }
    if (problems.length) return { ok: false, problems };
    const compiled = compileRoutes(sources, {
      secrets: this.secrets,
      loadTokenizer,
      version: this.store.current().version + 1,
    });
    if (compiled.problems.length) return { ok: false, problems: compiled.problems };
    return { ok: true, table: compiled.table, files: names.length };
  }

  /** Loads once (throwing on problems, so a bad start is loud) and watches for changes. */
  async start(onSwap?: (table: RouteTable) => void): Promise<RouteTable> {
    const first = await this.load();
    if (!first.ok) throw new RoutesInvalidError(first.problems);
    this.store.swap(first.table);
    onSwap?.(first.table);
    this.#watch = new FolderWatch(
      this.dir,
      (name) => ROUTE_FILE.test(name),
      this.pollMs,
      () => this.#schedule(onSwap),
      this.log,
    );
    await this.#watch.start();
    return first.table;
  }

  /** Waits for a reload in progress (tests use it). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  stop(): void {
    this.#watch?.stop();
  }

  #schedule(onSwap?: (table: RouteTable) => void): void {
    // One reload at a time; a reload that fails for any reason is logged, never fatal.
    this.#reloading = this.#reloading
      .then(() => this.#reload(onSwap))
      .catch((err: unknown) =>
        this.log.error({ err: (err as Error).message }, 'routes reload failed; the last good configuration stays'),
      );
  }

  async #reload(onSwap?: (table: RouteTable) => void): Promise<void> {
    const outcome = await this.load();
    this.lastRejected = outcome.ok ? undefined : outcome.problems;
    if (!outcome.ok) {
      for (const p of outcome.problems)
        this.log.error({ problem: formatProblem(p) }, 'route change rejected; the last good configuration stays');
      return;
    }
    this.store.swap(outcome.table);
    onSwap?.(outcome.table);
    this.log.info({ version: outcome.table.version, routes: outcome.table.routes.length }, 'routes reloaded');
  }
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

export class RoutesInvalidError extends ConfigError {
  constructor(readonly problems: Problem[]) {
    super(`invalid routes:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

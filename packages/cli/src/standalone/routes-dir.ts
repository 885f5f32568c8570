import { watch, type FSWatcher } from 'node:fs';
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

export type LoadOutcome = { ok: true; table: RouteTable; files: number } | { ok: false; problems: Problem[] };

/**
 * Standalone mode's configuration source: every *.yaml / *.yml file in one
 * folder. The folder is read and compiled as a whole; any problem rejects
 * the whole new table and the last good one keeps serving.
 */
export class RoutesDirectory {
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  /** Problems of the most recent rejected change; cleared by a good one. */
  lastRejected: Problem[] | undefined;

  constructor(
    readonly dir: string,
    private readonly store: RouteTableStore,
    private readonly log: Logger,
    private readonly secrets: SecretResolver = standaloneSecrets(),
  ) {}

  /** Reads and compiles the folder without touching the store. */
  async load(): Promise<LoadOutcome> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
    } catch (err) {
      return {
        ok: false,
        problems: [
          {
            path: '',
            file: this.dir,
            message: `cannot read routes folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          },
        ],
      };
    }
    const sources: RouteSource[] = [];
    const problems: Problem[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      const loaded = loadRoutesFromYaml(await readFile(file, 'utf8'), file);
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
    this.#watcher = watch(this.dir, () => this.#schedule(onSwap));
    return first.table;
  }

  /** Waits for a reload in progress (tests use it). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  stop(): void {
    this.#watcher?.close();
    clearTimeout(this.#timer);
  }

  // Editors write files in several steps; wait for the burst to end.
  #schedule(onSwap?: (table: RouteTable) => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#reloading = this.#reloading.then(() => this.#reload(onSwap));
    }, 150);
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

export class RoutesInvalidError extends ConfigError {
  constructor(readonly problems: Problem[]) {
    super(`invalid routes:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

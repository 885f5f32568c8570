import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProblem, loadRoutesFromYaml, type Problem } from '@switchboard/api';
import {
  standaloneSecrets,
  type Configurator,
  type RouteSource,
  type RouteTable,
  type SecretResolver,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';
import { FolderWatch } from './folder-watch.js';

export type LoadOutcome = { ok: true; sources: RouteSource[]; files: number } | { ok: false; problems: Problem[] };

const ROUTE_FILE = /\.ya?ml$/i;

/**
 * Standalone mode's configuration source: every *.yaml / *.yml file in one
 * folder. The folder is read and applied as a whole; any problem — a bad
 * route, or a file that cannot be read (a folder named x.yaml, a dangling
 * symlink, a file deleted mid-scan) — rejects the whole new configuration
 * and the last good table keeps serving. An unchanged plan builds nothing.
 */
export class RoutesDirectory {
  #watch: FolderWatch | undefined;
  #reloading: Promise<void> = Promise.resolve();
  /** Problems of the most recent rejected change; cleared by a good one. */
  lastRejected: Problem[] | undefined;

  constructor(
    readonly dir: string,
    private readonly configurator: Configurator,
    private readonly log: Logger,
    private readonly secrets: SecretResolver = standaloneSecrets(),
    /** How often the folder's content is compared with what was loaded, besides change events. */
    private readonly pollMs = 5000,
  ) {}

  /** Reads and parses the folder's route files (no compile, no build). */
  async read(): Promise<LoadOutcome> {
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
    return problems.length ? { ok: false, problems } : { ok: true, sources, files: names.length };
  }

  /** Applies the folder once (throwing on problems, so a bad start is loud) and watches for changes. */
  async start(): Promise<RouteTable> {
    const problems = await this.#apply();
    if (problems) throw new RoutesInvalidError(problems);
    this.#watch = new FolderWatch(
      this.dir,
      (name) => ROUTE_FILE.test(name),
      this.pollMs,
      () => this.#schedule(),
      this.log,
    );
    await this.#watch.start();
    return this.configurator.current();
  }

  /** Waits for a reload in progress (tests use it). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  stop(): void {
    this.#watch?.stop();
  }

  /** Reads and applies the folder; the problems when it was rejected. */
  async #apply(): Promise<Problem[] | undefined> {
    const read = await this.read();
    if (!read.ok) return read.problems;
    const outcome = await this.configurator.apply(read.sources, this.secrets, 'whole');
    if (outcome.problems.length) return outcome.problems;
    if (outcome.swapped) {
      this.log.info({ version: outcome.table.version, routes: outcome.table.routes.length }, 'routes reloaded');
      // A served route's own problems (a router alias an earlier route claimed): Kubernetes puts them in
      // the route's status; here the log is the only place an operator sees them.
      for (const [route, problems] of outcome.problemsByRoute)
        for (const p of problems) this.log.warn({ route, problem: formatProblem(p) }, 'route served with a problem');
    }
    return undefined;
  }

  #schedule(): void {
    // One reload at a time; a reload that fails for any reason is logged, never fatal.
    this.#reloading = this.#reloading
      .then(async () => {
        const problems = await this.#apply();
        this.lastRejected = problems;
        for (const p of problems ?? [])
          this.log.error({ problem: formatProblem(p) }, 'route change rejected; the last good configuration stays');
      })
      .catch((err: unknown) =>
        this.log.error({ err: (err as Error).message }, 'routes reload failed; the last good configuration stays'),
      );
  }
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

export class RoutesInvalidError extends ConfigError {
  constructor(readonly problems: Problem[]) {
    super(`invalid routes:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

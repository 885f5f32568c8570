import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { formatProblem, loadApiKeysFromYaml, type ApiKeys } from '@switchboard/api';
import { ApiKeyRegistry } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';
import { FolderWatch } from './folder-watch.js';

/**
 * The API keys file of standalone mode, watched so that keys can be added,
 * revoked and rotated without a restart — however the file is replaced
 * (edited in place, renamed over, swapped by a ConfigMap update): its folder
 * is watched and its content compared (FolderWatch). A bad edit is reported
 * and the last good set of keys stays in force.
 */
export class ApiKeysFile {
  #registry: ApiKeyRegistry | undefined;
  #config: ApiKeys | undefined;
  #watch: FolderWatch | undefined;
  #reloading: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly log: Logger,
    /** How often the file's content is compared with what was loaded, besides change events. */
    private readonly pollMs = 5000,
  ) {}

  async start(): Promise<ApiKeys> {
    const loaded = loadApiKeysFromYaml(await readFile(this.path, 'utf8'), this.path);
    if (!loaded.ok)
      throw new ConfigError(`invalid API keys file:\n${loaded.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.#set(loaded.config);
    const name = basename(this.path);
    this.#watch = new FolderWatch(
      dirname(this.path),
      (n) => n === name,
      this.pollMs,
      () => this.#schedule(),
      this.log,
    );
    await this.#watch.start();
    return loaded.config;
  }

  /** Waits for a reload in progress (tests use it). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  registry = (): ApiKeyRegistry => {
    if (!this.#registry) throw new Error('API keys not loaded');
    return this.#registry;
  };

  get config(): ApiKeys | undefined {
    return this.#config;
  }

  stop(): void {
    this.#watch?.stop();
  }

  #schedule(): void {
    this.#reloading = this.#reloading
      .then(() => this.#reload())
      .catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'API keys reload failed; the previous keys stay'));
  }

  #set(config: ApiKeys): void {
    this.#config = config;
    this.#registry = new ApiKeyRegistry(config);
  }

  async #reload(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      this.log.error({ file: this.path, err: (err as Error).message }, 'API keys file unreadable; the previous keys stay');
      return;
    }
    const loaded = loadApiKeysFromYaml(text, this.path);
    if (!loaded.ok) {
      for (const p of loaded.problems)
        this.log.error({ problem: formatProblem(p) }, 'API keys change rejected; the previous keys stay');
      return;
    }
    this.#set(loaded.config);
    this.log.info({ keys: loaded.config.keys.length }, 'API keys reloaded');
  }
}

/** True when the keys file sets any per-key or per-tenant limit or budget. */
export function keysHaveLimits(config: ApiKeys): boolean {
  return config.keys.some((k) => k.limits) || Object.values(config.tenants ?? {}).some((t) => t.limits || t.budget);
}

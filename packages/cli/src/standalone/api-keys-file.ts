import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { formatProblem, loadApiKeysFromYaml, type ApiKeys } from '@switchboard/api';
import { ApiKeyRegistry } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';

/**
 * The API keys file of standalone mode, watched so that keys can be added,
 * revoked and rotated without a restart. A bad edit is reported and the
 * last good set of keys stays in force.
 */
export class ApiKeysFile {
  #registry: ApiKeyRegistry | undefined;
  #config: ApiKeys | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<ApiKeys> {
    const loaded = loadApiKeysFromYaml(await readFile(this.path, 'utf8'), this.path);
    if (!loaded.ok)
      throw new ConfigError(`invalid API keys file:\n${loaded.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.#set(loaded.config);
    this.#watcher = watch(this.path, () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#reload(), 150);
    });
    return loaded.config;
  }

  registry = (): ApiKeyRegistry => {
    if (!this.#registry) throw new Error('API keys not loaded');
    return this.#registry;
  };

  get config(): ApiKeys | undefined {
    return this.#config;
  }

  stop(): void {
    this.#watcher?.close();
    clearTimeout(this.#timer);
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

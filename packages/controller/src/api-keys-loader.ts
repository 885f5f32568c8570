import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { formatProblem, loadApiKeysFromYaml } from '@switchboard/api';
import { ApiKeyRegistry } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { secretReflector } from './credential-secrets.js';
import type { Reflector } from './reflector.js';
import type { ReflectorTiming } from './scoped-reflectors.js';

/** Where the gateway's API keys file is: a Secret's namespace, name and data key. */
export interface ApiKeysSecretRef {
  namespace: string;
  name: string;
  key: string;
}

/**
 * The gateway's API keys, from one Secret watched by name (a
 * `metadata.name` field selector, which RBAC can grant by resourceNames).
 * A missing Secret or an invalid file keeps the previous keys: a typo in an
 * edit must not lock every caller out, nor let every caller in.
 */
export class ApiKeysSecretLoader {
  readonly #reflector: Reflector<V1Secret>;
  #registry: ApiKeyRegistry | undefined;
  #version = '';

  constructor(
    kubeConfig: KubeConfig,
    private readonly ref: ApiKeysSecretRef,
    private readonly log: Logger,
    timing: ReflectorTiming = {},
  ) {
    this.#reflector = secretReflector(kubeConfig, ref.namespace, { fieldSelector: `metadata.name=${ref.name}` }, log, timing);
    this.#reflector.onChange(() => this.#load());
  }

  /** The keys read last (undefined until the Secret is found and valid). */
  registry(): ApiKeyRegistry | undefined {
    return this.#registry;
  }

  get ready(): boolean {
    return this.#reflector.ready;
  }

  start(): void {
    this.#reflector.start();
  }

  synced(): Promise<void> {
    return this.#reflector.synced();
  }

  stop(): void {
    this.#reflector.stop();
  }

  #load(): void {
    const { namespace, name, key } = this.ref;
    const secret = this.#reflector.get(namespace, name);
    const version = secret?.metadata?.resourceVersion ?? 'missing';
    if (version === this.#version) return;
    this.#version = version;
    const where = `Secret ${namespace}/${name} key ${key}`;
    const data = secret?.data?.[key];
    if (data === undefined) {
      this.log.error({ secret: where }, 'API keys Secret or key not found; the previous keys (if any) stay');
      return;
    }
    const loaded = loadApiKeysFromYaml(Buffer.from(data, 'base64').toString('utf8'), where);
    if (!loaded.ok) {
      for (const p of loaded.problems) this.log.error({ problem: formatProblem(p) }, 'API keys rejected; the previous keys stay');
      return;
    }
    this.#registry = new ApiKeyRegistry(loaded.config);
    this.log.info({ keys: loaded.config.keys.length, secret: where }, 'API keys loaded');
  }
}

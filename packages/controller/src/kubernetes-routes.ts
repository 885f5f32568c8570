import { isAbsolute, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import {
  formatProblem,
  LLMROUTE_API_VERSION,
  LLMROUTE_KIND,
  loadApiKeysFromYaml,
  validateLLMRoute,
  type LLMRoute,
  type Problem,
} from '@switchboard/api';
import {
  ApiKeyRegistry,
  standaloneSecrets,
  type Configurator,
  type RouteSource,
  type RouteStates,
  type SecretResolver,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import { desiredStatus, sameStatus, type RouteStatus } from './status.js';

export const GROUP = 'switchboard.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'llmroutes';

/** An LLMRoute as the API server returns it. */
export interface LLMRouteObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: LLMRoute['spec'];
  status?: RouteStatus;
}

export interface KubernetesRoutesOptions {
  kubeConfig: KubeConfig;
  /** Namespaces to watch; all when undefined. */
  namespaces?: string[] | undefined;
  /** Plans, builds and swaps in the table (skipping the build when the plan is the one served). */
  configurator: Configurator;
  states: RouteStates;
  log: Logger;
  leaderElection: LeaderElectionOptions;
  /** How often the leader refreshes statuses (backend health) without a change (default 10 s). */
  statusIntervalMs?: number | undefined;
  /** Reflector timings (tests shorten them). */
  reflector?: Pick<ReflectorOptions<never>, 'resyncMs' | 'stallMs' | 'backoffMinMs' | 'backoffMaxMs'> | undefined;
  /** Gateway API keys from a Secret: `namespace/name`, data key (default keys.yaml). */
  apiKeysSecret?: { namespace: string; name: string; key: string } | undefined;
  /**
   * The gateway pod's own environment variables and files that routes may
   * name in `auth.env` / `auth.file` (the operator's allow-list; default
   * none). Anything else is refused: a route author must not read the pod's
   * ServiceAccount token or the gateway's own keys.
   */
  podCredentials?: PodCredentials | undefined;
}

/** Names of the pod's environment variables and absolute paths of its files that routes may use as keys. */
export interface PodCredentials {
  env: readonly string[];
  files: readonly string[];
}

const podSecrets = standaloneSecrets();

/** Older first (creationTimestamp, one-second resolution), then by namespace/name: the order model names are claimed in. */
const byAge = (a: LLMRouteObject, b: LLMRouteObject) => {
  const t = (o: LLMRouteObject) => new Date(o.metadata.creationTimestamp ?? 0).getTime();
  return t(a) - t(b) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
};

/**
 * The controller: LLMRoutes and the Secrets they reference, reflected from
 * the API server and compiled with the same pure `compileRoutes()` as
 * standalone mode into the RouteTable the gateway serves (swapped
 * atomically). Unlike a routes folder, a bad route rejects only itself.
 * Every replica reconciles and serves; only the Lease holder writes status.
 */
export class KubernetesRoutes {
  readonly #opts: KubernetesRoutesOptions;
  readonly #routes: Reflector<LLMRouteObject>[];
  readonly #secrets: Reflector<V1Secret>[];
  readonly #custom: CustomObjectsApi;
  readonly #leader: LeaderElector;
  #timer: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #outcomes = new Map<string, { problems: Problem[]; programmed: boolean }>();
  #apiKeys: ApiKeyRegistry | undefined;
  #apiKeysVersion = '';
  #writing: Promise<void> = Promise.resolve();

  constructor(opts: KubernetesRoutesOptions) {
    this.#opts = opts;
    const { kubeConfig, log } = opts;
    this.#custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const scopes: (string | undefined)[] = opts.namespaces?.length ? opts.namespaces : [undefined];
    const timing = opts.reflector ?? {};
    this.#routes = scopes.map(
      (ns) =>
        new Reflector<LLMRouteObject>({
          ...timing,
          kind: `llmroutes${ns ? ` in ${ns}` : ''}`,
          kubeConfig,
          log,
          watchPath: ns ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`,
          list: async () => {
            const res = (await (ns
              ? this.#custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL })
              : this.#custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }))) as {
              items: LLMRouteObject[];
              metadata: { resourceVersion: string };
            };
            return { items: res.items, resourceVersion: res.metadata.resourceVersion };
          },
        }),
    );
    this.#secrets = scopes.map(
      (ns) =>
        new Reflector<V1Secret>({
          ...timing,
          kind: `secrets${ns ? ` in ${ns}` : ''}`,
          kubeConfig,
          log,
          watchPath: ns ? `/api/v1/namespaces/${ns}/secrets` : '/api/v1/secrets',
          list: async () => {
            const res = ns ? await core.listNamespacedSecret({ namespace: ns }) : await core.listSecretForAllNamespaces();
            return { items: res.items, resourceVersion: res.metadata?.resourceVersion ?? '' };
          },
        }),
    );
    this.#leader = new LeaderElector(kubeConfig, opts.leaderElection, log);
  }

  /** Starts reflecting; resolves once every reflector has listed once and the first table is served. */
  async start(): Promise<void> {
    for (const r of [...this.#routes, ...this.#secrets]) {
      r.onChange(() => this.#schedule());
      r.start();
    }
    await Promise.all([...this.#routes, ...this.#secrets].map((r) => r.synced()));
    await this.#enqueue();
    this.#leader.onChange((leader) => {
      this.#opts.log.info({ leader }, leader ? 'leading: writing LLMRoute status' : 'not leading');
      if (leader) this.#writeStatuses();
    });
    this.#leader.start();
    this.#statusTimer = setInterval(() => this.#leader.isLeader && this.#writeStatuses(), this.#opts.statusIntervalMs ?? 10_000);
    this.#statusTimer.unref();
  }

  /** True once routes and secrets have been listed and compiled. */
  get synced(): boolean {
    return [...this.#routes, ...this.#secrets].every((r) => r.ready);
  }

  /** Gateway API keys read from the configured Secret (undefined until it is found and valid). */
  apiKeys(): ApiKeyRegistry | undefined {
    return this.#apiKeys;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#statusTimer);
    for (const r of [...this.#routes, ...this.#secrets]) r.stop();
    await this.#reconciling;
    await this.#writing;
    await this.#leader.stop();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    // Coalesce bursts (a relist emits once per object) into one reconcile.
    this.#timer = setTimeout(() => void this.#enqueue(), 20);
  }

  /** One reconcile at a time; a failing one is logged and the next event tries again. */
  #enqueue(): Promise<void> {
    this.#reconciling = this.#reconciling
      .then(() => this.#reconcile())
      .catch((err: unknown) => this.#opts.log.error({ err: (err as Error).message }, 'reconcile failed'));
    return this.#reconciling;
  }

  #secret(namespace: string, name: string): V1Secret | undefined {
    for (const r of this.#secrets) {
      const s = r.get(namespace, name);
      if (s) return s;
    }
    return undefined;
  }

  async #reconcile(): Promise<void> {
    if (!this.synced) return;
    const { log } = this.#opts;
    this.#loadApiKeys();
    const objects = this.#routes.flatMap((r) => r.values()).sort(byAge);
    const invalid = new Map<string, Problem[]>();
    const sources: RouteSource[] = [];
    for (const obj of objects) {
      const doc = {
        apiVersion: LLMROUTE_API_VERSION,
        kind: LLMROUTE_KIND,
        metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
        spec: structuredClone(obj.spec),
      };
      const checked = validateLLMRoute(doc);
      if (checked.ok) sources.push({ route: checked.route });
      else invalid.set(`${obj.metadata.namespace}/${obj.metadata.name}`, checked.problems);
    }
    const resolver: SecretResolver = (auth, origin) => {
      if (auth.secretRef) {
        const { name, key } = auth.secretRef;
        const secret = this.#secret(origin.namespace, name);
        if (!secret) return { error: `Secret ${origin.namespace}/${name} not found`, reason: 'SecretNotFound' };
        const value = secret.data?.[key];
        if (value === undefined)
          return { error: `Secret ${origin.namespace}/${name} has no key "${key}"`, reason: 'SecretKeyMissing' };
        const decoded = Buffer.from(value, 'base64').toString('utf8').trim();
        return decoded
          ? { key: decoded }
          : { error: `Secret ${origin.namespace}/${name} key "${key}" is empty`, reason: 'SecretKeyMissing' };
      }
      return this.#podCredential(auth, origin);
    };
    const result = await this.#opts.configurator.apply(sources, resolver, 'per-route');
    const programmed = new Set(result.table.routes.map((r) => r.id));
    this.#outcomes = new Map(
      objects.map((o) => {
        const id = `${o.metadata.namespace}/${o.metadata.name}`;
        return [id, { problems: invalid.get(id) ?? result.problemsByRoute.get(id) ?? [], programmed: programmed.has(id) }];
      }),
    );
    if (result.swapped) {
      for (const p of result.problems) log.warn({ problem: formatProblem(p) }, 'LLMRoute rejected');
      for (const [id, ps] of invalid) for (const p of ps) log.warn({ route: id, problem: formatProblem(p) }, 'LLMRoute invalid');
      log.info(
        { routes: result.table.routes.length, rejected: result.rejected.length, version: result.table.version },
        'route table updated',
      );
    }
    if (this.#leader.isLeader) this.#writeStatuses();
  }

  /**
   * auth.env / auth.file name the gateway pod's environment and files, which
   * belong to the operator, not to route authors: only what the operator
   * allow-listed (`--allow-env-credentials`, `--allow-file-credentials`; the
   * chart's podCredentials) resolves, and the route is rejected otherwise.
   */
  #podCredential(auth: Parameters<SecretResolver>[0], origin: Parameters<SecretResolver>[1]): ReturnType<SecretResolver> {
    const allowed = this.#opts.podCredentials ?? { env: [], files: [] };
    const refuse = (what: string, list: string) => ({
      error: `${what} is not allowed in Kubernetes mode: credentials come from auth.secretRef (a Secret in the route's namespace), or from the gateway pod's own ${list} the operator allow-lists (--allow-${list === 'environment variables' ? 'env' : 'file'}-credentials)`,
      reason: 'CredentialSourceNotAllowed',
    });
    if (auth.env !== undefined && !allowed.env.includes(auth.env)) return refuse(`auth.env ${auth.env}`, 'environment variables');
    if (auth.file !== undefined && !(isAbsolute(auth.file) && allowed.files.includes(resolve(auth.file)))) {
      return refuse(`auth.file ${auth.file}`, 'files');
    }
    return podSecrets(auth, origin);
  }

  #loadApiKeys(): void {
    const ref = this.#opts.apiKeysSecret;
    if (!ref) return;
    const secret = this.#secret(ref.namespace, ref.name);
    const version = secret?.metadata?.resourceVersion ?? 'missing';
    if (version === this.#apiKeysVersion) return;
    this.#apiKeysVersion = version;
    const where = `Secret ${ref.namespace}/${ref.name} key ${ref.key}`;
    const data = secret?.data?.[ref.key];
    if (data === undefined) {
      this.#opts.log.error({ secret: where }, 'API keys Secret or key not found; the previous keys (if any) stay');
      return;
    }
    const loaded = loadApiKeysFromYaml(Buffer.from(data, 'base64').toString('utf8'), where);
    if (!loaded.ok) {
      for (const p of loaded.problems)
        this.#opts.log.error({ problem: formatProblem(p) }, 'API keys rejected; the previous keys stay');
      return;
    }
    this.#apiKeys = new ApiKeyRegistry(loaded.config);
    this.#opts.log.info({ keys: loaded.config.keys.length, secret: where }, 'API keys loaded');
  }

  /** Leader only: brings every route's status up to date, skipping routes whose status is already right. */
  #writeStatuses(): void {
    this.#writing = this.#writing.then(async () => {
      const now = new Date();
      const health = new Map<string, { name: string; health: NonNullable<RouteStatus['backends']>[number]['health'] }[]>();
      const at = performance.now();
      for (const [route, backend, state] of this.#opts.states.entries()) {
        const list = health.get(route) ?? [];
        list.push({ name: backend, health: state.health.state(at) });
        health.set(route, list);
      }
      for (const obj of this.#routes.flatMap((r) => r.values())) {
        if (!this.#leader.isLeader) return;
        const id = `${obj.metadata.namespace}/${obj.metadata.name}`;
        const outcome = this.#outcomes.get(id);
        if (!outcome) continue;
        const desired = desiredStatus(
          {
            generation: obj.metadata.generation,
            problems: outcome.problems,
            programmed: outcome.programmed,
            backends: outcome.programmed ? health.get(id) : undefined,
          },
          obj.status,
          now,
        );
        if (sameStatus(obj.status, desired)) continue;
        try {
          await this.#custom.replaceNamespacedCustomObjectStatus({
            group: GROUP,
            version: VERSION,
            namespace: obj.metadata.namespace,
            plural: PLURAL,
            name: obj.metadata.name,
            body: { ...obj, status: desired },
          });
        } catch (err) {
          // 409: the object changed meanwhile; its watch event brings another reconcile.
          const code = (err as { code?: number }).code;
          if (code !== 409 && code !== 404)
            this.#opts.log.warn({ route: id, err: (err as Error).message }, 'status update failed');
        }
      }
    });
  }
}

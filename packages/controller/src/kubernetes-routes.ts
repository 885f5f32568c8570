import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { ApiKeyRegistry, Configurator, RouteStates } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ApiKeysSecretLoader, type ApiKeysSecretRef } from './api-keys-loader.js';
import { credentialSecrets } from './credential-secrets.js';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import type { LLMRouteObject } from './llmroute-object.js';
import { llmRouteReflectors } from './llmroute-reflectors.js';
import { podCredentialResolver, type PodCredentials } from './pod-credentials.js';
import { RouteReconciler } from './route-reconciler.js';
import { namespaceScopes, type ReflectorTiming, type ScopedReflectors } from './scoped-reflectors.js';
import { SecretExistence, tableProbe } from './secret-existence.js';
import { StatusWriter } from './status-writer.js';

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
  reflector?: ReflectorTiming | undefined;
  /** Gateway API keys from a Secret: `namespace/name`, data key (default keys.yaml). */
  apiKeysSecret?: ApiKeysSecretRef | undefined;
  /**
   * The gateway pod's own environment variables and files that routes may
   * name in `auth.env` / `auth.file` (the operator's allow-list; default
   * none). Anything else is refused: a route author must not read the pod's
   * ServiceAccount token or the gateway's own keys.
   */
  podCredentials?: PodCredentials | undefined;
  /**
   * The folders routes may name files in (router folders, policies,
   * calibration prompts, ONNX models, tokenizers); default podModelDirs():
   * SWITCHBOARD_MODELS and the image's ./models.
   */
  modelDirs?: readonly string[] | undefined;
}

/**
 * The controller, in three parts as Envoy AI Gateway's is: the reconciler
 * (LLMRoutes and their credential Secrets -> the route table, on every
 * replica), the API-keys loader, and the status writer (the Lease holder
 * only). This class wires them to the reflectors, the Lease and a timer.
 */
export class KubernetesRoutes {
  readonly #opts: KubernetesRoutesOptions;
  readonly #routes: ScopedReflectors<LLMRouteObject>;
  readonly #secrets: ScopedReflectors<V1Secret>;
  readonly #apiKeys: ApiKeysSecretLoader | undefined;
  readonly #reconciler: RouteReconciler;
  readonly #status: StatusWriter;
  readonly #leader: LeaderElector;
  #timer: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();

  constructor(opts: KubernetesRoutesOptions) {
    this.#opts = opts;
    const { kubeConfig, log } = opts;
    const scopes = namespaceScopes(opts.namespaces);
    this.#routes = llmRouteReflectors(kubeConfig, scopes, log, opts.reflector);
    this.#secrets = credentialSecrets(kubeConfig, scopes, log, opts.reflector);
    this.#apiKeys = opts.apiKeysSecret && new ApiKeysSecretLoader(kubeConfig, opts.apiKeysSecret, log, opts.reflector);
    this.#reconciler = new RouteReconciler({
      routes: this.#routes,
      secrets: this.#secrets,
      existence: new SecretExistence(tableProbe(kubeConfig.makeApiClient(CoreV1Api), log)),
      configurator: opts.configurator,
      podCredentials: podCredentialResolver(opts.podCredentials),
      modelDirs: opts.modelDirs,
      log,
    });
    this.#leader = new LeaderElector(kubeConfig, opts.leaderElection, log);
    this.#status = new StatusWriter({
      custom: kubeConfig.makeApiClient(CustomObjectsApi),
      routes: this.#routes,
      outcomes: () => this.#reconciler.outcomes(),
      states: opts.states,
      isLeader: () => this.#leader.isLeader,
      log,
    });
  }

  /** Starts reflecting; resolves once every reflector has listed once and the first table is served. */
  async start(): Promise<void> {
    this.#routes.onChange(() => this.#schedule());
    this.#secrets.onChange(() => this.#schedule());
    this.#routes.start();
    this.#secrets.start();
    this.#apiKeys?.start();
    await Promise.all([this.#routes.synced(), this.#secrets.synced(), this.#apiKeys?.synced()]);
    await this.#enqueue();
    this.#leader.onChange((leader) => {
      this.#opts.log.info({ leader }, leader ? 'leading: writing LLMRoute status' : 'not leading');
      if (leader) this.#status.sync();
    });
    this.#leader.start();
    // Backend health changes without any event: the leader refreshes it.
    this.#statusTimer = setInterval(() => this.#leader.isLeader && this.#status.sync(), this.#opts.statusIntervalMs ?? 10_000);
    this.#statusTimer.unref();
  }

  /** True once routes, credential Secrets and the API keys Secret have been listed. */
  get synced(): boolean {
    return this.#routes.ready && this.#secrets.ready && (this.#apiKeys?.ready ?? true);
  }

  /** Gateway API keys read from the configured Secret (undefined until it is found and valid). */
  apiKeys(): ApiKeyRegistry | undefined {
    return this.#apiKeys?.registry();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#statusTimer);
    this.#routes.stop();
    this.#secrets.stop();
    this.#apiKeys?.stop();
    await this.#reconciling;
    await this.#status.idle();
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
      .then(async () => {
        if (!this.#routes.ready || !this.#secrets.ready) return;
        await this.#reconciler.reconcile();
        // Even with nothing applied, a stored status may have been changed by someone else.
        if (this.#leader.isLeader) this.#status.sync();
      })
      .catch((err: unknown) => this.#opts.log.error({ err: (err as Error).message }, 'reconcile failed'));
    return this.#reconciling;
  }
}

import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Reflector, type Selectors } from './reflector.js';
import { ScopedReflectors, type ReflectorTiming } from './scoped-reflectors.js';

/** The label an operator puts on a Secret to let routes of its namespace use it as a backend credential. */
export const CREDENTIAL_LABEL = 'switchboard.dev/credential';
export const CREDENTIAL_SELECTOR = `${CREDENTIAL_LABEL}=true`;

/**
 * What the cache keeps of a Secret: name, version and data. Annotations go
 * (`kubectl apply` leaves a second copy of the data in one), and so do
 * managedFields.
 */
export function keepNameAndData(s: V1Secret): V1Secret {
  const { name, namespace, resourceVersion } = s.metadata ?? {};
  return {
    metadata: {
      ...(name ? { name } : {}),
      ...(namespace ? { namespace } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    ...(s.data ? { data: s.data } : {}),
  };
}

/** Secrets of one namespace (or every one) matching `selectors`, listed and watched; the API server filters. */
export function secretReflector(
  kubeConfig: KubeConfig,
  namespace: string | undefined,
  selectors: Selectors,
  log: Logger,
  timing: ReflectorTiming = {},
): Reflector<V1Secret> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return new Reflector<V1Secret>({
    ...timing,
    kind: `secrets${namespace ? ` in ${namespace}` : ''} (${selectors.labelSelector ?? selectors.fieldSelector ?? 'all'})`,
    kubeConfig,
    log,
    selectors,
    transform: keepNameAndData,
    watchPath: namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets',
    list: async (s) => {
      const res = namespace
        ? await core.listNamespacedSecret({ namespace, ...s })
        : await core.listSecretForAllNamespaces({ ...s });
      return { items: res.items, resourceVersion: res.metadata?.resourceVersion ?? '' };
    },
  });
}

/**
 * The credential Secrets of the watched namespaces: only those labelled
 * `switchboard.dev/credential=true`. Any other Secret never reaches the
 * gateway, whatever a route names.
 */
export function credentialSecrets(
  kubeConfig: KubeConfig,
  scopes: readonly (string | undefined)[],
  log: Logger,
  timing: ReflectorTiming = {},
): ScopedReflectors<V1Secret> {
  return new ScopedReflectors(scopes, (ns) =>
    secretReflector(kubeConfig, ns, { labelSelector: CREDENTIAL_SELECTOR }, log, timing),
  );
}

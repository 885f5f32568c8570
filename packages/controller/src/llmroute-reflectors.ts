import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION, type LLMRouteObject } from './llmroute-object.js';
import { Reflector } from './reflector.js';
import { ScopedReflectors, type ReflectorTiming } from './scoped-reflectors.js';

/** Every LLMRoute of the watched namespaces (or of the cluster), listed and watched. */
export function llmRouteReflectors(
  kubeConfig: KubeConfig,
  scopes: readonly (string | undefined)[],
  log: Logger,
  timing: ReflectorTiming = {},
): ScopedReflectors<LLMRouteObject> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return new ScopedReflectors(
    scopes,
    (ns) =>
      new Reflector<LLMRouteObject>({
        ...timing,
        kind: `llmroutes${ns ? ` in ${ns}` : ''}`,
        kubeConfig,
        log,
        watchPath: ns ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`,
        list: async () => {
          const res = (await (ns
            ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL })
            : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }))) as {
            items: LLMRouteObject[];
            metadata: { resourceVersion: string };
          };
          return { items: res.items, resourceVersion: res.metadata.resourceVersion };
        },
      }),
  );
}

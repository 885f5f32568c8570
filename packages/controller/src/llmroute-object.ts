import type { LLMRoute, LLMRouteStatus } from '@switchboard/api';

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
  status?: LLMRouteStatus;
}

/** `namespace/name`: how routes are named in the route table, problems and logs. */
export const routeId = (o: LLMRouteObject): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** Older first (creationTimestamp, one-second resolution), then by namespace/name: the order model names are claimed in. */
export const byAge = (a: LLMRouteObject, b: LLMRouteObject): number => {
  const t = (o: LLMRouteObject) => new Date(o.metadata.creationTimestamp ?? 0).getTime();
  return t(a) - t(b) || routeId(a).localeCompare(routeId(b));
};

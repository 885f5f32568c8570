// What the CLI (and the Kubernetes tests) use.
export { KubernetesRoutes, type KubernetesRoutesOptions } from './kubernetes-routes.js';
export { GROUP, VERSION, PLURAL, type LLMRouteObject } from './llmroute-object.js';
export { Reflector } from './reflector.js';
export { loadKubeConfig } from './kube-config.js';

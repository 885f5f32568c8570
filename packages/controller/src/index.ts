export {
  KubernetesRoutes,
  type KubernetesRoutesOptions,
  type LLMRouteObject,
  GROUP,
  VERSION,
  PLURAL,
} from './kubernetes-routes.js';
export { LeaderElector, type LeaderElectionOptions } from './leader.js';
export { Reflector, type ReflectorOptions } from './reflector.js';
export { desiredStatus, sameStatus, type Condition, type RouteStatus } from './status.js';
export { loadKubeConfig } from './kube-config.js';

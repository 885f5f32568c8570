import { isAbsolute, resolve } from 'node:path';
import { standaloneSecrets, type SecretResolver } from '@switchboard/gateway';

/** Names of the pod's environment variables and absolute paths of its files that routes may use as keys. */
export interface PodCredentials {
  env: readonly string[];
  files: readonly string[];
}

const podSecrets = standaloneSecrets();

/**
 * auth.env / auth.file name the gateway pod's environment and files, which
 * belong to the operator, not to route authors: only what the operator
 * allow-listed (`--allow-env-credentials`, `--allow-file-credentials`; the
 * chart's podCredentials) resolves, and the route is rejected otherwise.
 */
export function podCredentialResolver(allowed: PodCredentials = { env: [], files: [] }): SecretResolver {
  const refuse = (what: string, list: 'environment variables' | 'files') => ({
    error: `${what} is not allowed in Kubernetes mode: credentials come from auth.secretRef (a Secret in the route's namespace), or from the gateway pod's own ${list} the operator allow-lists (--allow-${list === 'environment variables' ? 'env' : 'file'}-credentials)`,
    reason: 'CredentialSourceNotAllowed',
  });
  return (auth, origin) => {
    if (auth.env !== undefined && !allowed.env.includes(auth.env)) return refuse(`auth.env ${auth.env}`, 'environment variables');
    if (auth.file !== undefined && !(isAbsolute(auth.file) && allowed.files.includes(resolve(auth.file)))) {
      return refuse(`auth.file ${auth.file}`, 'files');
    }
    return podSecrets(auth, origin);
  };
}

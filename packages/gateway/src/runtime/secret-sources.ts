import { isAbsolute, resolve } from 'node:path';
import type { SecretResolver } from '../plan/secrets.js';
import { readBoundedText, ROUTE_FILE_LIMITS } from './route-files.js';

/**
 * Standalone mode: keys from the gateway's environment or from files
 * (relative paths are resolved against the route file's folder). The
 * operator writes the route files, so both are allowed (in Kubernetes mode
 * they are refused unless allow-listed: packages/controller). Messages name
 * the variable or file, never the key. A key file must be a regular file of
 * at most ROUTE_FILE_LIMITS.key bytes (a typo naming /dev/zero cannot hang
 * the gateway).
 */
export function standaloneSecrets(env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return (auth, { file: routeFile }) => {
    if (auth.env !== undefined) {
      const key = env[auth.env];
      return key ? { key } : { error: `environment variable ${auth.env} is not set` };
    }
    if (auth.file !== undefined) {
      const base = routeFile ? resolve(routeFile, '..') : process.cwd();
      const path = isAbsolute(auth.file) ? auth.file : resolve(base, auth.file);
      try {
        const key = readBoundedText(path, ROUTE_FILE_LIMITS.key, 'key file').trim();
        return key ? { key } : { error: `key file ${path} is empty` };
      } catch (err) {
        return { error: (err as Error).message };
      }
    }
    if (auth.secretRef !== undefined) {
      return {
        error: `secretRef ${auth.secretRef.name}/${auth.secretRef.key} needs the Kubernetes controller (switchboard serve --kubernetes); standalone mode reads keys from env or file`,
      };
    }
    return { error: 'auth must set env, file or secretRef' };
  };
}

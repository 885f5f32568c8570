import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The interop virtualenv's python (test/interop/requirements.txt: kserve,
 * tritonclient), created on first use by scripts/python-env.sh and cached.
 */
export function interopPython(): string {
  cached ??=
    process.env.SWITCHBOARD_PYTHON ??
    execFileSync('bash', [fileURLToPath(new URL('../../scripts/python-env.sh', import.meta.url))], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  return cached;
}

export const interopScript = (name: string) => fileURLToPath(new URL(`../interop/${name}`, import.meta.url));

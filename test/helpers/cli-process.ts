import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { eventually } from './harness.js';

const DIST_BIN = new URL('../../packages/cli/dist/bin.js', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

export interface CliProcess {
  child: ChildProcess;
  stderr(): string;
  exit(): Promise<number>;
}

/** The built `switchboard` CLI as a child process (signals, exit codes and separate processes are the point). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [DIST_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  return {
    child,
    stderr: () => stderr,
    exit: async () => child.exitCode ?? ((await once(child, 'exit')) as [number])[0],
  };
}

/** `switchboard serve` on a free port, resolved once /readyz answers 200. */
export async function serveProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliProcess & { url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const p = cli(['serve', '--port', String(port), '--host', '127.0.0.1', ...args], env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(async () => {
      if (p.child.exitCode !== null) throw new Error(`switchboard serve exited: ${p.stderr()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    }, 40_000);
  } catch (err) {
    // A gateway that never became ready is not left running after the test.
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    throw err;
  }
  return {
    ...p,
    url,
    async stop() {
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exit();
      }
    },
  };
}

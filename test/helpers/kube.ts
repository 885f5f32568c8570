import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './cli-process.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let toolsDir: string | undefined;

/** kube-harness (kube-apiserver + etcd + kubectl) and helm, built once by scripts/build-kube-tools.sh. */
export function kubeTools(): { harness: string; helm: string } {
  toolsDir ??=
    process.env.SWITCHBOARD_KUBE_TOOLS ??
    execFileSync('bash', [join(ROOT, 'scripts/build-kube-tools.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  return { harness: join(toolsDir, 'kube-harness'), helm: join(toolsDir, 'helm') };
}

export interface ApiServer {
  url: string;
  kubeconfig: string;
  /** The server's state directory (etcd data, audit log, kubeconfigs); stop() removes it. */
  dir: string;
  /** kubectl against this server; rejects with stderr on a non-zero exit. */
  kubectl(args: string[], stdin?: string): Promise<string>;
  /** kubectl, resolving with the exit code and output whatever the code (for `auth can-i`). */
  kubectlStatus(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** helm against this server. */
  helm(args: string[]): Promise<string>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the API server: connections stay open but go silent. */
  pause(): void;
  resume(): void;
  /** Every audit event so far: each request on Secrets, with the server's answer (see the harness's audit policy). */
  auditEvents(): Promise<AuditEvent[]>;
  /** Kills and starts the API server again (same state directory, address and etcd data). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Polls `get` until `ok` holds (errors count as "not yet"); throws with the last value after `ms`. */
export async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await get();
      if (ok(last)) return last;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached in ${ms} ms (last: ${JSON.stringify(last)?.slice(0, 500)})`);
}

/** The fields of a Kubernetes audit event (audit.k8s.io/v1) the tests read. */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  stage: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  responseObject?: unknown;
}

/** A Secret routes may use as a backend credential: labelled switchboard.dev/credential=true, for `kubectl apply`. */
export function credentialSecret(name: string, data: Record<string, string>, namespace?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, ...(namespace ? { namespace } : {}), labels: { 'switchboard.dev/credential': 'true' } },
    stringData: data,
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file.split('/').pop()} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** A real kube-apiserver with an in-process etcd, on free local ports. */
export async function startApiServer(): Promise<ApiServer> {
  const { harness, helm } = kubeTools();
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-kube-'));
  const [port, etcdPort, etcdPeerPort] = [await freePort(), await freePort(), await freePort()];
  let child: ChildProcess;
  let url = '';
  let kubeconfig = '';
  const launch = async () => {
    const args = [
      'apiserver',
      '--dir',
      dir,
      '--port',
      String(port),
      '--etcd-port',
      String(etcdPort),
      '--etcd-peer-port',
      String(etcdPeerPort),
    ];
    child = spawn(harness, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\S+) (\S+)/.exec(out);
        if (m?.[1] && m[2]) {
          url = m[1];
          kubeconfig = m[2];
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`kube-apiserver exited (${code}):\n${log}`)));
    });
  };
  await launch();
  const kubectl = (args: string[], stdin?: string) => run(harness, ['kubectl', '--kubeconfig', kubeconfig, ...args], {}, stdin);
  return {
    get url() {
      return url;
    },
    get kubeconfig() {
      return kubeconfig;
    },
    dir,
    kubectl,
    kubectlStatus: (args) =>
      new Promise((resolve) => {
        execFile(harness, ['kubectl', '--kubeconfig', kubeconfig, ...args], (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      }),
    helm: (args) =>
      run(helm, args, {
        KUBECONFIG: kubeconfig,
        HELM_CACHE_HOME: join(dir, 'helm-cache'),
        HELM_CONFIG_HOME: join(dir, 'helm-config'),
      }),
    async auditEvents() {
      const log = await readFile(join(dir, 'audit.log'), 'utf8').catch(() => '');
      return log
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as AuditEvent);
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async restart() {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
      await launch();
    },
    async stop() {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A kubeconfig that authenticates as a ServiceAccount (a fresh token from the TokenRequest API), written to a temporary file. */
export async function serviceAccountKubeconfig(api: ApiServer, namespace: string, name: string): Promise<string> {
  const token = (await api.kubectl(['create', 'token', name, '-n', namespace])).trim();
  // In the server's own directory, so stop() removes the token with the rest of its state.
  const kubeconfig = join(api.dir, `sa-${namespace}-${name}.kubeconfig`);
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${api.url}", insecure-skip-tls-verify: true } }]
users: [{ name: sa, user: { token: "${token}" } }]
contexts: [{ name: c, context: { cluster: c, user: sa } }]
current-context: c
`,
    { mode: 0o600 },
  );
  return kubeconfig;
}

/** Installs the LLMRoute CRD from the chart and waits until it is served. */
export async function installCrd(api: ApiServer): Promise<void> {
  await api.kubectl([
    'apply',
    '--server-side',
    '-f',
    join(ROOT, 'charts/switchboard-crds/templates/llmroutes.switchboard.dev.yaml'),
  ]);
  await api.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/llmroutes.switchboard.dev']);
}

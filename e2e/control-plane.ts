/**
 * A real Kubernetes 1.35 control plane on 127.0.0.1 for the end-to-end tier: etcd 3.6.6 and
 * kube-apiserver v1.35.4 (built by e2e/install-tools.sh) with generated certificates, ServiceAccount
 * token signing, RBAC and the admission plugins a kubeadm cluster runs (the defaults, PodSecurity
 * among them, plus NodeRestriction), and kube-controller-manager v1.35.4 with the controllers that
 * need no node: namespace deletion, `default` ServiceAccounts, garbage collection, the
 * kube-root-ca.crt ConfigMaps and claim protection. No scheduler, kubelet or workload controllers:
 * no Pod runs and no Job finishes on its own (e2e/kube-objects.ts stands in where a test needs it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { ScriptRun, Started, freePort, runProgram, start, tempDir, tool, waitUntil } from './harness';

/** Flags kubeadm v1.35 gives kube-apiserver that matter here (admission, authorization, tokens). */
const API_SERVER_POLICY_FLAGS = [
  '--authorization-mode=Node,RBAC',
  '--enable-admission-plugins=NodeRestriction',
  '--allow-privileged=true',
  '--service-cluster-ip-range=10.96.0.0/12',
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
];

/** The controllers of kube-controller-manager that work without nodes (names of v1.35). */
const CONTROLLERS = [
  'namespace-controller',
  'serviceaccount-controller',
  'garbage-collector-controller',
  'root-ca-certificate-publisher-controller',
  // Removes the kubernetes.io/pvc-protection finalizer of a claim no Pod uses (a namespace with a
  // claim is never deleted without it).
  'persistentvolumeclaim-protection-controller',
];

export interface KubectlOptions {
  /** Text for stdin. */
  readonly input?: string;
  /** A kubeconfig other than the cluster admin's (e.g. a ServiceAccount's). */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

export class ControlPlane {
  /** Starts etcd and kube-apiserver, waits until the API server reports ready, then starts kube-controller-manager. */
  public static async start(): Promise<ControlPlane> {
    const dir = tempDir('kube');
    const pki = path.join(dir, 'pki');
    fs.mkdirSync(pki);
    generatePki(pki);
    const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = start('etcd', tool('etcd'), [
      '--name=e2e', `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${clientPort}`, `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync', // a throw-away test store; fsync only slows the tier down
    ]);
    const apiServer = start('kube-apiserver', tool('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${clientPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`,
      `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`,
      `--client-ca-file=${pki}/ca.crt`,
      `--service-account-key-file=${pki}/sa.pub`, `--service-account-signing-key-file=${pki}/sa.key`,
      ...API_SERVER_POLICY_FLAGS,
    ]);
    const plane = new ControlPlane(dir, `https://127.0.0.1:${apiPort}`, etcd, apiServer);
    const ms = await waitUntil('kube-apiserver /readyz', async () => {
      if (!etcd.running || !apiServer.running) throw new Error(`the control plane stopped:\n${etcd.tail()}\n${apiServer.tail()}`);
      const ready = await plane.kubectl(['get', '--raw', '/readyz'], { timeoutMs: 5_000 });
      return ready.status === 0 && ready.stdout.trim() === 'ok';
    }, 120_000, 250);
    plane.startMs = ms;
    plane.controllerManager = start('kube-controller-manager', tool('kube-controller-manager'), [
      `--kubeconfig=${plane.adminKubeconfig}`,
      `--authentication-kubeconfig=${plane.adminKubeconfig}`, `--authorization-kubeconfig=${plane.adminKubeconfig}`,
      '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`,
      `--cert-dir=${path.join(dir, 'controller-manager')}`, `--root-ca-file=${pki}/ca.crt`,
      `--controllers=${CONTROLLERS.join(',')}`,
    ]);
    return plane;
  }

  /** How long the API server took to become ready. */
  public startMs = 0;
  public controllerManager?: Started;
  /** kubeconfig of the cluster admin (a client certificate in system:masters). */
  public readonly adminKubeconfig: string;
  public readonly caFile: string;

  private constructor(public readonly dir: string, public readonly url: string,
    public readonly etcd: Started, public readonly apiServer: Started) {
    this.caFile = path.join(dir, 'pki', 'ca.crt');
    this.adminKubeconfig = this.writeKubeconfig('admin', {
      'client-certificate': path.join(dir, 'pki', 'admin.crt'),
      'client-key': path.join(dir, 'pki', 'admin.key'),
    });
  }

  /** Runs the real kubectl v1.35.4 against this API server. */
  public async kubectl(args: string[], options: KubectlOptions = {}): Promise<ScriptRun> {
    return runProgram(tool('kubectl'), args, {
      env: { PATH: process.env.PATH, HOME: this.dir, KUBECONFIG: options.kubeconfig ?? this.adminKubeconfig },
      input: options.input,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  /** Runs the real velero v1.18.1 CLI as the cluster admin, in Velero's namespace. */
  public async velero(args: string[], timeoutMs = 300_000): Promise<ScriptRun> {
    return runProgram(tool('velero'), [...args, '--namespace=velero'], {
      env: { PATH: process.env.PATH, HOME: this.dir, KUBECONFIG: this.adminKubeconfig },
      timeoutMs,
    });
  }

  /** kubectl that must succeed; returns its stdout. */
  public async kubectlOk(args: string[], options: KubectlOptions = {}): Promise<string> {
    const run = await this.kubectl(args, options);
    if (run.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.status}):\n${run.stderr}${run.stdout}`);
    return run.stdout;
  }

  /** Waits until the ServiceAccount controller has created `default` in each namespace. */
  public async defaultServiceAccounts(namespaces: string[]): Promise<number> {
    return waitUntil(`default ServiceAccounts in ${namespaces.join(', ')}`, async () => {
      if (this.controllerManager && !this.controllerManager.running) throw new Error(`kube-controller-manager stopped:\n${this.controllerManager.tail()}`);
      const accounts = (await this.getJson(['serviceaccounts', '-A', '--field-selector=metadata.name=default'])).items;
      return namespaces.every((ns) => accounts.some((a: any) => a.metadata.namespace === ns));
    }, 60_000, 250);
  }

  /** Parsed JSON of `kubectl get ... -o json`. */
  public async getJson(args: string[], options: KubectlOptions = {}): Promise<any> {
    return JSON.parse(await this.kubectlOk(['get', ...args, '-o', 'json'], options));
  }

  /**
   * A token of a ServiceAccount from the TokenRequest API (what the kubelet mounts into its Pods),
   * written to a file, and a kubeconfig that uses it.
   */
  public async serviceAccount(namespace: string, name: string): Promise<{ tokenFile: string; kubeconfig: string }> {
    const token = (await this.kubectlOk(['create', 'token', name, '-n', namespace, '--duration=1h'])).trim();
    const tokenFile = path.join(this.dir, `token-${namespace}-${name}`);
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    return { tokenFile, kubeconfig: this.writeKubeconfig(`sa-${namespace}-${name}`, { tokenFile }) };
  }

  /** Environment of a platform script that talks to the API server as a ServiceAccount (kube-api.py). */
  public async scriptApiEnv(namespace: string, name: string): Promise<Record<string, string>> {
    const { tokenFile } = await this.serviceAccount(namespace, name);
    return { KUBE_API_URL: this.url, KUBE_TOKEN_FILE: tokenFile, KUBE_CA_FILE: this.caFile };
  }

  private writeKubeconfig(name: string, user: Record<string, string>): string {
    const file = path.join(this.dir, `kubeconfig-${name}`);
    fs.writeFileSync(file, yaml.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { 'server': this.url, 'certificate-authority': this.caFile } }],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: 'e2e', user: name } }],
      ['current-context']: name,
    }), { mode: 0o600 });
    return file;
  }
}

/** CA, API server serving certificate, admin client certificate and the ServiceAccount signing key. */
function generatePki(pki: string): void {
  const openssl = (...args: string[]) => {
    const run = spawnSync('openssl', args, { cwd: pki, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${run.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=cnai-e2e-ca');
  const signed = (name: string, subject: string, extensions: string) => {
    fs.writeFileSync(path.join(pki, `${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  signed('apiserver', '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  signed('admin', '/O=system:masters/CN=cnai-e2e-admin', 'extendedKeyUsage=clientAuth\n');
  openssl('genrsa', '-out', 'sa.key', '2048');
  openssl('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

/**
 * One-off backups: VeleroKopiaBackup.backupNamespace emits a Job that creates the Backup only when
 * the BackupStorageLocation is Available and the namespace's workloads are ready. The Job's real
 * script and API client (from the synthesized ConfigMap) run against the stand-in API server.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { build, find, gatedBackups, propErrorOf, withGatedBackups } from './helpers';
import { FakeKubeApi, realPython3 } from '../fake-kube-api';
import { hostTool, testWithTools } from '../host-tools';
import { scriptJail } from '../jail';
import { VELERO_CRD_DIR, expectValidManifests } from '../validation';

jest.setTimeout(120_000);

const VELERO_API = '/apis/velero.io/v1/namespaces/velero';
/** The Job's image: PATH holds exactly the executables goharbor/prepare declares (test/jail.ts). */
const PREPARE_JAIL = 'the prepare image (PATH jail)';
const { jail, skipReason } = scriptJail('backup-when-ready.sh');
const SHELLS = ['sh', ...(jail ? [PREPARE_JAIL] : [])];
if (skipReason) describe.skip(`backup-when-ready.sh in the prepare image (skipped: ${skipReason})`, () => test('not run', () => undefined));
afterAll(() => jail?.remove());
const PREPARE = 'docker.io/goharbor/prepare:v2.14.4';

function synthGate(options = {}) {
  const { velero, resources } = build();
  velero.backupNamespace('ai-inference', { name: 'ai-backup', ttl: '72h', ...options });
  return resources();
}

describe('backupNamespace: a Job creates the Backup when it can succeed', () => {
  test('no Backup object in the manifests; the Job creates exactly the Backup its ConfigMap holds', () => {
    const objects = synthGate();
    expect(objects.filter((o) => o.kind === 'Backup')).toEqual([]);
    const [backup] = gatedBackups(objects);
    expect(backup).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'ai-backup', namespace: 'velero', labels: find(objects, 'BackupStorageLocation', 'default').metadata.labels },
      spec: { includedNamespaces: ['ai-inference'], ttl: '72h' },
    });
    // Every object, and the Backup the Job creates, against the Velero 1.18.1 CRDs when present.
    if (VELERO_CRD_DIR) expectValidManifests(withGatedBackups(objects), { crdSchemaDirs: [VELERO_CRD_DIR] });
  });

  test('one container in the prepare image runs the script; least-privilege RBAC; API server egress only', () => {
    const objects = synthGate({ waitTimeout: Duration.minutes(30) });
    const job = find(objects, 'Job', /^velero-backup-ai-backup-[0-9a-f]{8}$/);
    const pod = job.spec.template.spec;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    const [c] = pod.containers;
    expect(c.image).toBe(PREPARE);
    expect(c.command).toEqual(['/bin/sh', '/opt/backup-when-ready/backup-when-ready.sh', '/opt/backup-when-ready/backup.json']);
    expect(Object.fromEntries(c.env.map((e: any) => [e.name, e.value]))).toEqual({
      VELERO_NAMESPACE: 'velero', BACKUP_NAME: 'ai-backup', BACKUP_STORAGE_LOCATION: 'default', WORKLOAD_NAMESPACE: 'ai-inference', BACKUP_WAIT_TIMEOUT_SECONDS: '1800',
    });
    expect(Object.keys(find(objects, 'ConfigMap', 'velero-backup-ai-backup').data).sort()).toEqual(['backup-when-ready.sh', 'backup.json', 'kube-api.py']);
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.find((r) => r.metadata.namespace === 'velero').rules).toEqual([
      { apiGroups: ['velero.io'], resources: ['backupstoragelocations'], resourceNames: ['default'], verbs: ['get'] },
      { apiGroups: ['velero.io'], resources: ['backups'], resourceNames: ['ai-backup'], verbs: ['get'] },
      { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['create'] },
    ]);
    expect(roles.find((r) => r.metadata.namespace === 'ai-inference').rules).toEqual([{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list'] }]);
    const policy = find(objects, 'NetworkPolicy', 'velero-backup-ai-backup');
    expect(policy.spec.podSelector.matchLabels).toEqual(job.spec.template.metadata.labels);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
  });

  test('the wait timeout is checked', () => {
    const { velero } = build();
    expect(propErrorOf(() => velero.backupNamespace('ai-inference', { waitTimeout: Duration.seconds(10) })).prop).toBe('backupNamespace.waitTimeout');
  });
});

/** A cluster with Velero's namespace, run through the synthesized Job's files. */
class GateRig {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-gate-'));
  public api!: FakeKubeApi;
  private readonly files = path.join(this.dir, 'files');
  private readonly bin = path.join(this.dir, 'bin');

  constructor(private readonly shell: string) {}

  public async start(): Promise<this> {
    fs.mkdirSync(this.files);
    fs.mkdirSync(this.bin);
    fs.symlinkSync(realPython3(), path.join(this.bin, 'python3'));
    const data = find(synthGate(), 'ConfigMap', 'velero-backup-ai-backup').data;
    for (const [key, text] of Object.entries(data)) fs.writeFileSync(path.join(this.files, key), text as string);
    this.api = await FakeKubeApi.start(this.dir);
    return this;
  }

  public put(apiPath: string, obj: unknown): void {
    const file = path.join(this.dir, 'objects', `${apiPath}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(obj));
  }

  public location(phase?: string): void {
    this.put(`${VELERO_API}/backupstoragelocations/default`, { metadata: { name: 'default' }, status: phase ? { phase } : {} });
  }

  public workloads(ready: number, statefulSets: unknown[] = []): void {
    const deployment = { metadata: { name: 'llama', generation: 2 }, spec: { replicas: 1 }, status: { observedGeneration: 2, readyReplicas: ready, updatedReplicas: 1 } };
    this.put('/apis/apps/v1/namespaces/ai-inference/deployments', { items: [deployment] });
    this.put('/apis/apps/v1/namespaces/ai-inference/statefulsets', { items: statefulSets });
  }

  public created(): any {
    const file = path.join(this.dir, 'objects', `${VELERO_API}/backups/ai-backup.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  public posts(): string[][] {
    return this.api.calls().filter(([method]) => method === 'POST');
  }

  public env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: this.shell === PREPARE_JAIL ? jail!.dir : `${this.bin}:${process.env.PATH}`,
      ...this.api.env(),
      VELERO_NAMESPACE: 'velero',
      BACKUP_NAME: 'ai-backup',
      BACKUP_STORAGE_LOCATION: 'default',
      WORKLOAD_NAMESPACE: 'ai-inference',
      BACKUP_POLL_SECONDS: '0.2',
      ...extra,
    };
  }

  public args(): string[] {
    return [path.join(this.files, 'backup-when-ready.sh'), path.join(this.files, 'backup.json')];
  }

  /** The shell to start the script with. */
  public get sh(): string {
    return this.shell === PREPARE_JAIL ? jail!.shell : this.shell;
  }

  public run(extra: Record<string, string> = {}) {
    return spawnSync(this.sh, this.args(), { encoding: 'utf8', env: this.env(extra) });
  }
}

describe.each(SHELLS)('backup-when-ready.sh under %s', (shell) => {
  let rig: GateRig;
  beforeEach(async () => {
    rig = await new GateRig(shell).start();
  });
  afterEach(async () => {
    await rig.api.stop();
  });

  test('creates the Backup at once when the location is Available and the workloads are ready', () => {
    rig.location('Available');
    rig.workloads(1);
    const result = rig.run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('namespace ai-inference ready: deployment/llama 1/1 ready');
    expect(result.stdout).toContain('backup velero/ai-backup created');
    expect(rig.created()).toEqual(JSON.parse(fs.readFileSync(rig.args()[1], 'utf8')));
    expect(rig.posts()).toEqual([['POST', `${VELERO_API}/backups`]]);
  });

  test('waits for the location to become Available, then for the workloads, then creates the Backup', async () => {
    rig.location();
    rig.workloads(0);
    const child = spawn(rig.sh, rig.args(), { env: rig.env({ BACKUP_WAIT_TIMEOUT_SECONDS: '60' }) });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(condition()).toBe(true);
    };
    await until(() => stdout.includes('to be Available (phase: unset)'));
    expect(rig.posts()).toEqual([]);
    rig.location('Available');
    await until(() => stdout.includes('waiting up to 60s for the workloads of namespace ai-inference (waiting: deployment/llama 0/1 ready)'));
    expect(rig.posts()).toEqual([]);
    rig.workloads(1);
    expect(await exited).toBe(0);
    expect(rig.created().metadata.name).toBe('ai-backup');
  });

  test('a workload whose rollout is not observed yet, or a StatefulSet short of replicas, is not ready', () => {
    rig.location('Available');
    rig.workloads(1, [{ metadata: { name: 'db', generation: 3 }, spec: { replicas: 2 }, status: { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 2 } }]);
    const result = rig.run({ BACKUP_WAIT_TIMEOUT_SECONDS: '0' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the workloads of namespace ai-inference are not ready after 0s (waiting: statefulset/db 2/2 ready, rollout not observed yet)');
    expect(rig.posts()).toEqual([]);
  });

  test('gives up, bounded, naming the phase, when the location never becomes Available', () => {
    rig.location('Unavailable');
    rig.workloads(1);
    const started = Date.now();
    const result = rig.run({ BACKUP_WAIT_TIMEOUT_SECONDS: '1' });
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.stderr).toContain("backup storage location velero/default is not Available after 1s (phase: Unavailable); check 'velero backup-location get'");
    expect(rig.posts()).toEqual([]);
  });

  test('an existing Backup (a re-run, or a GitOps re-sync) is left alone without waiting', () => {
    rig.location();
    rig.put(`${VELERO_API}/backups/ai-backup`, { metadata: { name: 'ai-backup' }, status: { phase: 'Completed' } });
    const result = rig.run({ BACKUP_WAIT_TIMEOUT_SECONDS: '0' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('backup velero/ai-backup exists, leaving it alone');
    expect(rig.posts()).toEqual([]);
  });

  test('an API error is never taken for an absent Backup', () => {
    const result = rig.run({ KUBE_TOKEN_FILE: '/nonexistent' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot check whether backup velero/ai-backup exists: kube-api: cannot read the ServiceAccount token /nonexistent');
    expect(rig.posts()).toEqual([]);
  });
});

testWithTools({ shellcheck: 'shellcheck' })('backup-when-ready.sh passes shellcheck', () => {
  const script = path.resolve(__dirname, '..', '..', 'src', 'backup', 'scripts', 'backup-when-ready.sh');
  for (const dialect of ['sh', 'bash']) {
    const result = spawnSync(hostTool('shellcheck')!, ['-s', dialect, script], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }
});

/**
 * The CRD bootstrap: the Job, its RBAC, and scripts/install-crds.sh run for real against
 * stand-ins for velero and kubectl (fixtures/fake-velero.js, fixtures/fake-kubectl.js).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, find } from './helpers';
import { VELERO_CRD_NAMES } from '../../src/backup/context';
import { ImageCatalog } from '../../src/core/images';
import { VELERO_CRD_DIR, expectValidManifests } from '../validation';

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'backup', 'scripts', 'install-crds.sh');
const FIXTURES = path.join(__dirname, 'fixtures');

function which(tool: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
const SHELLS = ['sh', ...(which('bash') ? ['bash'] : [])];

describe('CRD bootstrap objects', () => {
  const { install, velero } = build();
  const objects = install();
  const job = find(objects, 'Job', /^velero-crd-install-[0-9a-f]{8}$/);
  const pod = job.spec.template.spec;

  test('valid manifests; the Job name is exposed with its depends-on reference', () => {
    expectValidManifests(objects);
    expect(velero.crdInstallJobName).toBe(job.metadata.name);
    expect(velero.crdInstallJobRef).toBe(`batch/namespaces/velero/Job/${job.metadata.name}`);
  });

  test('init containers copy the velero binary out of the shell-less velero image with cp-plugin', () => {
    expect(pod.initContainers.map((c: any) => [c.name, c.image, c.command])).toEqual([
      ['copy-cp', 'docker.io/velero/velero-plugin-for-aws:v1.14.2', ['/bin/cp-plugin', '/bin/cp-plugin', '/tools/cp-plugin']],
      ['copy-velero', 'docker.io/velero/velero:v1.18.1', ['/tools/cp-plugin', '/velero', '/tools/velero']],
    ]);
    for (const c of pod.initContainers) expect(c.volumeMounts).toEqual([{ name: 'tools', mountPath: '/tools' }]);
    expect(pod.volumes).toContainEqual({ name: 'tools', emptyDir: { sizeLimit: '512Mi' } });
  });

  test('the kubectl image runs the real script from the ConfigMap with the velero binary and the CRD list', () => {
    const [main] = pod.containers;
    expect(main.image).toBe('registry.k8s.io/kubectl:v1.35.3');
    expect(main.command).toEqual(['/bin/sh', '/opt/velero-crd-install/install-crds.sh']);
    const env = Object.fromEntries(main.env.map((e: any) => [e.name, e.value]));
    expect(env.VELERO_BIN).toBe('/tools/velero');
    expect(env.VELERO_CRD_NAMES.split(' ')).toEqual(VELERO_CRD_NAMES);
    expect(main.volumeMounts).toContainEqual({ name: 'tools', mountPath: '/tools', readOnly: true });
    const cm = find(objects, 'ConfigMap', 'velero-crd-install');
    expect(cm.data['install-crds.sh']).toBe(fs.readFileSync(SCRIPT, 'utf8'));
    expect(pod.volumes).toContainEqual({ name: 'script', configMap: { name: 'velero-crd-install', defaultMode: 0o555 } });
  });

  test('every container is restricted: non-root 65532, read-only root, no capabilities', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits.memory).toBeDefined();
    }
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('velero-crd-install');
  });

  test('least-privilege RBAC: create CRDs, get/patch/update only the 13 Velero CRDs', () => {
    const role = find(objects, 'ClusterRole', 'velero-crd-install');
    expect(role.rules).toEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: VELERO_CRD_NAMES, verbs: ['get', 'patch', 'update'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'velero-crd-install')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'velero-crd-install' },
      subjects: [{ kind: 'ServiceAccount', name: 'velero-crd-install', namespace: 'velero' }],
    });
    // Egress to the API server only.
    const policy = find(objects, 'NetworkPolicy', 'velero-crd-install');
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] }]);
  });

  test('all CRD-bootstrap objects are in Argo CD wave -1, before the install (0) and the custom resources', () => {
    for (const [kind, name] of [['ServiceAccount', 'velero-crd-install'], ['ClusterRole', 'velero-crd-install'], ['ClusterRoleBinding', 'velero-crd-install'], ['ConfigMap', 'velero-crd-install'], ['NetworkPolicy', 'velero-crd-install']]) {
      expect(find(objects, kind, name).metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  test('the Job precedes the server in the file (the server exits while CRDs are missing)', () => {
    const index = (kind: string, name: string | RegExp) => objects.indexOf(find(objects, kind, name));
    expect(index('Job', /^velero-crd-install-/)).toBeLessThan(index('Deployment', 'velero'));
    expect(index('ConfigMap', 'velero-crd-install')).toBeLessThan(index('Job', /^velero-crd-install-/));
  });

  test('the Job name is deterministic and changes with the velero image (a new version upgrades the CRDs)', () => {
    const again = build().velero.crdInstallJobName;
    expect(again).toBe(velero.crdInstallJobName);
    const upgraded = build({ images: new ImageCatalog({ overrides: { velero: 'docker.io/velero/velero:v1.18.2' } }) }).velero.crdInstallJobName;
    expect(upgraded).not.toBe(velero.crdInstallJobName);
    expect(upgraded).toMatch(/^velero-crd-install-[0-9a-f]{8}$/);
  });

  (VELERO_CRD_DIR ? test : test.skip)('the CRD list matches the 13 schema files of Velero 1.18.1 in ../shared', () => {
    const files = fs.readdirSync(VELERO_CRD_DIR!).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect([...VELERO_CRD_NAMES].sort()).toEqual(files.sort());
  });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[][];
}

/** A directory with the stand-in binaries and their state. */
class FakeCluster {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'velero-crds-'));
  public readonly bin = path.join(this.dir, 'bin');

  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(path.join(this.dir, 'work'));
    this.wrapper(path.join(this.bin, 'kubectl'), 'fake-kubectl.js');
    // Not on PATH: the script calls the copied binary by its path.
    this.wrapper(path.join(this.dir, 'velero'), 'fake-velero.js');
  }

  public set(file: string, content: string): void {
    fs.writeFileSync(path.join(this.dir, file), content);
  }

  public crds(): Record<string, any> {
    const dir = path.join(this.dir, 'crds');
    if (!fs.existsSync(dir)) return {};
    return Object.fromEntries(fs.readdirSync(dir).map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
  }

  public run(shell: string, env: Record<string, string> = {}): Run {
    fs.rmSync(path.join(this.dir, 'calls.log'), { force: true });
    const result = spawnSync(shell, [SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        FAKE_CLUSTER_DIR: this.dir,
        VELERO_BIN: path.join(this.dir, 'velero'),
        VELERO_CRD_NAMES: VELERO_CRD_NAMES.join(' '),
        CRD_WORK_DIR: path.join(this.dir, 'work'),
        CRD_POLL_SECONDS: '0',
        ...env,
      },
    });
    const log = path.join(this.dir, 'calls.log');
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }

  private wrapper(file: string, fixture: string): void {
    fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${path.join(FIXTURES, fixture)}" "$@"\n`);
    fs.chmodSync(file, 0o755);
  }
}

describe.each(SHELLS)('install-crds.sh under %s', (shell) => {
  test('renders with velero, applies server-side once, waits for every CRD to be Established', () => {
    const cluster = new FakeCluster();
    cluster.set('established-after', '2');
    const result = cluster.run(shell);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.calls[0]).toEqual(['velero', 'install', '--crds-only', '--dry-run', '-o', 'yaml']);
    const applies = result.calls.filter((c) => c[1] === 'apply');
    expect(applies).toHaveLength(1);
    expect(applies[0].slice(0, 5)).toEqual(['kubectl', 'apply', '--server-side', '--force-conflicts', '--field-manager=velero-crd-install']);
    const crds = cluster.crds();
    expect(Object.keys(crds).sort()).toEqual([...VELERO_CRD_NAMES].sort());
    for (const crd of Object.values(crds)) {
      expect(crd).toMatchObject({ managedBy: 'velero-crd-install', generation: 1, labels: { component: 'velero' } });
      // Polled until Established (second check).
      expect(crd.checks).toBe(2);
    }
    expect(result.stdout).toContain('done: 13 CRDs applied and Established');
    expect(fs.readdirSync(path.join(cluster.dir, 'work'))).toEqual([]);
  });

  test('a re-run is safe: same calls, nothing changes (generations stay 1)', () => {
    const cluster = new FakeCluster();
    const first = cluster.run(shell);
    expect(first.status).toBe(0);
    const second = cluster.run(shell);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(second.calls.map((c) => c.slice(0, 2))).toEqual(first.calls.map((c) => c.slice(0, 2)));
    for (const crd of Object.values(cluster.crds())) expect(crd.generation).toBe(1);
  });

  test('a failing apply fails the Job', () => {
    const cluster = new FakeCluster();
    cluster.set('apply-fail', '');
    const result = cluster.run(shell);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Unable to connect to the server');
    expect(result.stderr).toContain('applying the CRDs failed');
    expect(result.calls.filter((c) => c[1] === 'get')).toEqual([]);
  });

  test('a failing velero fails the Job before anything is applied', () => {
    const cluster = new FakeCluster();
    cluster.set('velero-fail', '');
    const result = cluster.run(shell);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unable to render CRDs');
    expect(result.stderr).toContain('velero install --crds-only --dry-run failed');
    expect(result.calls.filter((c) => c[0] === 'kubectl')).toEqual([]);
  });

  test('a CRD outside the RBAC list fails clearly (a new Velero version needs a library update)', () => {
    const cluster = new FakeCluster();
    cluster.set('velero-crds', `${VELERO_CRD_NAMES.join('\n')}\nnewthings.velero.io\n`);
    cluster.set('rbac-names', VELERO_CRD_NAMES.join('\n'));
    const result = cluster.run(shell);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('"newthings.velero.io" is forbidden');
    expect(result.stderr).toContain('does not name: update the library');
  });

  test('the script refuses CRDs missing from VELERO_CRD_NAMES even if RBAC allowed them', () => {
    const cluster = new FakeCluster();
    cluster.set('velero-crds', 'backups.velero.io\nnewthings.velero.io\n');
    const result = cluster.run(shell);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('velero emitted CRD newthings.velero.io, which is not in VELERO_CRD_NAMES');
    expect(result.calls.filter((c) => c[1] === 'get')).toEqual([]);
  });

  test('a CRD velero no longer emits is left alone, with a warning', () => {
    const cluster = new FakeCluster();
    cluster.set('velero-crds', VELERO_CRD_NAMES.filter((n) => n !== 'restores.velero.io').join('\n'));
    const result = cluster.run(shell);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('WARNING: velero did not emit CRD restores.velero.io (left as it is)');
    expect(result.stdout).toContain('done: 12 CRDs applied and Established');
  });

  test('a CRD that never becomes Established fails after the timeout', () => {
    const cluster = new FakeCluster();
    cluster.set('established-after', '1000000');
    const result = cluster.run(shell, { CRD_ESTABLISHED_TIMEOUT_SECONDS: '1', CRD_POLL_SECONDS: '0.2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CRD [a-z]+\.velero\.io not Established after 1s/);
  });

  test('missing inputs fail fast', () => {
    const cluster = new FakeCluster();
    expect(cluster.run(shell, { VELERO_BIN: path.join(cluster.dir, 'nope') }).stderr).toContain('not found or not executable');
    expect(cluster.run(shell, { VELERO_CRD_NAMES: '' }).stderr).toContain('VELERO_CRD_NAMES is empty');
    expect(cluster.run(shell, { CRD_ESTABLISHED_TIMEOUT_SECONDS: '-1' }).stderr).toContain('whole number of seconds');
  });
});

const SHELLCHECK = which('shellcheck');
(SHELLCHECK ? test : test.skip)(`install-crds.sh passes shellcheck${SHELLCHECK ? '' : ' (skipped: shellcheck not installed)'}`, () => {
  for (const dialect of ['sh', 'bash']) {
    const result = spawnSync(SHELLCHECK!, ['-s', dialect, SCRIPT], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }
});

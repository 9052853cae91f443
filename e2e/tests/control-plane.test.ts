/**
 * Scenario "control plane" of the end-to-end tier: what `npm run synth` writes, applied to a real
 * kube-apiserver v1.35.4 (etcd 3.6.6) exactly as the README's apply-order block says, with the real
 * kubectl. Admission, RBAC, server-side apply and the Velero CRDs are the real ones; Velero's CRD Job
 * runs its command with the real velero v1.18.1 as the Job's ServiceAccount.
 *
 * Stand-in (no scheduler, kubelet or Job controller here): the test runs the CRD Job's command as a
 * local process and then marks the Job complete in its status, as the Job controller would.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildExamplePlatform } from '../../examples/platform';
import { codeBlocks } from '../../test/docs/snippets';
import { FakeHarbor } from '../../test/harbor/fixtures/fake-harbor';
import { ControlPlane } from '../control-plane';
import { removeTempDirs, runProgram, stopAll, tempDir, tool, waitUntil } from '../harness';
import { JobScript } from '../job-script';
import { crdJobSelector, markJobComplete, markWorkloadsReady, podsOfTemplates, secretGrants, warningsOf } from '../kube-objects';
import { plainEnv } from '../platform';
import { checkGeneratedValue, secretBootstrapJobs, secretData } from '../secret-bootstrap';
import { SeaweedFS, s3Client, startSeaweedFS } from '../storage';
import { Difference, covers, differences, listedDifferences, veleroInstallObjects } from '../velero-fidelity';
import { VeleroServer } from '../velero-server';

jest.setTimeout(1_200_000);

let plane: ControlPlane;
const workDir = tempDir('apply');
const app = new App({ outdir: path.join(workDir, 'dist') });
buildExamplePlatform(app);
app.synth();
const objects: any[] = app.charts.flatMap((c) => c.toJson());
const files = fs.readdirSync(path.join(workDir, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).sort();

beforeAll(async () => {
  plane = await ControlPlane.start();
  process.stdout.write(`[e2e control-plane] kube-apiserver v1.35.4 ready in ${plane.startMs} ms at ${plane.url}\n`);
});

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

/** `kubectl get` of every object of the synthesized files, as the API server holds them. */
async function appliedObjects(): Promise<any[]> {
  const found: any[] = [];
  for (const file of files) found.push(...(await plane.getJson(['-f', path.join(workDir, 'dist', file)])).items);
  return found;
}

const identity = (o: any) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

describe('the synthesized platform on a real kube-apiserver v1.35.4', () => {
  let crdJob: any;

  test('the README apply-order block applies every file with kubectl apply --server-side: 0 rejected, 0 warnings', async () => {
    const block = codeBlocks('README.md').find((b) => b.marker?.kind === 'applies' && b.marker.name === 'platform');
    if (!block) throw new Error('README.md has no `<!-- applies: platform -->` block');
    const bin = tempDir('kubectl-bin');
    fs.symlinkSync(tool('kubectl'), path.join(bin, 'kubectl'));
    // The block as a user pastes it, under `bash -e` so the first failing command fails the test.
    const applying = runProgram('bash', ['-e', '-c', block.code], {
      cwd: workDir,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: workDir, KUBECONFIG: plane.adminKubeconfig },
      timeoutMs: 900_000,
    });

    // The block waits for Velero's CRD Job: run its command as its ServiceAccount, then complete it.
    let settled = false;
    void applying.then(() => (settled = true));
    await waitUntil('the Velero CRD Job to be applied', async () => {
      if (settled) throw new Error(`the apply block ended before the CRD Job was waited for:\n${(await applying).stderr}`);
      crdJob = (await plane.getJson(['job', '-n', 'velero', '-l', crdJobSelector])).items[0];
      return crdJob !== undefined;
    }, 300_000, 500);
    const crds = await runCrdJob(crdJob);
    expect(crds.status).toBe(0);
    await markJobComplete(plane, crdJob);

    const run = await applying;
    if (run.status !== 0) throw new Error(`the apply block failed (${run.status}):\n${run.stderr}\n${run.stdout}`);
    expect(warningsOf(run.stderr)).toEqual([]);
    const applied = await appliedObjects();
    expect(applied.map(identity).sort()).toEqual(objects.map(identity).sort());
    process.stdout.write(`[e2e control-plane] applied ${files.length} files, ${applied.length} objects, 0 rejected, 0 warnings in ${run.ms} ms\n`);
  });

  test('the CRD Job installs 13 Velero CRDs, all Established, as its ServiceAccount; a re-run changes nothing', async () => {
    const velero = () => plane.getJson(['crd', '-l', 'component=velero']);
    const crds = (await velero()).items;
    expect(crds.length).toBe(13);
    for (const crd of crds) {
      expect(crd.status.conditions.find((c: any) => c.type === 'Established')?.status).toBe('True');
    }
    const again = await runCrdJob(crdJob);
    expect(again.status).toBe(0);
    const versions = (list: any[]) => Object.fromEntries(list.map((c) => [c.metadata.name, c.metadata.resourceVersion]));
    expect(versions((await velero()).items)).toEqual(versions(crds));
    process.stdout.write(`[e2e control-plane] ${crds.length} Velero CRDs established; re-run: 0 changed\n`);
  });

  test('every pod template is admitted as a Pod (server-side dry run): no PodSecurity violation or warning', async () => {
    const namespaces = [...new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name))];
    await plane.defaultServiceAccounts(namespaces); // the pods that name none run as `default`
    // The Pod Security level a namespace enforces, or warns about (a warning fails the test too).
    const level = (labels: Record<string, string> = {}) => {
      const [enforce, warn] = ['enforce', 'warn'].map((mode) => labels[`pod-security.kubernetes.io/${mode}`]);
      return enforce ? `enforce ${enforce}` : warn ? `warn ${warn}` : 'no level';
    };
    const levels = Object.fromEntries(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, level(o.metadata.labels)]));
    const results: string[] = [];
    const failures: string[] = [];
    for (const pod of podsOfTemplates(objects)) {
      const run = await plane.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], { input: JSON.stringify(pod) });
      const warnings = warningsOf(run.stderr);
      if (run.status !== 0 || warnings.length > 0) failures.push(`${pod.metadata.namespace}/${pod.metadata.name}: ${run.stderr.trim()}`);
      results.push(`${pod.metadata.namespace}/${pod.metadata.name} (${levels[pod.metadata.namespace]})`);
    }
    expect(failures).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(15);
    process.stdout.write(`[e2e control-plane] ${results.length} pod templates admitted, 0 PodSecurity violations:\n  ${results.join('\n  ')}\n`);
  });
});

describe('the secret bootstrap Jobs as their ServiceAccounts', () => {
  const bootstrapSelector = 'app.kubernetes.io/managed-by=cnai-model-platform-secret-bootstrap';
  const jobs = () => secretBootstrapJobs(plane, objects);
  const managedSecrets = async () => (await plane.getJson(['secrets', '-A', '-l', bootstrapSelector])).items as any[];

  test('each Job creates the Secrets its spec declares, every value as its generator makes it; a second run changes nothing', async () => {
    expect(jobs().map((j) => j.script.namespace)).toEqual(['seaweedfs', 'velero', 'harbor']);
    for (const job of jobs()) {
      const run = await job.run();
      if (run.status !== 0) throw new Error(`${job.script.job.metadata.name} failed (${run.status}):\n${run.output}`);
    }
    const secrets = await managedSecrets();
    const byId = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
    const problems: string[] = [];
    let checked = 0;
    for (const job of jobs()) {
      for (const declared of job.declared) {
        const original = byId.get(`${job.script.namespace}/${declared.name}`);
        if (!original) {
          problems.push(`${job.script.namespace}/${declared.name}: absent`);
          continue;
        }
        expect(original.type).toBe(declared.type);
        const data = secretData(original);
        expect(Object.keys(data).sort()).toEqual(declared.keys.map((k) => k.key).sort());
        for (const key of declared.keys) {
          const source = key.generator === 'awscreds' ? secretData(byId.get(`${job.script.namespace}/${key.args[0]}`)) : undefined;
          const problem = checkGeneratedValue(key, data, source);
          if (problem) problems.push(`${job.script.namespace}/${declared.name} key ${key.key} (${key.generator}): ${problem}`);
          checked++;
        }
        for (const ns of declared.copies) {
          expect(byId.get(`${ns}/${declared.name}`)?.data).toEqual(original.data);
        }
      }
    }
    expect(problems).toEqual([]);
    const versions = (list: any[]) => Object.fromEntries(list.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.metadata.resourceVersion]));
    for (const job of jobs()) expect((await job.run()).status).toBe(0);
    expect(versions(await managedSecrets())).toEqual(versions(secrets));
    process.stdout.write(`[e2e control-plane] ${jobs().length} secret bootstrap Jobs: ${secrets.length} Secrets, ${checked} values checked; re-run: 0 changed\n`);
  });

  test('each bootstrap ServiceAccount reads exactly the Secrets its Roles name and cannot list, change or write elsewhere', async () => {
    const secrets = await managedSecrets();
    const namespaces = [...objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name as string), 'default', 'kube-system'];
    let allowed = 0;
    let denied = 0;
    for (const job of jobs()) {
      const grants = secretGrants(objects, job.script.namespace, job.script.serviceAccount);
      const { kubeconfig } = await plane.serviceAccount(job.script.namespace, job.script.serviceAccount);
      const as = { kubeconfig };
      for (const secret of secrets) {
        const { namespace, name } = secret.metadata;
        const read = await plane.kubectl(['get', 'secret', name, '-n', namespace, '-o', 'name'], as);
        const expected = grants.get.get(namespace)?.has(name) ?? false;
        if (expected) expect({ secret: `${namespace}/${name}`, status: read.status }).toEqual({ secret: `${namespace}/${name}`, status: 0 });
        else expect(read.stderr).toContain('Forbidden');
        if (expected) allowed++;
        else denied++;
      }
      for (const ns of namespaces) {
        const canI = async (verb: string, resource: string) => (await plane.kubectl(['auth', 'can-i', verb, resource, '-n', ns], as)).stdout.trim();
        for (const verb of ['list', 'watch', 'update', 'patch', 'delete']) {
          expect(`${verb} secrets in ${ns}: ${await canI(verb, 'secrets')}`).toBe(`${verb} secrets in ${ns}: no`);
          denied++;
        }
        expect(`create secrets in ${ns}: ${await canI('create', 'secrets')}`).toBe(`create secrets in ${ns}: ${grants.create.has(ns) ? 'yes' : 'no'}`);
        expect(`create configmaps in ${ns}: ${await canI('create', 'configmaps')}`).toBe(`create configmaps in ${ns}: no`);
        denied += grants.create.has(ns) ? 1 : 2;
        allowed += grants.create.has(ns) ? 1 : 0;
      }
    }
    process.stdout.write(`[e2e control-plane] RBAC of ${jobs().length} bootstrap ServiceAccounts: ${allowed} allowed as granted, ${denied} denied\n`);
  });
});

test('the HarborSetup Job as its ServiceAccount (Harbor\'s API: the unit tests\' stand-in) writes the pull and push Secrets across namespaces; a re-run changes nothing', async () => {
  const job = new JobScript(objects, objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('harbor-setup-')));
  // The kubelet's part: the admin password Secret volume, from the Secret the bootstrap created.
  const harborSecrets: any[] = (await plane.getJson(['secrets', '-n', 'harbor'])).items;
  const adminPassword = secretData(harborSecrets.find((x) => x.metadata.name === 'harbor-admin')).HARBOR_ADMIN_PASSWORD;
  const adminPasswordFile = path.join(tempDir('harbor-admin'), 'password');
  fs.writeFileSync(adminPasswordFile, adminPassword, { mode: 0o400 });
  const registryHost = plainEnv(job.container).HARBOR_REGISTRY_HOST;
  const harbor = new FakeHarbor(adminPassword);
  await harbor.start();
  try {
    const remapped = {
      HARBOR_URL: harbor.url, // the core Service's cluster address, remapped
      HARBOR_ADMIN_PASSWORD_FILE: adminPasswordFile,
      HARBOR_SETUP_WORK_DIR: tempDir('harbor-setup-work'),
      TMPDIR: tempDir('harbor-setup-tmp'),
      HARBOR_SETUP_POLL_SECONDS: '1',
    };
    const run = await job.run(plane, remapped);
    if (run.status !== 0) throw new Error(`harbor-setup.sh failed (${run.status}):\n${run.stdout}${run.stderr}`);
    expect(harbor.violations).toEqual([]);

    const pullSecrets = (await plane.getJson(['secrets', '-A', '--field-selector=type=kubernetes.io/dockerconfigjson'])).items as any[];
    const declared = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'harbor-setup' && o.metadata.namespace !== 'harbor')
      .map((role) => `${role.metadata.namespace}/${role.rules[0].resourceNames[0]}`);
    expect(pullSecrets.map((x) => `${x.metadata.namespace}/${x.metadata.name}`).sort()).toEqual(declared.sort());
    for (const secret of pullSecrets) {
      const auths = JSON.parse(secretData(secret)['.dockerconfigjson']).auths;
      expect(Object.keys(auths)).toEqual([registryHost]);
      const [user, password] = Buffer.from(auths[registryHost].auth, 'base64').toString('utf8').split(/:(.*)/s);
      // A robot Harbor knows, with the password the secret bootstrap generated (pinned in Harbor).
      const robot = harbor.robots.find((r) => r.name === user);
      expect({ user, password: robot?.secret }).toEqual({ user, password });
      const robotSecrets = harborSecrets.filter((x) => x.metadata.name.startsWith('harbor-robot-')).map((x) => secretData(x).password);
      expect(robotSecrets).toContain(password);
    }
    const versions = (list: any[]) => list.map((x) => `${x.metadata.namespace}/${x.metadata.name}@${x.metadata.resourceVersion}`).sort();
    const writes = harbor.writes().length;
    const again = await job.run(plane, remapped);
    expect(again.status).toBe(0);
    expect(harbor.writes().length).toBe(writes);
    expect(versions((await plane.getJson(['secrets', '-A', '--field-selector=type=kubernetes.io/dockerconfigjson'])).items)).toEqual(versions(pullSecrets));
    // Its Role in harbor names the robot password Secrets only.
    const { kubeconfig } = await plane.serviceAccount(job.namespace, job.serviceAccount);
    for (const other of ['harbor-admin', 'harbor-core', 'harbor-database']) {
      expect((await plane.kubectl(['get', 'secret', other, '-n', 'harbor'], { kubeconfig })).stderr).toContain('Forbidden');
    }
    process.stdout.write(`[e2e control-plane] HarborSetup Job: ${pullSecrets.length} pull/push Secrets (${declared.join(', ')}), `
      + `${writes} Harbor API writes; re-run: 0 writes, 0 Secrets changed; 3 other Harbor Secrets denied\n`);
  } finally {
    await harbor.stop();
  }
});

test('VeleroKopiaBackup beside `velero install --dry-run`: every difference is listed in docs/velero-install-fidelity.md', async () => {
  const table = listedDifferences(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'velero-install-fidelity.md'), 'utf8'));
  expect(table.length).toBeGreaterThan(10);
  // Ours: Velero's objects and what the platform writes in Velero's namespace or for Velero.
  const ours = objects.filter((o) => o.metadata.namespace === 'velero' || /velero/.test(o.metadata.name));
  const found = differences(await veleroInstallObjects(plane.adminKubeconfig), ours);
  const show = (d: Difference) => `${d.object} | ${d.field} | velero install: ${d.velero ?? 'not set'} | ours: ${d.ours ?? 'not set'}`;
  expect(found.filter((d) => !table.some((row) => covers(row, d))).map(show)).toEqual([]);
  expect(table.filter((row) => !found.some((d) => covers(row, d)))).toEqual([]);
  const objectsOnlyOneSide = found.filter((d) => d.field === '-').length;
  process.stdout.write(`[e2e control-plane] velero install --dry-run beside VeleroKopiaBackup: ${found.length - objectsOnlyOneSide} field `
    + `differences, ${objectsOnlyOneSide} objects on one side only, all covered by the ${table.length} rows of docs/velero-install-fidelity.md\n`);
});

describe('Velero v1.18.1 with the synthesized Deployment: backup and restore of the inference namespace', () => {
  const inference = 'ai-inference';
  let stack: SeaweedFS;
  let velero: VeleroServer;
  let before: string[] = [];
  const backup = 'e2e-ai-inference';

  test('the server starts with the synthesized args and env; the BackupStorageLocation on SeaweedFS becomes Available', async () => {
    // The storage, with the keys the secret bootstrap created (SeaweedFS 4.53 standing in for 3.73).
    const secrets: any[] = (await plane.getJson(['secrets', '-n', 'seaweedfs'])).items;
    stack = await startSeaweedFS(objects, (name) => secretData(secrets.find((secret) => secret.metadata.name === name)));
    velero = await VeleroServer.start(plane, objects, stack.s3Endpoint);
    process.stdout.write(`[e2e control-plane] velero server: BackupStorageLocation Available in ${velero.availableMs} ms\n`);
  });

  test('the OneOffBackup Job, as its ServiceAccount, waits for the namespace\'s workloads, then creates its Backup, which Velero completes; a re-run creates none', async () => {
    const job = new JobScript(objects, objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('velero-backup-')));
    const { BACKUP_NAME: name, WORKLOAD_NAMESPACE: workloads } = plainEnv(job.container);
    const runJob = () => job.run(plane, { BACKUP_POLL_SECONDS: '1' });

    const first = runJob();
    let finished = false;
    void first.then(() => (finished = true));
    // No kubelet: the inference Deployment never becomes ready on its own, and the Job waits.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(finished).toBe(false);
    expect((await plane.kubectl(['get', 'backup', name, '-n', 'velero'])).stderr).toContain('NotFound');
    const marked = await markWorkloadsReady(plane, workloads);
    const run = await first;
    if (run.status !== 0) throw new Error(`backup-when-ready.sh failed (${run.status}):\n${run.stdout}${run.stderr}`);
    await waitUntil(`Backup ${name} to complete`, async () => {
      const status = (await plane.getJson(['backup', name, '-n', 'velero'])).status;
      const phase = status?.phase;
      if (['Failed', 'PartiallyFailed', 'FailedValidation'].includes(phase)) {
        throw new Error(`Backup ${name} is ${phase}: ${JSON.stringify(status)}\n${velero.process.tail(6000)}`);
      }
      return phase === 'Completed';
    }, 120_000, 500);
    const again = await runJob();
    expect(again.status).toBe(0);
    expect((await plane.getJson(['backups', '-n', 'velero'])).items.map((b: any) => b.metadata.name)).toEqual([name]);
    process.stdout.write(`[e2e control-plane] OneOffBackup Job: waited for ${marked.join(', ')}, created Backup ${name} (Completed); re-run: ${again.stdout.trim().split('\n').pop()}\n`);
  });

  test('a Backup from the Schedule\'s template completes; every object it wrote to the bucket is valid gzip, one over 5 MiB (multipart upload)', async () => {
    // Enough incompressible data for a backup tarball over 5 MiB, which the AWS plugin uploads in parts.
    for (let i = 0; i < 8; i++) {
      await plane.kubectlOk(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `e2e-ballast-${i}`, namespace: inference },
          binaryData: { ballast: randomBytes(900 * 1024).toString('base64') },
        }),
      });
    }
    before = await namespaceObjects(inference);
    const schedule = objects.find((o) => o.kind === 'Schedule' && o.spec.template.includedNamespaces?.includes(inference));
    const t0 = Date.now();
    await velero.cli(['backup', 'create', backup, `--from-schedule=${schedule.metadata.name}`, '--wait']);
    const done = await plane.getJson(['backup', backup, '-n', 'velero']);
    expect(done.status.phase).toBe('Completed');
    expect(done.spec.includedNamespaces).toEqual([inference]);
    expect(done.status.progress.itemsBackedUp).toBe(done.status.progress.totalItems);

    const keys = stack.credentials['bucket-velero'];
    const [listed] = await s3Client(stack, keys, [{ op: 'list', bucket: 'velero', prefix: `backups/${backup}/` }]);
    const gz = listed.keys!.filter((k) => k.endsWith('.gz'));
    expect(gz).toContain(`backups/${backup}/${backup}.tar.gz`);
    const dir = tempDir('backup-objects');
    const results = await s3Client(stack, keys, gz.flatMap((key) => [
      { op: 'download', bucket: 'velero', key, file: path.join(dir, path.basename(key)) },
      { op: 'head', bucket: 'velero', key },
    ]));
    const heads = results.filter((r) => r.op === 'head');
    for (const key of gz) {
      const check = await runProgram('gunzip', ['-t', path.join(dir, path.basename(key))], { timeoutMs: 60_000 });
      expect(`${key}: ${check.status} ${check.stderr}`).toBe(`${key}: 0 `);
    }
    const tarball = heads.find((h) => h.key === `backups/${backup}/${backup}.tar.gz`)!;
    expect(tarball.size).toBeGreaterThan(5 * 1024 * 1024);
    expect(tarball.etag).toMatch(/-\d+"?$/); // an S3 multipart ETag: <md5 of the parts' md5s>-<parts>
    process.stdout.write(`[e2e control-plane] Backup ${backup}: ${done.status.progress.itemsBackedUp} items in ${Date.now() - t0} ms; `
      + `${gz.length} .gz objects pass gunzip -t; tarball ${tarball.size} bytes, ETag ${tarball.etag}\n`);
  });

  test('the namespace is deleted; a Restore brings every object back', async () => {
    await plane.kubectlOk(['delete', 'namespace', inference, '--timeout=120s'], { timeoutMs: 150_000 });
    expect((await plane.kubectl(['get', 'namespace', inference])).stderr).toContain('NotFound');
    const t0 = Date.now();
    await velero.cli(['restore', 'create', `${backup}-restore`, `--from-backup=${backup}`, '--wait']);
    const restore = await plane.getJson(['restore', `${backup}-restore`, '-n', 'velero']);
    expect(restore.status.phase).toBe('Completed');
    expect(restore.status.errors ?? 0).toBe(0);
    // Velero's own two warnings on this cluster, nothing else: the namespace's kube-root-ca.crt, which
    // the root CA publisher recreates before Velero restores it, and no VolumeGroupSnapshot CRDs
    // (no CSI snapshotter installed).
    const described = await velero.cli(['restore', 'describe', `${backup}-restore`]);
    const warnings = /^Warnings:\n([\s\S]*?)\n\n/m.exec(described)?.[1] ?? '';
    const lines = warnings.split('\n').filter((l) => !/^\s*(Velero|Cluster|Namespaces):\s*(<none>)?$/.test(l));
    expect(lines.map((l) => l.replace(/^\s*[a-z-]+:\s+/, '')).sort()).toEqual([
      'could not restore, ConfigMap:kube-root-ca.crt already exists. Warning: the in-cluster version is different than the backed-up version',
      'failed to list stub VolumeGroupSnapshotContents: no matches for kind "VolumeGroupSnapshotContent" in version "groupsnapshot.storage.k8s.io/v1beta2"',
    ]);
    const after = await namespaceObjects(inference);
    expect(after).toEqual(before);
    // What the platform synthesized is back as written (spot check: the inference Deployment's pod spec).
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === inference);
    const restored = await plane.getJson(['deployment', deployment.metadata.name, '-n', inference]);
    expect(restored.spec.template.spec.containers.map((c: any) => c.args)).toEqual(deployment.spec.template.spec.containers.map((c: any) => c.args));
    process.stdout.write(`[e2e control-plane] Restore: ${after.length} objects back of ${before.length} in ${Date.now() - t0} ms `
      + `(${restore.status.progress?.itemsRestored} items restored; Velero's warnings: ${lines.length}, both expected here)\n`);
  });
});

/** Every object of a namespace (the kinds the platform writes there, plus ConfigMaps), as `Kind name`. */
async function namespaceObjects(namespace: string): Promise<string[]> {
  const kinds = [...new Set(objects.filter((o) => o.metadata.namespace === namespace).map((o) => o.kind)), 'ConfigMap'];
  const list = await plane.getJson([kinds.join(','), '-n', namespace]);
  return list.items.map((o: any) => `${o.kind} ${o.metadata.name}`).sort();
}

/** Runs the CRD Job's container command with the real velero, authenticated as the Job's ServiceAccount. */
async function runCrdJob(job: any) {
  const container = job.spec.template.spec.containers[0];
  expect(container.command).toEqual(['/velero']);
  const { kubeconfig } = await plane.serviceAccount('velero', job.spec.template.spec.serviceAccountName);
  const home = tempDir('velero-home');
  const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
  const run = await runProgram(tool('velero'), container.args, {
    env: { ...env, HOME: home, KUBECONFIG: kubeconfig },
    timeoutMs: 300_000,
  });
  if (run.status !== 0) process.stderr.write(`velero ${container.args.join(' ')} failed:\n${run.stdout}\n${run.stderr}\n`);
  return run;
}

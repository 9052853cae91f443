/**
 * Velero custom resources: BackupStorageLocation, VolumeSnapshotLocation, Backup, Schedule,
 * Restore. Each is validated strictly against the v1.18.1 CRD schemas in ../shared/schemas/velero,
 * and emitted in a chart applied after the CRD bootstrap, with the ordering annotations.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { build, buildWithSeaweedFS, bucketIn, find, gatedBackups, withGatedBackups } from './helpers';
import { ExistingResourcePolicy } from '../../src/backup/restore';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { clusterScopedKinds, objectRef } from '../../src/pulumi/chart-objects';
import { describeWithVeleroCrds, expectValidManifests } from '../validation';

describeWithVeleroCrds('Velero custom resources (validated against the 1.18.1 CRDs)', (crdDir) => {
  const valid = (objects: any[]) => expectValidManifests(objects, { crdSchemaDirs: [crdDir] });

  test('BackupStorageLocation `default` on the SeaweedFS bucket: aws, path style, s3Url without path, no checksum', () => {
    const { resources } = build({ prefix: 'cluster-a' });
    const objects = resources();
    valid(objects);
    const bsl = find(objects, 'BackupStorageLocation', 'default');
    expect(bsl.metadata.namespace).toBe('velero');
    expect(bsl.spec).toEqual({
      provider: 'aws',
      objectStorage: { bucket: 'velero', prefix: 'cluster-a' },
      config: { region: 'us-east-1', s3ForcePathStyle: 'true', s3Url: 'http://seaweedfs-s3.seaweedfs.svc:8333', checksumAlgorithm: '' },
      default: true,
    });
  });

  test('checksum and public URL can be set; a VolumeSnapshotLocation only when snapshots are enabled', () => {
    const { resources } = build({ checksumAlgorithm: 'CRC32', publicUrl: 'https://s3.example.com', volumeSnapshots: true });
    const objects = resources();
    valid(objects);
    expect(find(objects, 'BackupStorageLocation', 'default').spec.config).toMatchObject({ checksumAlgorithm: 'CRC32', publicUrl: 'https://s3.example.com' });
    const vsl = find(objects, 'VolumeSnapshotLocation', 'default');
    expect(vsl.spec).toEqual({ provider: 'aws', config: { region: 'us-east-1' } });
    expect(vsl.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
  });

  test("the demo's Backup `ai-backup` of `ai-inference` (= velero backup create ai-backup --include-namespaces ai-inference), created by its Job", () => {
    const { velero, resources } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    const objects = withGatedBackups(resources());
    valid(objects);
    const backup = find(objects, 'Backup', 'ai-backup');
    expect(backup.metadata.namespace).toBe('velero');
    expect(backup.spec).toEqual({ includedNamespaces: ['ai-inference'] });
  });

  test('Backup with every typed option, and extraSpec merged into spec', () => {
    const { velero, resources } = build();
    velero.backupNamespace('ai-inference', {
      ttl: '72h0m0s',
      includeClusterResources: true,
      defaultVolumesToFsBackup: true,
      snapshotVolumes: false,
      storageLocation: 'default',
      labelSelector: { 'app.kubernetes.io/part-of': 'cnai-model-platform' },
      includedResources: ['deployments.apps', 'persistentvolumeclaims'],
      excludedResources: ['events'],
      itemOperationTimeout: '1h',
      parallelFilesUpload: 4,
      labels: { team: 'ml' },
      extraSpec: { hooks: { resources: [{ name: 'sync', pre: [{ exec: { container: 'llama', command: ['/bin/sync'], onError: 'Continue' } }] }] } },
    });
    const objects = withGatedBackups(resources());
    valid(objects);
    const backup = find(objects, 'Backup', 'ai-inference-backup');
    expect(backup.metadata.labels.team).toBe('ml');
    expect(backup.spec).toEqual({
      includedNamespaces: ['ai-inference'],
      includedResources: ['deployments.apps', 'persistentvolumeclaims'],
      excludedResources: ['events'],
      labelSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'cnai-model-platform' } },
      includeClusterResources: true,
      defaultVolumesToFsBackup: true,
      snapshotVolumes: false,
      storageLocation: 'default',
      ttl: '72h0m0s',
      itemOperationTimeout: '1h',
      uploaderConfig: { parallelFilesUpload: 4 },
      hooks: { resources: [{ name: 'sync', pre: [{ exec: { container: 'llama', command: ['/bin/sync'], onError: 'Continue' } }] }] },
    });
  });

  test('Schedule of ai-inference: cron, ttl and template; extraSpec reaches the template', () => {
    const { velero, resources } = build();
    velero.scheduleNamespace('ai-inference', {
      cron: '0 2 * * *',
      ttl: '720h',
      includeClusterResources: true,
      skipImmediately: true,
      useOwnerReferencesInBackup: false,
      extraSpec: { template: { csiSnapshotTimeout: '10m' } },
    });
    velero.scheduleNamespace('ai-inference', { cron: '@every 6h', name: 'ai-inference-6h', paused: true });
    const objects = resources();
    valid(objects);
    expect(find(objects, 'Schedule', 'ai-inference-schedule').spec).toEqual({
      schedule: '0 2 * * *',
      template: { includedNamespaces: ['ai-inference'], includeClusterResources: true, ttl: '720h', csiSnapshotTimeout: '10m' },
      skipImmediately: true,
      useOwnerReferencesInBackup: false,
    });
    // skipImmediately defaults to true: the immediate run would come before the location is Available.
    expect(find(objects, 'Schedule', 'ai-inference-6h').spec).toEqual({ schedule: '@every 6h', template: { includedNamespaces: ['ai-inference'] }, paused: true, skipImmediately: true });
    velero.scheduleNamespace('ai-inference', { cron: '@hourly', name: 'at-once', skipImmediately: false });
    expect(find(resources(), 'Schedule', 'at-once').spec.skipImmediately).toBe(false);
  });

  test('Restore from ai-backup: into a new namespace, or over a deleted one with update policy', () => {
    const { velero, resources } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    velero.restore({ backupName: 'ai-backup' });
    velero.restore({
      backupName: 'ai-backup',
      name: 'ai-backup-side-by-side',
      includedNamespaces: ['ai-inference'],
      namespaceMapping: { 'ai-inference': 'ai-inference-restored' },
      existingResourcePolicy: ExistingResourcePolicy.UPDATE,
      restorePersistentVolumes: true,
      preserveNodePorts: false,
      writeSparseFiles: true,
      parallelFilesDownload: 2,
      extraSpec: { restoreStatus: { includedResources: ['*'] } },
    });
    velero.scheduleNamespace('ai-inference', { cron: '@daily' });
    velero.restore({ scheduleName: 'ai-inference-schedule', name: 'latest' });
    const objects = resources();
    valid(objects);
    expect(find(objects, 'Restore', 'ai-backup-restore').spec).toEqual({ backupName: 'ai-backup' });
    expect(find(objects, 'Restore', 'ai-backup-side-by-side').spec).toEqual({
      backupName: 'ai-backup',
      includedNamespaces: ['ai-inference'],
      namespaceMapping: { 'ai-inference': 'ai-inference-restored' },
      existingResourcePolicy: 'update',
      restorePVs: true,
      preserveNodePorts: false,
      uploaderConfig: { writeSparseFiles: true, parallelFilesDownload: 2 },
      restoreStatus: { includedResources: ['*'] },
    });
    expect(find(objects, 'Restore', 'latest').spec).toEqual({ scheduleName: 'ai-inference-schedule' });
  });

  test('extraSpec is not checked by the construct, but the strict CRD validation catches a wrong field', () => {
    const { velero, resources } = build();
    velero.backupNamespace('ai-inference', { extraSpec: { includedNamespace: ['typo'] } });
    expect(() => valid(withGatedBackups(resources()))).toThrow(/Backup\/velero\/ai-inference-backup \/spec\/includedNamespace: unknown field/);
  });

  test('composed with SeaweedFSStorage, every object of every chart is valid', () => {
    const built = buildWithSeaweedFS();
    built.velero.scheduleNamespace('ai-inference', { cron: '0 2 * * *', ttl: '168h0m0s' });
    built.velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    built.velero.restore({ backupName: 'ai-backup', namespaceMapping: { 'ai-inference': 'ai-inference-restored' } });
    valid(withGatedBackups(built.app.charts.flatMap((c) => Testing.synth(c))));
    expect(built.app.charts.map((c) => c.node.id)).toEqual(['storage', 'backup', 'velero-resources']);
  });

  test('a restore of a backup made elsewhere (CLI) may map the namespaces it includes', () => {
    const { velero, resources } = build();
    velero.restore({ backupName: 'cli-backup', includedNamespaces: ['ai-inference'], namespaceMapping: { 'ai-inference': 'ai-copy' } });
    valid(resources());
  });
});

describe('apply order', () => {
  test('custom resources live in a second chart that depends on the install chart', () => {
    const { app, chart, velero, install } = build();
    expect(velero.resourcesChart.node.id).toBe('velero-resources');
    expect(velero.resourcesChart.node.scope).toBe(app);
    expect(velero.resourcesChart.node.dependencies).toContain(chart);
    expect(app.charts.indexOf(chart)).toBeLessThan(app.charts.indexOf(velero.resourcesChart));
    expect(install().filter((o) => o.apiVersion === 'velero.io/v1')).toEqual([]);
  });

  test('app.synth() names the files in apply order: 0000-<install>, 0001-<custom resources>', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'velero-synth-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'install');
    const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn() });
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    app.synth();
    const files = fs.readdirSync(outdir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^0000-install.*\.k8s\.yaml$/);
    expect(files[1]).toMatch(/^0001-velero-resources.*\.k8s\.yaml$/);
    const first = fs.readFileSync(path.join(outdir, files[0]), 'utf8');
    const second = fs.readFileSync(path.join(outdir, files[1]), 'utf8');
    expect(first).toContain('kind: Job');
    expect(first).not.toContain('apiVersion: velero.io/v1');
    expect(second).toContain('kind: BackupStorageLocation');
    expect(second).toContain('name: velero-backup-ai-backup');
    expect(second).not.toContain('kind: Backup\n');
  });

  test('a given resourcesChart is used and made to depend on the install chart', () => {
    const app = Testing.app();
    const resourcesChart = new Chart(app, 'zz-later');
    const chart = new Chart(app, 'install');
    const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn(), resourcesChart });
    expect(velero.resourcesChart).toBe(resourcesChart);
    expect(resourcesChart.node.dependencies).toContain(chart);
    expect(app.charts.indexOf(chart)).toBeLessThan(app.charts.indexOf(resourcesChart));
    expect(Testing.synth(resourcesChart).map((o) => o.kind)).toEqual(['BackupStorageLocation']);
  });

  test('Argo CD waves: CRD Job -1 < storage locations 1 < backups, schedules, restores 2; dry run skipped', () => {
    const { velero, install, resources } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    velero.scheduleNamespace('ai-inference', { cron: '@daily' });
    velero.restore({ backupName: 'ai-backup' });
    const wave = (o: any) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const job = find(install(), 'Job', /^velero-crd-install-/);
    const objects = resources();
    const bsl = find(objects, 'BackupStorageLocation', 'default');
    expect(wave(job)).toBeLessThan(wave(bsl));
    // The backed-up namespace (for the one-off backup Job's Role there) keeps Argo CD's default wave 0.
    expect(find(objects, 'Namespace', 'ai-inference').metadata.annotations).toBeUndefined();
    for (const o of objects.filter((x) => x.kind !== 'BackupStorageLocation' && x.kind !== 'Namespace')) {
      expect(wave(o)).toBeGreaterThan(wave(bsl));
    }
    for (const o of objects.filter((x) => x.apiVersion === 'velero.io/v1')) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    }
  });

  test('depends-on names the CRD Job (and the BSL for operations) in the provider reference format', () => {
    const { velero, install, resources } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    const installObjects = install();
    const objects = resources();
    const job = find(installObjects, 'Job', /^velero-crd-install-/);
    const bsl = find(objects, 'BackupStorageLocation', 'default');
    const scoped = clusterScopedKinds([...installObjects, ...objects]);
    const jobRef = objectRef(job, scoped, 'default');
    expect(jobRef).toBe(`batch/namespaces/velero/Job/${job.metadata.name}`);
    expect(bsl.metadata.annotations['config.kubernetes.io/depends-on']).toBe(jobRef);
    const gate = find(objects, 'Job', /^velero-backup-ai-backup-/);
    expect(gate.metadata.annotations['config.kubernetes.io/depends-on']).toBe(`${jobRef},${objectRef(bsl, scoped, 'default')}`);
    // The Job that creates the Backup follows the BSL in the file too.
    expect(objects.indexOf(bsl)).toBeLessThan(objects.indexOf(gate));
  });

  test('methods return the ApiObjects (for a one-off backup, the Job that creates it)', () => {
    const { velero } = build();
    const gate = velero.backupNamespace('ai-inference');
    expect(gate).toBeInstanceOf(ApiObject);
    expect(gate.kind).toBe('Job');
    expect(velero.scheduleNamespace('ai-inference', { cron: '@hourly' })).toBeInstanceOf(ApiObject);
    expect(velero.restore({ backupName: 'ai-inference-backup' })).toBeInstanceOf(ApiObject);
  });
});

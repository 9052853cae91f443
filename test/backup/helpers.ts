import { App, Chart, Testing } from 'cdk8s';
import { VeleroKopiaBackupProps } from '../../src/backup/props';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { S3Bucket, S3Credentials } from '../../src/core/s3-bucket';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
export { propErrorOf } from '../prop-errors';

/** An S3 bucket whose credentials Secret is in `namespace` (as SeaweedFSStorage.addBucket returns it). */
export function bucketIn(namespace = 'velero', endpoint = 'http://seaweedfs-s3.seaweedfs.svc:8333'): S3Bucket {
  return S3Bucket.fromAttributes({
    endpoint,
    bucket: 'velero',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3Credentials.fromSecret(namespace, 'seaweedfs-bucket-velero'),
  });
}

export interface Built {
  readonly app: App;
  readonly chart: Chart;
  readonly velero: VeleroKopiaBackup;
  /** Objects of the install chart. */
  readonly install: () => any[];
  /** Objects of the custom-resource chart. */
  readonly resources: () => any[];
}

/** A VeleroKopiaBackup in chart `install` of a fresh App (bucket defaulted). */
export function build(props: Partial<VeleroKopiaBackupProps> = {}, id = 'velero'): Built {
  const app = Testing.app();
  const chart = new Chart(app, 'install');
  const velero = new VeleroKopiaBackup(chart, id, { bucket: bucketIn(props.namespace ?? 'velero'), ...props });
  return { app, chart, velero, install: () => Testing.synth(chart), resources: () => Testing.synth(velero.resourcesChart) };
}

/** SeaweedFS storage and Velero in two charts of one App, the way the platform composes them. */
export function buildWithSeaweedFS(): Built & { storageChart: Chart } {
  const app = Testing.app();
  const storageChart = new Chart(app, 'storage');
  const storage = new SeaweedFSStorage(storageChart, 'storage');
  const bucket = storage.addBucket('velero', { consumerNamespace: 'velero' });
  const chart = new Chart(app, 'backup');
  const velero = new VeleroKopiaBackup(chart, 'velero', { bucket });
  return { app, chart, storageChart, velero, install: () => Testing.synth(chart), resources: () => Testing.synth(velero.resourcesChart) };
}

/** The object of `kind` named `name` (a RegExp matches generated names); fails if absent or ambiguous. */
export function find(objects: any[], kind: string, name: string | RegExp): any {
  const found = objects.filter((o) => o.kind === kind && (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name)));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

/** Env entries as name → value (valueFrom fieldRefs as `fieldRef:<path>`). */
export function envMap(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? `fieldRef:${e.valueFrom?.fieldRef?.fieldPath}`]));
}


/** The Backups that one-off backup Jobs create: the `backup.json` of their ConfigMaps. */
export function gatedBackups(objects: any[]): any[] {
  return objects.filter((o) => o.kind === 'ConfigMap' && o.data?.['backup.json'] !== undefined).map((o) => JSON.parse(o.data['backup.json']));
}

/** The objects plus the Backups their Jobs create, to validate and inspect those like applied objects. */
export function withGatedBackups(objects: any[]): any[] {
  return [...objects, ...gatedBackups(objects)];
}

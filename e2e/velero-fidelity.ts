/**
 * `VeleroKopiaBackup` beside what Velero's own installer writes: `velero install --dry-run -o yaml`
 * of the real velero v1.18.1 with the flags that describe the demo's configuration, compared field by
 * field with the objects the library synthesizes. docs/velero-install-fidelity.md lists every
 * difference with its reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { runProgram, tempDir, tool } from './harness';

/** `velero install` flags for the demo's configuration (examples/platform.ts). */
export function veleroInstallFlags(secretFile: string): string[] {
  return [
    '--image=velero/velero:v1.18.1',
    '--plugins=velero/velero-plugin-for-aws:v1.14.2',
    '--provider=aws',
    '--bucket=velero',
    '--backup-location-config=region=us-east-1,s3ForcePathStyle=true,s3Url=http://seaweedfs-s3.seaweedfs.svc:8333,checksumAlgorithm=',
    `--secret-file=${secretFile}`,
    '--use-volume-snapshots=false',
    '--use-node-agent',
    '--uploader-type=kopia',
    '--default-volumes-to-fs-backup',
    '--repo-maintenance-job-configmap=velero-repo-maintenance',
  ];
}

/**
 * The objects `velero install --dry-run -o yaml` writes with {@link veleroInstallFlags}. The
 * installer reads the cluster for one check (the maintenance ConfigMap exists), so it needs the
 * kubeconfig of a cluster the platform is applied to; it writes nothing there.
 */
export async function veleroInstallObjects(kubeconfig: string): Promise<any[]> {
  const dir = tempDir('velero-install');
  const secretFile = path.join(dir, 'credentials');
  fs.writeFileSync(secretFile, '[default]\naws_access_key_id=x\naws_secret_access_key=y\n');
  const run = await runProgram(tool('velero'), ['install', '--dry-run', '-o', 'yaml', ...veleroInstallFlags(secretFile)], {
    env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
    timeoutMs: 60_000,
  });
  if (run.status !== 0) throw new Error(`velero install --dry-run failed (${run.status}):\n${run.stderr}`);
  return parse(run.stdout).items;
}

export interface Difference {
  /** `Kind namespace/name` (a content hash at the end of a name shows as `<hash>`). */
  readonly object: string;
  /** Dotted path; list entries with a name are `[name]`, others `[index]`; `-` for a whole object. */
  readonly field: string;
  readonly velero?: string;
  readonly ours?: string;
}

/** The identity of an object as the fidelity table names it. */
export function objectName(o: any): string {
  const name = String(o.metadata.name).replace(/-[0-9a-f]{8,10}$/, '-<hash>');
  return `${o.kind} ${o.metadata.namespace ?? '-'}/${name}`;
}

/**
 * Leaf fields of an object: path → JSON of the value. Go's zero values in Velero's YAML
 * (`creationTimestamp: null`, `resources: {}`) say that nothing is set and are left out.
 */
function leaves(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(value)) {
    const named = value.length > 0 && value.every((v) => v && typeof v === 'object' && typeof v.name === 'string');
    const scalars = value.every((v) => v === null || typeof v !== 'object');
    if (scalars) out.set(prefix, JSON.stringify(value));
    else value.forEach((v, i) => leaves(v, `${prefix}[${named ? v.name : i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== null) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/**
 * Every difference between Velero's objects and ours: fields that differ or exist on one side, and
 * objects that only one side writes. CRDs are left out: ours are Velero's own, installed in-cluster
 * by the CRD Job with the same binary (`velero install --crds-only --apply`).
 */
export function differences(velero: any[], ours: any[]): Difference[] {
  const theirs = velero.filter((o) => o.kind !== 'CustomResourceDefinition');
  const byName = new Map(ours.map((o) => [objectName(o), o]));
  const found: Difference[] = [];
  for (const o of theirs) {
    const object = objectName(o);
    const mine = byName.get(object);
    if (!mine) {
      found.push({ object, field: '-', velero: 'written', ours: 'not written' });
      continue;
    }
    byName.delete(object);
    const a = leaves(o, '', new Map());
    const b = leaves(mine, '', new Map());
    for (const field of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (a.get(field) !== b.get(field)) found.push({ object, field, velero: a.get(field), ours: b.get(field) });
    }
  }
  for (const object of byName.keys()) found.push({ object, field: '-', velero: 'not written', ours: 'written' });
  return found;
}

/** One row of the fidelity table: `*` in the object or field matches any text. */
export interface ListedDifference {
  readonly object: string;
  readonly field: string;
}

/** The rows of the table in docs/velero-install-fidelity.md (first two columns, backticks removed). */
export function listedDifferences(markdown: string): ListedDifference[] {
  return markdown.split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, object, field]) => ({ object: object.replace(/`/g, ''), field: field.replace(/`/g, '') }));
}

/** Whether a table row covers a difference. */
export function covers(row: ListedDifference, difference: Difference): boolean {
  const pattern = (text: string) => new RegExp(`^${text.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return pattern(row.object).test(difference.object) && pattern(row.field).test(difference.field);
}

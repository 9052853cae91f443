import { Duration } from 'cdk8s';

/**
 * What a backup of one namespace contains and how long it is kept: the fields shared by a
 * Backup and the `template` of a Schedule (`velero.io/v1` BackupSpec).
 */
export interface BackupContentOptions {
  /**
   * How long Velero keeps the backup before garbage collection, as a Go duration
   * (`72h0m0s`, `720h`). At least `1h`: Velero's garbage collection runs hourly, so a shorter TTL
   * would delete the backup soon after it completes.
   * @default - the server default, 720h (30 days)
   */
  readonly ttl?: string;

  /**
   * Include cluster-scoped resources the namespace uses (e.g. the PersistentVolumes of its claims,
   * CRDs of its custom resources).
   * @default - Velero decides: cluster resources related to the namespace are included
   */
  readonly includeClusterResources?: boolean;

  /**
   * Back up every pod volume with Kopia unless the pod opts a volume out
   * (`backup.velero.io/backup-volumes-excludes`).
   * @default - the server setting (`VeleroKopiaBackupProps.defaultVolumesToFsBackup`, true)
   */
  readonly defaultVolumesToFsBackup?: boolean;

  /**
   * Take volume snapshots for volumes not backed up with Kopia (needs a VolumeSnapshotLocation).
   * @default - Velero's default (true, but nothing is snapshotted without a snapshot location)
   */
  readonly snapshotVolumes?: boolean;

  /**
   * BackupStorageLocation to write to.
   * @default - the default location (`default`)
   */
  readonly storageLocation?: string;

  /**
   * Back up only resources with these labels.
   * @default - every resource of the namespace
   */
  readonly labelSelector?: { [key: string]: string };

  /**
   * Resources to include, e.g. `["deployments.apps", "persistentvolumeclaims"]`.
   * @default - all resources
   */
  readonly includedResources?: string[];

  /**
   * Resources to leave out, e.g. `["events", "events.events.k8s.io"]`.
   * @default - none
   */
  readonly excludedResources?: string[];

  /**
   * How long to wait for asynchronous plugin operations, as a Go duration.
   * @default - the server default (4h)
   */
  readonly itemOperationTimeout?: string;

  /**
   * Files Kopia uploads in parallel per pod volume. One model file is one stream whatever this
   * says; it helps for many small files.
   * @default - the node's CPU count
   */
  readonly parallelFilesUpload?: number;
}

/** Options for `VeleroKopiaBackup.backupNamespace`. */
export interface NamespaceBackupOptions extends BackupContentOptions {
  /**
   * Name of the Backup object (a backup runs once, when the object is created).
   * @default '<namespace>-backup'
   */
  readonly name?: string;

  /**
   * Extra metadata labels of the Backup.
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * How long the Job that creates the Backup waits, in all, for the BackupStorageLocation to be
   * Available and the namespace's Deployments and StatefulSets to be ready before it fails (it is
   * retried up to 3 times). Between 1 minute and 7 days.
   * @default Duration.hours(1)
   */
  readonly waitTimeout?: Duration;

  /**
   * Fields merged (recursively) into `spec` last, for what the typed options do not cover
   * (e.g. `hooks`, `orderedResources`). Not validated here: tests validate them against the CRD.
   * @default - none
   */
  readonly extraSpec?: { [key: string]: any };
}

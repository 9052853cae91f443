/** What Velero does with a restored object that already exists in the cluster. */
export enum ExistingResourcePolicy {
  /** Leave the existing object alone (Velero's default). PV data is never overwritten. */
  NONE = 'none',
  /** Patch the existing object's spec to the backed-up one. PV data is still not rewritten. */
  UPDATE = 'update',
}

/** Options for `VeleroKopiaBackup.restore`. Give exactly one of `backupName` and `scheduleName`. */
export interface RestoreOptions {
  /**
   * Backup to restore, e.g. `ai-backup`.
   * @default - none; then `scheduleName` must be given
   */
  readonly backupName?: string;

  /**
   * Restore the latest completed backup of this Schedule.
   * @default - none; then `backupName` must be given
   */
  readonly scheduleName?: string;

  /**
   * Name of the Restore object (a restore runs once, when the object is created).
   * @default '<backupName or scheduleName>-restore'
   */
  readonly name?: string;

  /**
   * Namespaces of the backup to restore.
   * @default - every namespace in the backup
   */
  readonly includedNamespaces?: string[];

  /**
   * Restore namespace `key` into namespace `value`, e.g. `{ 'ai-inference': 'ai-inference-restored' }`.
   * A file-system restore needs the target PVCs and pods to be absent, so mapping to a new
   * namespace restores next to a running original. Every key must be a namespace the restore
   * includes (its `includedNamespaces`, else the namespaces of the backup or schedule).
   * @default - namespaces are restored under their own names
   */
  readonly namespaceMapping?: { [key: string]: string };

  /**
   * What to do with objects that already exist.
   * @default ExistingResourcePolicy.NONE
   */
  readonly existingResourcePolicy?: ExistingResourcePolicy;

  /**
   * Restore persistent volumes (`spec.restorePVs`, with file-system backup their data comes back
   * through Kopia into re-provisioned volumes).
   * @default - true
   */
  readonly restorePersistentVolumes?: boolean;

  /**
   * Restore cluster-scoped resources of the backup.
   * @default - Velero decides (those related to the restored namespaces)
   */
  readonly includeClusterResources?: boolean;

  /**
   * Restore only resources with these labels.
   * @default - every resource of the backup
   */
  readonly labelSelector?: { [key: string]: string };

  /**
   * Resources to restore, e.g. `["persistentvolumeclaims", "deployments.apps"]`.
   * @default - all resources
   */
  readonly includedResources?: string[];

  /**
   * Resources to leave out.
   * @default - none (Velero always skips nodes, events and a few others)
   */
  readonly excludedResources?: string[];

  /**
   * Keep the node ports of restored Services.
   * @default false
   */
  readonly preserveNodePorts?: boolean;

  /**
   * How long to wait for asynchronous plugin operations, as a Go duration.
   * @default - the server default (4h)
   */
  readonly itemOperationTimeout?: string;

  /**
   * Write sparse files (holes stay holes), which saves space for preallocated model files.
   * @default false
   */
  readonly writeSparseFiles?: boolean;

  /**
   * Files Kopia restores in parallel per pod volume.
   * @default - the node's CPU count
   */
  readonly parallelFilesDownload?: number;

  /**
   * Extra metadata labels of the Restore.
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Fields merged (recursively) into `spec` last (e.g. `hooks`, `resourceModifier`). Validated by
   * tests against the CRD only.
   * @default - none
   */
  readonly extraSpec?: { [key: string]: any };
}

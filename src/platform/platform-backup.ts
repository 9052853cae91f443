import { VeleroKopiaBackupOptions } from '../backup/props';

/** Options of `PlatformBackup.veleroKopia`. */
export interface PlatformBackupOptions extends VeleroKopiaBackupOptions {
  /**
   * Cron expression of the Schedule created for every inference namespace.
   * @default '0 2 * * *' (daily at 02:00)
   */
  readonly scheduleCron?: string;

  /**
   * How long scheduled backups are kept, as a Go duration.
   * @default '168h0m0s' (7 days)
   */
  readonly scheduleTtl?: string;

  /**
   * Name of a one-off Backup of the inference namespaces (the demo's
   * `velero backup create ai-backup --include-namespaces ai-inference`), created by a Job once the
   * storage location is Available and the namespace's workloads are ready (see
   * `VeleroKopiaBackup.backupNamespace`). With several inference namespaces each gets
   * `<name>-<namespace>`.
   * @default - none
   */
  readonly oneOffBackupName?: string;
}

/** How the platform backs up its inference namespaces, model cache included. */
export class PlatformBackup {
  /** Velero with Kopia file-system backup (a `VeleroKopiaBackup`) on the platform's backup bucket. */
  public static veleroKopia(options: PlatformBackupOptions = {}): PlatformBackup {
    return new PlatformBackup(options ?? {});
  }

  /** No backup: no Velero is installed and no bucket is needed. */
  public static none(): PlatformBackup {
    return new PlatformBackup(undefined);
  }

  /** @internal */
  public readonly _velero?: PlatformBackupOptions;

  private constructor(velero: PlatformBackupOptions | undefined) {
    this._velero = velero;
  }
}

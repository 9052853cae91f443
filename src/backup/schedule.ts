import { BackupContentOptions } from './backup';

/** Options for `VeleroKopiaBackup.scheduleNamespace`. */
export interface NamespaceScheduleOptions extends BackupContentOptions {
  /**
   * When to back up: a standard 5-field cron expression (`0 2 * * *`) or a descriptor
   * (`@daily`, `@every 6h`), evaluated in the server's time zone (UTC unless `CRON_TZ=` is given).
   */
  readonly cron: string;

  /**
   * Name of the Schedule: its backups are named `<name>-<yyyyMMddHHmmss>`. At most 48 characters
   * so that backup names stay valid label values.
   * @default '<namespace>-schedule'
   */
  readonly name?: string;

  /**
   * Create the Schedule paused (no backups until unpaused).
   * @default false
   */
  readonly paused?: boolean;

  /**
   * Skip the backup a new (or unpaused) Schedule otherwise takes immediately. On by default: that
   * backup would start before the BackupStorageLocation is Available and fail validation for good,
   * and before the workloads run, so their volumes would be skipped. Take a first backup with
   * `velero backup create --from-schedule <name>` once `velero backup-location get` shows
   * Available, or declare one with `backupNamespace()`, which waits for both.
   * @default true
   */
  readonly skipImmediately?: boolean;

  /**
   * Make the Schedule the owner of its Backups, so deleting the Schedule deletes them.
   * @default false
   */
  readonly useOwnerReferencesInBackup?: boolean;

  /**
   * Extra metadata labels of the Schedule.
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Fields merged (recursively) into the Schedule's `spec` last: backup fields go under
   * `template`, e.g. `{ template: { hooks: {...} } }`. Validated by tests against the CRD only.
   * @default - none
   */
  readonly extraSpec?: { [key: string]: any };
}

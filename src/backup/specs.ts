import { BackupContentOptions } from './backup';
import { compact, labelSelector, namespaceList, resourceList } from './custom-resource';
import { ExistingResourcePolicy, RestoreOptions } from './restore';
import { NamespaceScheduleOptions } from './schedule';
import { requireCron } from '../core/cron';
import { propError } from '../core/errors';
import { requireDurationAtLeast, requirePositiveDuration } from '../core/go-duration';
import { PropContext, requireDnsLabel, requireInteger } from '../core/validate';

/*
 * Builders of the Velero custom resources' specs from the typed options (backup.ts, schedule.ts,
 * restore.ts hold the public option types; the builders stay internal).
 */

/** The BackupSpec of one namespace (also a Schedule's template). */
export function namespaceBackupSpec(ctx: (prop: string) => PropContext, namespace: string, options: BackupContentOptions): Record<string, unknown> {
  return compact({
    includedNamespaces: [namespace],
    includedResources: resourceList(ctx('includedResources'), options.includedResources),
    excludedResources: resourceList(ctx('excludedResources'), options.excludedResources),
    labelSelector: labelSelector(ctx('labelSelector'), options.labelSelector),
    includeClusterResources: options.includeClusterResources,
    defaultVolumesToFsBackup: options.defaultVolumesToFsBackup,
    snapshotVolumes: options.snapshotVolumes,
    storageLocation: options.storageLocation === undefined ? undefined : requireDnsLabel(ctx('storageLocation'), options.storageLocation),
    ttl: options.ttl === undefined ? undefined : requireDurationAtLeast(ctx('ttl'), options.ttl, MIN_BACKUP_TTL, '720h0m0s', MIN_BACKUP_TTL_REASON),
    itemOperationTimeout: options.itemOperationTimeout === undefined ? undefined : requirePositiveDuration(ctx('itemOperationTimeout'), options.itemOperationTimeout, '4h0m0s'),
    uploaderConfig: options.parallelFilesUpload === undefined ? undefined : { parallelFilesUpload: requireInteger(ctx('parallelFilesUpload'), options.parallelFilesUpload, 1, 1024) },
  });
}

/**
 * Shortest backup TTL. Velero's garbage collection runs every hour by default
 * (vmware-tanzu/velero@v1.18.1:pkg/controller/gc_controller.go defaultGCFrequency) and deletes
 * every backup whose TTL has run out: with a TTL under an hour a backup can be deleted at the first
 * pass after it completes, minutes later, so there would be nothing to restore from. "0s" (which
 * Velero replaces with its 720h default, vmware-tanzu/velero@v1.18.1:pkg/controller/backup_controller.go)
 * and negative TTLs are refused too: leave `ttl` out for the default.
 */
export const MIN_BACKUP_TTL = 3_600_000_000_000n;
const MIN_BACKUP_TTL_REASON = 'Velero\'s hourly garbage collection would delete a backup with a shorter TTL soon after it completes, leaving nothing to restore';

/** Longest Schedule name: backups are named `<schedule>-<14 digits>` and that name becomes a label value (≤ 63). */
export const MAX_SCHEDULE_NAME = 63 - 15;

/** The ScheduleSpec backing up one namespace. */
export function namespaceScheduleSpec(
  ctx: (prop: string) => PropContext,
  namespace: string,
  options: NamespaceScheduleOptions,
): Record<string, unknown> {
  return compact({
    schedule: requireCron(ctx('cron'), options.cron),
    template: namespaceBackupSpec(ctx, namespace, options),
    paused: options.paused,
    // See NamespaceScheduleOptions.skipImmediately: the immediate run would fail or miss volumes.
    skipImmediately: options.skipImmediately ?? true,
    useOwnerReferencesInBackup: options.useOwnerReferencesInBackup,
  });
}

/**
 * The RestoreSpec. `sourceNamespaces` are the namespaces the restore can contain when it does not
 * list them itself (those of the referenced backup or schedule, or of every declared one); every
 * namespaceMapping key must be one of them.
 */
export function restoreSpec(
  ctx: (prop: string) => PropContext,
  options: RestoreOptions,
  sourceNamespaces: readonly string[],
): Record<string, unknown> {
  const included = namespaceList(ctx('includedNamespaces'), options.includedNamespaces);
  const known = included ?? sourceNamespaces;
  const mapping = namespaceMapping(ctx('namespaceMapping'), options.namespaceMapping, known, included !== undefined);
  const policy = options.existingResourcePolicy;
  if (policy !== undefined && !Object.values(ExistingResourcePolicy).includes(policy)) {
    throw propError({ ...ctx('existingResourcePolicy'), value: policy, allowed: 'ExistingResourcePolicy.NONE or ExistingResourcePolicy.UPDATE', fix: 'use one of the enum values' });
  }
  return compact({
    backupName: options.backupName,
    scheduleName: options.scheduleName,
    includedNamespaces: included,
    namespaceMapping: mapping,
    includedResources: resourceList(ctx('includedResources'), options.includedResources),
    excludedResources: resourceList(ctx('excludedResources'), options.excludedResources),
    labelSelector: labelSelector(ctx('labelSelector'), options.labelSelector),
    existingResourcePolicy: policy,
    restorePVs: options.restorePersistentVolumes,
    includeClusterResources: options.includeClusterResources,
    preserveNodePorts: options.preserveNodePorts,
    itemOperationTimeout: options.itemOperationTimeout === undefined ? undefined : requirePositiveDuration(ctx('itemOperationTimeout'), options.itemOperationTimeout, '4h0m0s'),
    uploaderConfig: options.writeSparseFiles === undefined && options.parallelFilesDownload === undefined ? undefined : compact({
      writeSparseFiles: options.writeSparseFiles,
      parallelFilesDownload: options.parallelFilesDownload === undefined ? undefined : requireInteger(ctx('parallelFilesDownload'), options.parallelFilesDownload, 1, 1024),
    }),
  });
}

function namespaceMapping(
  ctx: PropContext,
  mapping: { [key: string]: string } | undefined,
  known: readonly string[],
  fromIncluded: boolean,
): Record<string, string> | undefined {
  if (mapping === undefined) return undefined;
  const entries = typeof mapping === 'object' && mapping !== null ? Object.entries(mapping) : [];
  if (entries.length === 0) {
    throw propError({ ...ctx, value: mapping, allowed: 'a non-empty map of source namespace to target namespace', fix: "pass e.g. { 'ai-inference': 'ai-inference-restored' } or leave it out" });
  }
  const source = fromIncluded ? 'the restore\'s includedNamespaces' : 'the namespaces of the backup/schedule declared on this construct';
  for (const [from, to] of entries) {
    requireDnsLabel({ construct: ctx.construct, prop: `${ctx.prop}.${from}` }, to);
    if (!known.includes(from)) {
      throw propError({
        ...ctx,
        value: mapping,
        allowed: `source namespaces the restore contains: ${known.length > 0 ? known.join(', ') : '(none known)'}; unknown namespace in a restore mapping: "${from}" is not in ${source}`,
        fix: known.length > 0
          ? `map one of ${known.map((n) => `"${n}"`).join(', ')}, or list "${from}" in includedNamespaces`
          : `list the backup's namespaces in includedNamespaces (e.g. ["${from}"]) or declare the backup with backupNamespace()/scheduleNamespace()`,
      });
    }
    if (to === from) {
      throw propError({ ...ctx, value: mapping, allowed: 'a mapping to a different namespace', fix: `remove "${from}" from the mapping (it restores into itself anyway)` });
    }
  }
  return Object.fromEntries(entries);
}

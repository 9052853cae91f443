import { VolumeBackup } from '../backup/volume-backup';

/** Velero's opt-in annotation for file-system backup (values are pod volume names, not PVC names). */
export const VELERO_BACKUP_VOLUMES_ANNOTATION = VolumeBackup.INCLUDE_ANNOTATION;
/**
 * Velero's opt-out annotation, the only one read when the server or the Backup sets
 * `defaultVolumesToFsBackup` (every volume but hostPath, Secret, ConfigMap, projected and
 * downwardAPI ones is then backed up unless listed here).
 */
export const VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION = VolumeBackup.EXCLUDE_ANNOTATION;
/** Pod template annotation with the served model reference: changing tag or digest rolls the pods. */
export const MODEL_ANNOTATION = 'cnai-model-platform/model';
/** Pod template annotation with a hash of the cache script, so a library upgrade that changes it rolls the pods. */
export const CACHE_SCRIPT_CHECKSUM_ANNOTATION = 'checksum/model-cache-script';

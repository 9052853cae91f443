/** Velero's opt-in annotation for file-system backup (values are pod volume names, not PVC names). */
export const VELERO_BACKUP_VOLUMES_ANNOTATION = 'backup.velero.io/backup-volumes';
/** Pod template annotation with the served model reference: changing tag or digest rolls the pods. */
export const MODEL_ANNOTATION = 'cnai-model-platform/model';
/** Pod template annotation with a hash of the cache script, so a library upgrade that changes it rolls the pods. */
export const CACHE_SCRIPT_CHECKSUM_ANNOTATION = 'checksum/model-cache-script';

import { ApiObjectMetadataDefinition } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { propError } from '../core/errors';
import { PropContext, requireDnsLabel } from '../core/validate';

/**
 * Declares which pod volumes Velero backs up with Kopia (file-system backup), by annotating the
 * pod template. Values are pod-spec volume names (`spec.volumes[].name`), not PVC names.
 *
 * Only metadata is touched: no init container, no volume, nothing in the pod spec. On a
 * file-system restore Velero itself puts its `restore-wait` init container first in the pod; every
 * init container of the template (such as a model-cache check) runs after it and sees the restored
 * files. A restored model cache therefore passes the cache-hit check and the model is not pulled
 * from Harbor again (velero-io/velero@v1.18.1:pkg/restore/actions/pod_volume_restore_action.go,
 * cmd/velero-restore-helper/velero-restore-helper.go).
 *
 * With `defaultVolumesToFsBackup` (the default of `VeleroKopiaBackup`) every volume except
 * Secrets, ConfigMaps, projected tokens and hostPaths is backed up anyway; then use
 * `VolumeBackup.exclude` for scratch volumes (an `emptyDir` for `/tmp` would be backed up too).
 */
export class VolumeBackup {
  /** Opt-in annotation: comma-separated volume names to back up. */
  public static readonly INCLUDE_ANNOTATION = 'backup.velero.io/backup-volumes';
  /** Opt-out annotation: comma-separated volume names not to back up. */
  public static readonly EXCLUDE_ANNOTATION = 'backup.velero.io/backup-volumes-excludes';

  /**
   * The opt-in annotation for `volumeNames`, to put into a pod template's `metadata.annotations`.
   *
   * @param volumeNames pod-spec volume names, e.g. `["model-cache"]`
   */
  public static annotations(volumeNames: string[]): { [key: string]: string } {
    return { [VolumeBackup.INCLUDE_ANNOTATION]: names(ctx('annotations.volumeNames'), volumeNames).join(',') };
  }

  /**
   * The opt-out annotation for `volumeNames`.
   *
   * @param volumeNames pod-spec volume names, e.g. `["tmp"]`
   */
  public static excludeAnnotations(volumeNames: string[]): { [key: string]: string } {
    return { [VolumeBackup.EXCLUDE_ANNOTATION]: names(ctx('excludeAnnotations.volumeNames'), volumeNames).join(',') };
  }

  /**
   * Adds `volumeNames` to the opt-in annotation of pod metadata, e.g. a cdk8s-plus workload's
   * `podMetadata`, keeping names already listed.
   *
   * @param podMetadata the pod template's metadata (`deployment.podMetadata`)
   * @param volumeNames pod-spec volume names
   */
  public static annotate(podMetadata: ApiObjectMetadataDefinition, volumeNames: string[]): void {
    merge(podMetadata, VolumeBackup.INCLUDE_ANNOTATION, names(ctx('annotate.volumeNames'), volumeNames));
  }

  /**
   * Adds `volumeNames` to the opt-out annotation of pod metadata.
   *
   * @param podMetadata the pod template's metadata (`deployment.podMetadata`)
   * @param volumeNames pod-spec volume names
   */
  public static exclude(podMetadata: ApiObjectMetadataDefinition, volumeNames: string[]): void {
    merge(podMetadata, VolumeBackup.EXCLUDE_ANNOTATION, names(ctx('exclude.volumeNames'), volumeNames));
  }

  /**
   * A copy of a pod template (L1 `k8s.PodTemplateSpec`) whose opt-in annotation also lists
   * `volumeNames`: each must be a volume of the template. The spec is returned unchanged.
   *
   * @param template the pod template
   * @param volumeNames pod-spec volume names
   */
  public static annotateTemplate(template: k8s.PodTemplateSpec, volumeNames: string[]): k8s.PodTemplateSpec {
    const wanted = names(ctx('annotateTemplate.volumeNames'), volumeNames);
    const declared = (template.spec?.volumes ?? []).map((v) => v.name);
    for (const name of wanted) {
      if (!declared.includes(name)) {
        throw propError({
          ...ctx('annotateTemplate.volumeNames'),
          value: name,
          allowed: `a volume of the pod template (${declared.length > 0 ? declared.join(', ') : 'it has none'})`,
          fix: 'use the name in spec.volumes[].name, not the PersistentVolumeClaim name',
        });
      }
    }
    const annotations = { ...(template.metadata?.annotations ?? {}) };
    annotations[VolumeBackup.INCLUDE_ANNOTATION] = union(annotations[VolumeBackup.INCLUDE_ANNOTATION], wanted);
    return { ...template, metadata: { ...(template.metadata ?? {}), annotations } };
  }

  private constructor() {}
}

function ctx(prop: string): PropContext {
  return { construct: 'VolumeBackup', prop };
}

function names(at: PropContext, volumeNames: string[]): string[] {
  if (!Array.isArray(volumeNames) || volumeNames.length === 0) {
    throw propError({ ...at, value: volumeNames, allowed: 'a non-empty list of pod volume names', fix: 'pass e.g. ["model-cache"]' });
  }
  volumeNames.forEach((name, i) => requireDnsLabel({ construct: at.construct, prop: `${at.prop}[${i}]` }, name));
  return [...new Set(volumeNames)];
}

function union(existing: string | undefined, added: string[]): string {
  const current = (existing ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return [...new Set([...current, ...added])].join(',');
}

function merge(metadata: ApiObjectMetadataDefinition, key: string, added: string[]): void {
  const existing = (metadata.toJson()?.annotations ?? {})[key] as string | undefined;
  metadata.addAnnotation(key, union(existing, added));
}

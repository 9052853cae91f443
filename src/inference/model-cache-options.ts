import { ComputeResources } from '../core/compute-resources';

/** How the model cache PVC may be mounted. */
export enum CacheAccessMode {
  /**
   * One node mounts the volume read-write (every storage class supports it). One replica only, and
   * the Deployment uses the `Recreate` strategy.
   */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /**
   * Many nodes mount the volume read-write (NFS, CephFS, ...). Several replicas share one cache and
   * the Deployment rolls pods one by one.
   */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** The PVC the model cache keeps model versions on. */
export interface ModelCacheOptions {
  /**
   * Size of the cache PVC, a Kubernetes quantity such as `2Gi`. With a known model size it must hold
   * `keepVersions + 1` versions of the model (the kept ones and one being pulled) plus 5% filesystem
   * reserve: 2Gi for TinyLlama Q4_K_M (638 MiB) with the default `keepVersions`.
   */
  readonly size: string;

  /**
   * StorageClass of the cache PVC. For a cache that Velero's file-system backup (Kopia) restores,
   * use a class whose volumes are not hostPath PersistentVolumes, typically a CSI driver's class:
   * Velero skips hostPath volumes with only a warning in the backup log (the backup still ends
   * `Completed`), so a restored pod pulls the model from the registry again. The default classes
   * of kind (`standard`) and k3s (`local-path`) provision hostPath volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Access mode of the cache PVC. `ReadWriteOnce` allows one replica; `ReadWriteMany` lets replicas
   * share the cache.
   * @default CacheAccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: CacheAccessMode;

  /**
   * Model versions kept in the cache, the served one included, so that switching back to a recent
   * version pulls nothing. Older versions and blobs no kept version uses are deleted.
   * @default 2
   */
  readonly keepVersions?: number;

  /**
   * Hash every blob of the served version on each start, which also detects same-size corruption
   * at the cost of reading the whole model per start. Without it a start checks presence and size
   * only (O(1)).
   * @default false
   */
  readonly verifyOnStart?: boolean;

  /**
   * With a tag-only model reference and the registry unreachable, serve the version last served
   * for that tag (with a warning in the init container's log) instead of failing the start. A
   * digest-pinned reference never needs the registry on a cache hit.
   *
   * The registry counts as unreachable after 3 lookups (`oras resolve`) that each fail or get no
   * answer within 30 s, 2 s and 4 s apart: the fallback serves at most 96 s after the init
   * container starts (`LlamaInferenceService.registryWaitSeconds`; the Deployment's progress
   * deadline allows for it). Without the limit, ORAS's own retries would take minutes per lookup.
   * @default true
   */
  readonly staleTagFallback?: boolean;

  /**
   * Resources of the model-cache init container (it streams layers from the registry to the PVC).
   * @default - 100m CPU and 128Mi memory requested; 512Mi memory limit
   */
  readonly resources?: ComputeResources;
}

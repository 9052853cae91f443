import { S3Bucket } from '../core/s3-bucket';
import { SeaweedFSStorageProps } from '../seaweedfs/seaweedfs-storage';

/** Options of `PlatformStorage.seaweedFS`. */
export interface PlatformSeaweedFSOptions extends SeaweedFSStorageProps {
  /**
   * Bucket Velero writes backups to (with credentials copied into Velero's namespace).
   * @default 'velero'
   */
  readonly backupBucketName?: string;

  /**
   * Bucket for Harbor's registry storage, created when `PlatformHarborOptions.registryStorageOnBucket` is set.
   * @default 'harbor'
   */
  readonly registryBucketName?: string;
}

/** Options of `PlatformStorage.existingBuckets`. */
export interface ExistingBucketsOptions {
  /**
   * Bucket for Velero backups. Its credentials must name a Secret in Velero's namespace.
   * @default - none: the platform's backup must then be `PlatformBackup.none()`
   */
  readonly backupBucket?: S3Bucket;

  /**
   * Bucket for Harbor's registry storage (used when `PlatformHarborOptions.registryStorageOnBucket`
   * is set). Its credentials must name a Secret in Harbor's namespace.
   * @default - none
   */
  readonly registryBucket?: S3Bucket;
}

/**
 * Where the platform keeps backups (and, as an option, Harbor's registry blobs): SeaweedFS run by
 * the platform, or S3 buckets that already exist.
 */
export class PlatformStorage {
  /** SeaweedFS inside the cluster (a `SeaweedFSStorage`), with a bucket per consumer. */
  public static seaweedFS(options: PlatformSeaweedFSOptions = {}): PlatformStorage {
    return new PlatformStorage(options, undefined);
  }

  /** Existing S3 buckets (AWS, MinIO, another SeaweedFS...): the platform runs no storage of its own. */
  public static existingBuckets(options: ExistingBucketsOptions): PlatformStorage {
    return new PlatformStorage(undefined, options ?? {});
  }

  /** @internal */
  public readonly _seaweedFS?: PlatformSeaweedFSOptions;
  /** @internal */
  public readonly _existing?: ExistingBucketsOptions;

  private constructor(seaweedFS: PlatformSeaweedFSOptions | undefined, existing: ExistingBucketsOptions | undefined) {
    this._seaweedFS = seaweedFS;
    this._existing = existing;
  }
}

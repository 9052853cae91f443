import { propError } from '../core/errors';
import { S3Bucket } from '../core/s3-bucket';
import { PropContext, parseByteQuantity, requireDnsSubdomain } from '../core/validate';

/** Options for `HarborRegistryStorage.persistentVolume`. */
export interface HarborPersistentVolumeOptions {
  /**
   * Size of the registry's ReadWriteOnce PVC `<name>-registry`.
   * @default '5Gi'
   */
  readonly size?: string;
  /**
   * StorageClass of the PVC.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/**
 * Where the registry keeps image and model blobs: a PersistentVolume (the chart's `filesystem`
 * default) or an S3 bucket (e.g. one of `SeaweedFSStorage.addBucket`).
 */
export class HarborRegistryStorage {
  /** A ReadWriteOnce PVC mounted at `/storage` (distribution's filesystem driver). */
  public static persistentVolume(options: HarborPersistentVolumeOptions = {}): HarborRegistryStorage {
    return new HarborRegistryStorage('filesystem', options, undefined);
  }

  /**
   * An S3 bucket. Its credentials Secret must live in Harbor's namespace (for SeaweedFS:
   * `addBucket('harbor', { consumerNamespace: <Harbor namespace>, objectAcls: true })`).
   *
   * @param bucket endpoint, bucket, region and credentials
   */
  public static s3(bucket: S3Bucket): HarborRegistryStorage {
    return new HarborRegistryStorage('s3', {}, bucket);
  }

  /** Distribution storage driver: `filesystem` or `s3` (core's `REGISTRY_STORAGE_PROVIDER_NAME`). */
  public readonly driver: string;

  /** @internal */
  public readonly _volume: HarborPersistentVolumeOptions;
  /** @internal */
  public readonly _bucket?: S3Bucket;

  private constructor(driver: string, volume: HarborPersistentVolumeOptions, bucket: S3Bucket | undefined) {
    this.driver = driver;
    this._volume = volume;
    this._bucket = bucket;
  }
}

/**
 * Validated registry storage.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ResolvedStorage {
  readonly driver: 'filesystem' | 's3';
  /** filesystem only. */
  readonly size?: string;
  readonly storageClassName?: string;
  /** s3 only. */
  readonly bucket?: S3Bucket;
}

/**
 * Validates the storage prop (`ctx.prop` is `registryStorage`) against Harbor's namespace.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveStorage(ctx: PropContext, storage: HarborRegistryStorage, namespace: string): ResolvedStorage {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (!(storage instanceof HarborRegistryStorage)) {
    throw propError({ ...ctx, value: storage, allowed: 'a HarborRegistryStorage', fix: 'use HarborRegistryStorage.persistentVolume({...}) or HarborRegistryStorage.s3(bucket)' });
  }
  if (storage.driver === 'filesystem') {
    const size = requireSize(at('size'), storage._volume.size ?? '5Gi');
    const className = storage._volume.storageClassName;
    return { driver: 'filesystem', size, storageClassName: className === undefined ? undefined : requireDnsSubdomain(at('storageClassName'), className) };
  }
  const bucket = storage._bucket;
  if (!(bucket instanceof S3Bucket)) {
    throw propError({ ...at('bucket'), value: bucket, allowed: 'an S3Bucket', fix: 'pass the result of SeaweedFSStorage.addBucket(...) or S3Bucket.fromAttributes(...)' });
  }
  const credentials = bucket.credentials;
  if (credentials === undefined) {
    throw propError({
      ...at('bucket.credentials'),
      value: bucket.bucket,
      allowed: 'a bucket with credentials (an S3Credentials Secret holding the access key pair)',
      fix: `build the bucket with credentials: S3Credentials.fromSecret('${namespace}', '<secret name>')`,
    });
  }
  if (credentials.namespace !== namespace) {
    throw propError({
      ...at('bucket.credentials.namespace'),
      value: credentials.namespace,
      allowed: `"${namespace}": the registry pod reads the keys with secretKeyRef, which only sees Secrets in its own namespace`,
      fix: `declare the bucket for Harbor's namespace, e.g. storage.addBucket('${bucket.bucket}', { consumerNamespace: '${namespace}' })`,
    });
  }
  if (bucket.objectAcls === false) {
    throw propError({
      ...at('bucket.objectAcls'),
      value: false,
      allowed: "a bucket whose credentials may set canned object ACLs: the registry's S3 driver sends x-amz-acl: private with every upload, which SeaweedFS refuses without WriteAcp",
      fix: `declare the bucket with object ACLs, e.g. storage.addBucket('${bucket.bucket}', { consumerNamespace: '${namespace}', objectAcls: true })`,
    });
  }
  return { driver: 's3', bucket };
}

/**
 * A positive size string, trimmed.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireSize(ctx: PropContext, value: string): string {
  parseByteQuantity(ctx, value, '5Gi');
  return value.trim();
}

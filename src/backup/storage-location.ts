import { ApiObject } from 'cdk8s';
import { VELERO, WAVES } from './context';
import { CustomResourceTarget, veleroResource } from './custom-resource';
import { propError } from '../core/errors';
import { S3Bucket } from '../core/s3-bucket';
import { PropContext } from '../core/validate';

const CONSTRUCT = 'VeleroKopiaBackup';

/** `checksumAlgorithm` values velero-plugin-for-aws accepts ('' = do not set one). */
export const CHECKSUM_ALGORITHMS = ['', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/**
 * Checks that Velero can use the bucket: it names a credentials Secret, in Velero's namespace
 * (a pod can only mount Secrets of its own namespace), and its endpoint has no path.
 */
export function requireUsableBucket(bucket: S3Bucket, namespace: string): S3Bucket {
  if (bucket === undefined || bucket === null || typeof bucket.endpoint !== 'string' || typeof bucket.bucket !== 'string') {
    throw propError({
      construct: CONSTRUCT,
      prop: 'bucket',
      value: bucket,
      allowed: 'an S3Bucket',
      fix: "pass the result of SeaweedFSStorage.addBucket('velero', { consumerNamespace: 'velero' }) or S3Bucket.fromAttributes(...)",
    });
  }
  const credentials = bucket.credentials;
  if (credentials === undefined) {
    throw propError({
      construct: CONSTRUCT,
      prop: 'bucket.credentials',
      value: `bucket "${bucket.bucket}" at ${bucket.endpoint} without credentials`,
      allowed: `an S3Bucket whose credentials name a Secret in namespace "${namespace}" holding the access key pair`,
      fix: `declare it with SeaweedFSStorage.addBucket('${bucket.bucket}', { consumerNamespace: '${namespace}' }), or pass S3Bucket.fromAttributes({ ..., credentials: S3Credentials.fromSecret('${namespace}', '<secret>') })`,
    });
  }
  if (credentials.namespace !== namespace) {
    throw propError({
      construct: CONSTRUCT,
      prop: 'bucket.credentials.namespace',
      value: credentials.namespace,
      allowed: `"${namespace}", Velero's namespace (the credentials Secret ${credentials.namespace}/${credentials.secretName} cannot be read from there)`,
      fix: `declare the bucket with consumerNamespace: '${namespace}' so its Secret is copied into "${namespace}", or set VeleroKopiaBackupProps.namespace to "${credentials.namespace}"`,
    });
  }
  s3Url({ construct: CONSTRUCT, prop: 'bucket.endpoint' }, bucket.endpoint);
  return bucket;
}

/** The endpoint as BSL `s3Url`: scheme and host[:port] only (Kopia rejects a path: `path is not expected in s3Url`). */
export function s3Url(ctx: PropContext, endpoint: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || endpoint.endsWith('/')) {
    throw propError({ ...ctx, value: endpoint, allowed: 'an http(s) URL with host and optional port, without path, query or trailing slash', fix: 'pass e.g. "http://seaweedfs-s3.seaweedfs.svc:8333"' });
  }
  return endpoint;
}

/** Whether the endpoint is Amazon S3 itself (everything else is treated as an S3-compatible store). */
export function isAwsEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'amazonaws.com' || host.endsWith('.amazonaws.com') || host.endsWith('.amazonaws.com.cn');
}

/** Options of the BackupStorageLocation. */
export interface LocationOptions {
  readonly bucket: S3Bucket;
  readonly prefix?: string;
  /** `checksumAlgorithm` to write, or undefined to leave the plugin default (CRC32). */
  readonly checksumAlgorithm?: string;
  readonly publicUrl?: string;
  readonly dependsOn: readonly string[];
}

/** BackupStorageLocation `default` as `velero install --provider aws --bucket ... --backup-location-config ...` writes it. */
export function buildBackupStorageLocation(target: CustomResourceTarget, options: LocationOptions): ApiObject {
  const bucket = options.bucket;
  const config: Record<string, string> = {
    region: bucket.region,
    // Path style: S3-compatible stores without wildcard DNS serve buckets at <endpoint>/<bucket>;
    // without it uploads may work while downloads fail (reference §6).
    ...(bucket.forcePathStyle ? { s3ForcePathStyle: 'true' } : {}),
    s3Url: bucket.endpoint,
  };
  if (options.checksumAlgorithm !== undefined) {
    // "" tells velero-plugin-for-aws (>= 1.9.2) not to ask the SDK for a CRC32 checksum, the
    // documented workaround for stores that reject it (XAmzContentSHA256Mismatch). With plugin
    // 1.14.x the SDK still adds aws-chunked trailers by default, which SeaweedFS 3.73 does not
    // decode (reference §6, seaweedfs.md §12): the server env in server.ts is the second half.
    config.checksumAlgorithm = options.checksumAlgorithm;
  }
  if (options.publicUrl !== undefined) config.publicUrl = options.publicUrl;
  return veleroResource(target, {
    kind: 'BackupStorageLocation',
    name: VELERO.locationName,
    wave: WAVES.locations,
    dependsOn: options.dependsOn,
    spec: {
      provider: 'aws',
      objectStorage: { bucket: bucket.bucket, ...(options.prefix !== undefined ? { prefix: options.prefix } : {}) },
      config,
      default: true,
    },
  });
}

/** VolumeSnapshotLocation `default` (EBS snapshots through the aws plugin); only when snapshots are enabled. */
export function buildVolumeSnapshotLocation(target: CustomResourceTarget, region: string, dependsOn: readonly string[]): ApiObject {
  return veleroResource(target, {
    kind: 'VolumeSnapshotLocation',
    name: VELERO.locationName,
    wave: WAVES.locations,
    dependsOn,
    spec: { provider: 'aws', config: { region } },
  });
}

/** A BSL prefix: path segments without leading or trailing '/'. */
export function requirePrefix(ctx: PropContext, prefix: string): string {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix)) {
    throw propError({ ...ctx, value: prefix, allowed: "an object key prefix of path segments (letters, digits, '!_.*'()-') separated by '/', without leading or trailing '/'", fix: 'pass e.g. "velero" or "cluster-a/velero"' });
  }
  return prefix;
}

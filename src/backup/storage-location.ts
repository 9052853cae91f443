import { ApiObject } from 'cdk8s';
import { VELERO, WAVES } from './context';
import { CustomResourceTarget, veleroResource } from './custom-resource';
import { propError } from '../core/errors';
import { imageTag } from '../core/image-reference';
import { S3Bucket } from '../core/s3-bucket';
import { seaweedFSOlderThan } from '../core/seaweedfs-release';
import { requireServiceEndpoint } from '../core/url';
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

/**
 * velero-plugin-for-aws releases whose aws-sdk-go-v2 (s3 v1.97.3 in v1.14.1, v1.101.0 in v1.14.2,
 * v1.14.0 still had v1.48.0) sends uploads over https as aws-chunked bodies with a checksum trailer
 * (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), on the multipart path whatever `checksumAlgorithm` and the
 * `AWS_*_CHECKSUM_*` variables say (velero-io/velero#9951, #10543). Over http the SDK puts
 * checksums in headers only and sends plain bodies.
 */
export const TRAILER_PLUGIN_TAGS = ['v1.14.1', 'v1.14.2'];
/**
 * First SeaweedFS release that decodes those bodies (seaweedfs/seaweedfs#6539, in 3.85, signed
 * trailers followed in 4.02, #7623). Older releases store the framing inside the object, and Velero
 * later fails to read it (`gzip: invalid header`).
 */
export const SEAWEEDFS_TRAILER_DECODING = { major: 3, minor: 85, text: '3.85' };

/**
 * Rejects the one combination known to corrupt backups: an https endpoint, a plugin release that
 * sends aws-chunked trailers over https, and a SeaweedFS release that cannot decode them.
 */
export function requireDecodableUploads(bucket: S3Bucket, pluginImage: string): void {
  const pluginTag = imageTag(pluginImage);
  const seaweed = bucket.seaweedFSVersion;
  if (!bucket.secure || seaweed === undefined || pluginTag === undefined || !TRAILER_PLUGIN_TAGS.includes(pluginTag)) return;
  if (!seaweedFSOlderThan(seaweed, SEAWEEDFS_TRAILER_DECODING.major, SEAWEEDFS_TRAILER_DECODING.minor)) return;
  throw propError({
    construct: CONSTRUCT,
    prop: 'bucket.endpoint',
    value: bucket.endpoint,
    allowed: `an http:// endpoint for a bucket on SeaweedFS ${seaweed} with velero-plugin-for-aws ${pluginTag}: over https the plugin's AWS SDK sends uploads as aws-chunked bodies with a checksum trailer, which SeaweedFS before ${SEAWEEDFS_TRAILER_DECODING.text} does not decode but stores inside the objects (restores then fail with "gzip: invalid header")`,
    fix: `use the gateway's in-cluster http endpoint (what SeaweedFSStorage.addBucket returns, e.g. http://seaweedfs-s3.seaweedfs.svc:8333), or run SeaweedFS ${SEAWEEDFS_TRAILER_DECODING.text} or later and declare that release in the bucket's seaweedFSVersion`,
  });
}

/** The endpoint as BSL `s3Url`: scheme and host[:port] only (Kopia rejects a path: `path is not expected in s3Url`). */
export function s3Url(ctx: PropContext, endpoint: string): string {
  return requireServiceEndpoint(ctx, endpoint, 'http://seaweedfs-s3.seaweedfs.svc:8333');
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
    // without it uploads may work while downloads fail
    // (velero-io/velero@v1.18.1:site/content/docs/v1.18/contributions/minio.md).
    ...(bucket.forcePathStyle ? { s3ForcePathStyle: 'true' } : {}),
    s3Url: bucket.endpoint,
  };
  if (options.checksumAlgorithm !== undefined) {
    // "" tells velero-plugin-for-aws (>= 1.9.2) not to ask the SDK for a CRC32 checksum, the
    // documented workaround for stores that reject it (XAmzContentSHA256Mismatch). Over http the
    // SDK would only send it as a header; aws-chunked trailers are an https matter (see
    // requireDecodableUploads above).
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

/** VolumeSnapshotLocation `default` (EBS snapshots through the aws plugin): only when snapshots are enabled. */
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

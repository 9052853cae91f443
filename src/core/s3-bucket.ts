import { propError } from './errors';
import { seaweedFSRelease } from './seaweedfs-release';
import { requireSecretDataKey } from './secret-reference';
import { requireServiceEndpoint } from './url';
import { PropContext, optionalBoolean, requireDnsLabel, requireDnsSubdomain, requireNonEmpty } from './validate';

/** Options for `S3Credentials.fromSecret`. */
export interface S3CredentialsSecretOptions {
  /**
   * Key holding the access key id.
   * @default 'AWS_ACCESS_KEY_ID'
   */
  readonly accessKeyIdKey?: string;
  /**
   * Key holding the secret access key.
   * @default 'AWS_SECRET_ACCESS_KEY'
   */
  readonly secretAccessKeyKey?: string;
}

/** Where a consumer finds its S3 access key pair: two keys of a Secret in the consumer's namespace. */
export class S3Credentials {
  /**
   * Credentials stored in Secret `secretName` in `namespace`.
   */
  public static fromSecret(namespace: string, secretName: string, options: S3CredentialsSecretOptions = {}): S3Credentials {
    return new S3Credentials(namespace, secretName, options);
  }

  /** Namespace the Secret lives in (the consumer's namespace). */
  public readonly namespace: string;
  /** Name of the Secret. */
  public readonly secretName: string;
  /** Key holding the access key id. */
  public readonly accessKeyIdKey: string;
  /** Key holding the secret access key. */
  public readonly secretAccessKeyKey: string;

  private constructor(namespace: string, secretName: string, options: S3CredentialsSecretOptions) {
    const ctx = (prop: string): PropContext => ({ construct: 'S3Credentials', prop });
    this.namespace = requireDnsLabel(ctx('namespace'), namespace);
    this.secretName = requireDnsSubdomain(ctx('secretName'), secretName);
    this.accessKeyIdKey = requireSecretDataKey(ctx('accessKeyIdKey'), options.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID');
    this.secretAccessKeyKey = requireSecretDataKey(ctx('secretAccessKeyKey'), options.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY');
  }
}

/** Attributes of an S3 bucket that already exists (on SeaweedFS, MinIO, AWS, …). */
export interface S3BucketAttributes {
  /** Endpoint URL with scheme, host and optional port and no path, e.g. `http://seaweedfs-s3.seaweedfs:8333`. */
  readonly endpoint: string;
  /** Bucket name. */
  readonly bucket: string;
  /**
   * Region sent in request signatures. S3-compatible stores ignore it but clients require one.
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Address the bucket path-style (`endpoint/bucket/key`) rather than as a virtual host.
   * S3-compatible stores without wildcard DNS need path style.
   * @default true
   */
  readonly forcePathStyle?: boolean;
  /**
   * Access key pair of the consumer.
   * @default - none; constructs that write to the bucket then ask for credentials
   */
  readonly credentials?: S3Credentials;

  /**
   * The SeaweedFS release that serves the bucket, when the store is SeaweedFS, e.g. `3.73`.
   * Consumers check what their clients send against it: `VeleroKopiaBackup` rejects an `https://`
   * endpoint on SeaweedFS before 3.85, which stores the AWS SDK's aws-chunked upload framing inside
   * the objects. `SeaweedFSStorage.addBucket` sets it.
   * @default - the store is not SeaweedFS, or its release is unknown
   */
  readonly seaweedFSVersion?: string;

  /**
   * Whether the credentials may set a canned ACL on the objects they write (the `x-amz-acl`
   * header). Harbor's registry, Docker distribution's S3 driver, sends `x-amz-acl: private` with
   * every upload (docker/distribution@v2.8.3:registry/storage/driver/s3-aws/s3.go, `objectacl`), and
   * SeaweedFS 4.53 refuses such a write with AccessDenied unless the identity also holds `WriteAcp`
   * (weed/s3api/s3api_object_upload_acl.go). `HarborModelRegistry` rejects a bucket where this is
   * false. `SeaweedFSStorage.addBucket` sets it from its `objectAcls` option.
   * @default - unknown, not checked
   */
  readonly objectAcls?: boolean;
}

/**
 * A typed reference to an S3 bucket: endpoint, bucket, region, addressing style and the Secret
 * that holds a consumer's access keys. Produced by `SeaweedFSStorage.addBucket` or built for an
 * external store with `S3Bucket.fromAttributes`.
 */
export class S3Bucket {
  /** A bucket that exists outside this platform. */
  public static fromAttributes(attributes: S3BucketAttributes): S3Bucket {
    return new S3Bucket(attributes);
  }

  /**
   * Validates a bucket name against the S3 naming rules
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
   * @param construct who is asking, for the error message
   * @param prop the prop that carried the name
   * @param bucket the name
   */
  public static validateBucketName(construct: string, prop: string, bucket: string): void {
    const problem = bucketNameProblem(bucket);
    if (problem) {
      throw propError({
        construct,
        prop,
        value: bucket,
        allowed: `an S3 bucket name: 3-63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (${problem})`,
        fix: 'use a name such as "velero-backups"',
      });
    }
  }

  /** Endpoint URL (scheme, host, optional port, no path). */
  public readonly endpoint: string;
  /** Bucket name. */
  public readonly bucket: string;
  /** Signing region. */
  public readonly region: string;
  /** Whether clients must use path-style addressing. */
  public readonly forcePathStyle: boolean;
  /** Consumer credentials, if known. */
  public readonly credentials?: S3Credentials;
  /** The SeaweedFS release serving the bucket, if the store is SeaweedFS and its release is known. */
  public readonly seaweedFSVersion?: string;
  /** Whether the credentials may set canned object ACLs on upload, if known. */
  public readonly objectAcls?: boolean;

  private constructor(attributes: S3BucketAttributes) {
    this.endpoint = validateEndpoint(attributes.endpoint);
    S3Bucket.validateBucketName('S3Bucket', 'bucket', attributes.bucket);
    this.bucket = attributes.bucket;
    this.region = requireNonEmpty({ construct: 'S3Bucket', prop: 'region' }, attributes.region ?? 'us-east-1', 'us-east-1');
    this.forcePathStyle = attributes.forcePathStyle ?? true;
    this.credentials = attributes.credentials;
    if (attributes.seaweedFSVersion !== undefined && seaweedFSRelease(attributes.seaweedFSVersion) === undefined) {
      throw propError({
        construct: 'S3Bucket',
        prop: 'seaweedFSVersion',
        value: attributes.seaweedFSVersion,
        allowed: 'a SeaweedFS release MAJOR.MINOR, optionally followed by an image variant (e.g. "3.73" or "3.73_large_disk")',
        fix: 'pass the release the store runs, or leave it out when the store is not SeaweedFS',
      });
    }
    this.seaweedFSVersion = attributes.seaweedFSVersion;
    this.objectAcls = attributes.objectAcls === undefined ? undefined : optionalBoolean({ construct: 'S3Bucket', prop: 'objectAcls' }, attributes.objectAcls, false);
  }

  /**
   * The same bucket (name, region, addressing, credentials, store release, ACL permission) reached through another
   * endpoint, e.g. a TLS-terminating proxy or Ingress in front of the S3 gateway.
   * @param endpoint URL with scheme, host and optional port and no path
   */
  public withEndpoint(endpoint: string): S3Bucket {
    return new S3Bucket({
      endpoint,
      bucket: this.bucket,
      region: this.region,
      forcePathStyle: this.forcePathStyle,
      credentials: this.credentials,
      seaweedFSVersion: this.seaweedFSVersion,
      objectAcls: this.objectAcls,
    });
  }

  /** Whether the endpoint uses TLS. */
  public get secure(): boolean {
    return this.endpoint.startsWith('https://');
  }

  /** `host:port` of the endpoint (port defaulted from the scheme). */
  public get hostPort(): string {
    const url = new URL(this.endpoint);
    return `${url.hostname}:${url.port || (this.secure ? '443' : '80')}`;
  }
}

function validateEndpoint(endpoint: string): string {
  return requireServiceEndpoint({ construct: 'S3Bucket', prop: 'endpoint' }, endpoint, 'http://seaweedfs-s3.seaweedfs.svc:8333');
}

function bucketNameProblem(name: string): string | undefined {
  if (typeof name !== 'string') return 'not a string';
  if (name.length < 3 || name.length > 63) return 'length must be 3-63';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return "only lowercase letters, digits, '.' and '-', starting and ending with a letter or digit";
  if (name.includes('..')) return 'no two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-')) return 'reserved prefix';
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return 'reserved suffix';
  return undefined;
}

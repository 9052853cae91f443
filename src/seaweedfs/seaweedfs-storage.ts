import { Construct } from 'constructs';
import { buildBucketJob } from './bucket-job';
import {
  ACCESS_KEY_ID_KEY, ACCESS_KEY_ID_LENGTH, PORTS, S3_REGION, SECRET_ACCESS_KEY_KEY, SECRET_ACCESS_KEY_LENGTH,
} from './constants';
import { SeaweedContext, componentName, filerClientAddress, filerClientServiceName, masterAddresses } from './context';
import { buildFiler } from './filer';
import { ADMIN_ACTIONS, consumerActions, consumerIdentityName } from './identities';
import { buildMaster } from './master';
import { buildBucketJobPolicy, buildNetworkPolicies } from './network-policies';
import { ReplicaPlacement, parseReplication } from './replication';
import { IdentityWithSecret, buildS3Gateway } from './s3-gateway';
import { buildScriptsConfigMap } from './scripts';
import { buildVolumeServers } from './volume-servers';
import { VolumeSlotPlan, planVolumeSlots } from './volume-slots';
import { ClusterNetwork, resolveClusterNetwork } from '../core/cluster-network';
import { ComputeResources } from '../core/compute-resources';
import { propError } from '../core/errors';
import { GeneratedValue } from '../core/generated-value';
import { requireImageTag } from '../core/image-reference';
import { ImageCatalog, PlatformImage } from '../core/images';
import { ensureNamespace } from '../core/names';
import { resourceRequirements } from '../core/pod-security';
import { S3Bucket, S3Credentials } from '../core/s3-bucket';
import { seaweedFSRelease } from '../core/seaweedfs-release';
import { SecretBootstrap } from '../core/secret-bootstrap';
import { optionalBoolean, optionalInstance, parseByteQuantity, PropContext, rejectNullProps, requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireInteger, requireNonEmpty } from '../core/validate';

const CONSTRUCT = 'SeaweedFSStorage';

/** Longest instance name: StatefulSet pods get a `controller-revision-hash` label of `<name>-<component>-<10 chars>` (≤ 63). */
const MAX_NAME_LENGTH = 30;

/** Props for `SeaweedFSStorage`. */
export interface SeaweedFSStorageProps {
  /**
   * Namespace for every SeaweedFS object (created if no other construct created it).
   * @default 'seaweedfs'
   */
  readonly namespace?: string;

  /**
   * Instance name, the prefix of every object name (`<name>-master`, `<name>-s3`, ...). At most 30 characters.
   * @default 'seaweedfs'
   */
  readonly name?: string;

  /**
   * SeaweedFS release, used as the image tag. The flags, probes and ports written here are those of 3.73.
   * @default '3.73'
   */
  readonly version?: string;

  /**
   * Image catalog (registry mirror, per-image overrides).
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * StorageClass of every PVC (master, volume servers, filer).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * PVC size of each master (Raft log and sequence state, small).
   * @default '1Gi'
   */
  readonly masterStorageSize?: string;

  /**
   * PVC size of the filer (leveldb2 metadata store, grows with the number of objects).
   * @default '5Gi'
   */
  readonly filerStorageSize?: string;

  /**
   * PVC size of each volume server: the bulk data. Must hold the first volume growth of every
   * bucket; the construct sizes `-volumeSizeLimitMB` to fit and rejects sizes that cannot.
   * @default '20Gi'
   */
  readonly volumeStorageSize?: string;

  /**
   * Number of volume servers (StatefulSet replicas), each with its own PVC.
   * @default 1
   */
  readonly volumeServers?: number;

  /**
   * Number of masters (Raft): must be odd.
   * @default 1
   */
  readonly masterReplicas?: number;

  /**
   * Number of S3 gateway pods (stateless).
   * @default 1
   */
  readonly s3Replicas?: number;

  /**
   * Replica placement `XYZ` for all data (master `-defaultReplication`, filer
   * `-defaultReplicaPlacement`): `000` one copy, `001` two copies on two volume servers, ...
   * All volume servers run in one data center and rack, so X and Y must be 0 and
   * Z + 1 must not exceed `volumeServers`.
   * @default '000'
   */
  readonly replication?: string;

  /**
   * Fix the master's `-volumeSizeLimitMB` instead of computing it from the volume PVC size and the
   * number of buckets (the computed value shrinks as buckets are added, existing full volumes then
   * simply turn read-only). 1 to 30000.
   * @default - computed, at most 1000
   */
  readonly volumeSizeLimitMB?: number;

  /**
   * Existing Secret in the storage namespace with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
   * (alphanumeric) for the S3 admin identity. The secret bootstrap checks that it exists.
   * @default - a Secret `<name>-s3-admin` is generated in-cluster (20/40 random alphanumeric characters)
   */
  readonly adminSecretName?: string;

  /**
   * Namespaces, besides the bucket consumers' namespaces, whose pods may reach the S3 port (8333).
   * @default - only the consumers' namespaces
   */
  readonly s3ClientNamespaces?: string[];

  /**
   * Namespaces whose pods may scrape the metrics port (9327) of every component (e.g. `monitoring`).
   * @default - metrics are not reachable
   */
  readonly metricsClientNamespaces?: string[];

  /**
   * The cluster's network: the API server peers of the secret bootstrap Job, and the DNS servers
   * every SeaweedFS pod may query.
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * Resources of each master.
   * @default - 50m CPU, 64Mi memory requested; 256Mi memory limit
   */
  readonly masterResources?: ComputeResources;

  /**
   * Resources of each volume server.
   * @default - 100m CPU, 128Mi memory requested; 512Mi memory limit
   */
  readonly volumeResources?: ComputeResources;

  /**
   * Resources of the filer.
   * @default - 100m CPU, 128Mi memory requested; 512Mi memory limit
   */
  readonly filerResources?: ComputeResources;

  /**
   * Resources of each S3 gateway pod (the identities init container has fixed small resources).
   * @default - 50m CPU, 64Mi memory requested; 256Mi memory limit
   */
  readonly s3Resources?: ComputeResources;

  /**
   * Resources of the bucket-creation Job.
   * @default - 50m CPU, 64Mi memory requested; 256Mi memory limit
   */
  readonly bucketJobResources?: ComputeResources;
}

/** Options for `SeaweedFSStorage.addBucket`. */
export interface SeaweedFSBucketOptions {
  /**
   * Namespace of the bucket's consumer (e.g. `velero`). It gets a copy of the consumer's access-key
   * Secret and is allowed to reach the S3 port.
   */
  readonly consumerNamespace: string;

  /**
   * Also allow object tagging (PUT/DELETE object tags) on the bucket.
   * @default false
   */
  readonly tagging?: boolean;

  /**
   * Also allow the consumer to set canned ACLs on the objects it writes (`WriteAcp` on the
   * bucket). Harbor's registry needs it: its S3 driver sends `x-amz-acl: private` with every
   * upload, which SeaweedFS 4.53 refuses without `WriteAcp` (3.73 asks only for `Write`).
   * `ModelPlatform` sets it for the registry bucket.
   * @default false
   */
  readonly objectAcls?: boolean;
}

interface DeclaredBucket {
  readonly bucket: S3Bucket;
  readonly consumerNamespace: string;
  readonly secretName: string;
  readonly tagging: boolean;
  readonly objectAcls: boolean;
}

/**
 * SeaweedFS 3.73 as in-cluster S3 storage: master, volume and filer StatefulSets, an S3 gateway
 * Deployment, declared buckets (created by an idempotent Job) with one least-privilege identity
 * each, default-deny NetworkPolicies with exactly the flows SeaweedFS uses, and no secret value in
 * any manifest (keys are generated in-cluster by a `SecretBootstrap`).
 *
 * @example
 * const storage = new SeaweedFSStorage(chart, 'storage', { volumeStorageSize: '50Gi' });
 * const backups = storage.addBucket('velero', { consumerNamespace: 'velero' });
 */
export class SeaweedFSStorage extends Construct {
  /** Namespace of the SeaweedFS objects. */
  public readonly namespace: string;
  /** Instance name (prefix of object names). */
  public readonly name: string;
  /** SeaweedFS version deployed. */
  public readonly version: string;
  /** Image reference of every SeaweedFS container. */
  public readonly image: string;
  /** Replica placement of all data. */
  public readonly replication: string;
  /** Endpoint of the S3 API inside the cluster, e.g. `http://seaweedfs-s3.seaweedfs.svc:8333`. */
  public readonly s3Endpoint: string;
  /** Name of the S3 ClusterIP Service (port 8333). */
  public readonly s3ServiceName: string;
  /** Name of the masters' headless Service (ports 9333, 19333). */
  public readonly masterServiceName: string;
  /** Name of the volume servers' headless Service (ports 8080, 18080). */
  public readonly volumeServiceName: string;
  /** Name of the filer's headless Service (ports 8888, 18888), for peers. */
  public readonly filerServiceName: string;
  /** Name of the filer's ClusterIP Service (ports 8888, 18888), for clients. */
  public readonly filerClientServiceName: string;
  /** `host:port` of every master, comma-separated, as `weed shell -master=` expects. */
  public readonly masterAddress: string;
  /** `host:port` of the filer client Service, as `weed shell -filer=` expects. */
  public readonly filerAddress: string;
  /** Secret (in `namespace`) with the admin identity's `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. */
  public readonly adminSecretName: string;

  private readonly ctx: SeaweedContext;
  private readonly placement: ReplicaPlacement;
  private readonly volumeSizeText: string;
  private readonly volumeSizeBytes: number;
  private readonly fixedLimitMB?: number;
  private readonly volumeServers: number;
  private readonly secrets: SecretBootstrap;
  private readonly declared: DeclaredBucket[] = [];
  private readonly bucketJobResources: ComputeResources | undefined;
  private bucketJobCreated = false;

  constructor(scope: Construct, id: string, props: SeaweedFSStorageProps = {}) {
    super(scope, id);
    rejectNullProps('SeaweedFSStorage', props);
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });

    this.namespace = requireDnsLabel(at('namespace'), props.namespace ?? 'seaweedfs');
    this.name = requireDns1035Label(at('name'), props.name ?? 'seaweedfs', MAX_NAME_LENGTH);
    this.version = requireImageTag(at('version'), props.version ?? PlatformImage.SEAWEEDFS.tag, PlatformImage.SEAWEEDFS.tag);
    if (seaweedFSRelease(this.version) === undefined) {
      // Buckets carry the release, so consumers can check what their clients send against it.
      throw propError({ ...at('version'), value: this.version, allowed: 'a SeaweedFS release tag MAJOR.MINOR, optionally with an image variant (e.g. "3.73" or "3.73_large_disk")', fix: `use e.g. "${PlatformImage.SEAWEEDFS.tag}"` });
    }
    const images = optionalInstance({ construct: 'SeaweedFSStorage', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    this.image = images.resolve(PlatformImage.SEAWEEDFS, this.version);

    let storageClassName: string | undefined;
    if (props.storageClassName !== undefined) {
      storageClassName = requireDnsSubdomain(at('storageClassName'), requireNonEmpty(at('storageClassName'), props.storageClassName, 'standard'));
    }
    const masterStorageSize = sizeProp(at('masterStorageSize'), props.masterStorageSize ?? '1Gi');
    const filerStorageSize = sizeProp(at('filerStorageSize'), props.filerStorageSize ?? '5Gi');
    this.volumeSizeText = sizeProp(at('volumeStorageSize'), props.volumeStorageSize ?? '20Gi');
    this.volumeSizeBytes = parseByteQuantity(at('volumeStorageSize'), this.volumeSizeText, '20Gi');

    const volumeServers = requireInteger(at('volumeServers'), props.volumeServers ?? 1, 1, 100);
    this.volumeServers = volumeServers;
    const masterReplicas = requireInteger(at('masterReplicas'), props.masterReplicas ?? 1, 1, 7);
    if (masterReplicas % 2 === 0) {
      throw propError({ ...at('masterReplicas'), value: masterReplicas, allowed: 'an odd number of masters (Raft needs a majority): 1, 3, 5 or 7', fix: `use ${masterReplicas - 1} or ${masterReplicas + 1}` });
    }
    const s3Replicas = requireInteger(at('s3Replicas'), props.s3Replicas ?? 1, 1, 50);
    this.placement = parseReplication(at('replication'), props.replication ?? '000', volumeServers);
    this.replication = this.placement.text;
    if (props.volumeSizeLimitMB !== undefined) {
      this.fixedLimitMB = requireInteger(at('volumeSizeLimitMB'), props.volumeSizeLimitMB, 1, 30000);
    }
    const s3ClientNamespaces = namespaceList(at('s3ClientNamespaces'), props.s3ClientNamespaces);
    const metricsClientNamespaces = namespaceList(at('metricsClientNamespaces'), props.metricsClientNamespaces);

    const masterResources = resourceRequirements(at('masterResources'), props.masterResources, { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' });
    const volumeResources = resourceRequirements(at('volumeResources'), props.volumeResources, { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' });
    const filerResources = resourceRequirements(at('filerResources'), props.filerResources, { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' });
    const s3Resources = resourceRequirements(at('s3Resources'), props.s3Resources, { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' });
    // Validated now, used when the first bucket creates the Job.
    resourceRequirements(at('bucketJobResources'), props.bucketJobResources, BUCKET_JOB_RESOURCES);
    this.bucketJobResources = props.bucketJobResources;

    // Fails now if the volume PVC cannot even hold the default collection.
    this.planFor(0);

    this.ctx = { namespace: this.namespace, name: this.name, image: this.image, version: this.version, masterReplicas, volumeServers };
    this.s3ServiceName = componentName(this.ctx, 's3');
    this.s3Endpoint = `http://${this.s3ServiceName}.${this.namespace}.svc:${PORTS.s3Http}`;
    this.masterServiceName = componentName(this.ctx, 'master');
    this.volumeServiceName = componentName(this.ctx, 'volume');
    this.filerServiceName = componentName(this.ctx, 'filer');
    this.filerClientServiceName = filerClientServiceName(this.ctx);
    this.masterAddress = masterAddresses(this.ctx).join(',');
    this.filerAddress = filerClientAddress(this.ctx);

    // The Namespace precedes every object of the install in the output.
    ensureNamespace(this, this.namespace, {
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    }, at('namespace'));

    this.secrets = new SecretBootstrap(this, 'secret-bootstrap', {
      namespace: this.namespace,
      name: this.name,
      images,
      appName: 'seaweedfs',
      instance: this.name,
      network: resolveClusterNetwork(at('network'), props.network),
    });
    if (props.adminSecretName !== undefined) {
      this.adminSecretName = requireDnsSubdomain(at('adminSecretName'), props.adminSecretName);
      this.secrets.requireExistingSecret(this.adminSecretName, [ACCESS_KEY_ID_KEY, SECRET_ACCESS_KEY_KEY]);
    } else {
      this.adminSecretName = this.secrets.addSecret(`${this.name}-s3-admin`, { keys: accessKeyGenerators() }).name;
    }

    buildScriptsConfigMap(this, this.ctx);
    buildMaster(this, this.ctx, {
      replication: this.replication,
      storageSize: masterStorageSize,
      storageClassName,
      resources: masterResources,
      plan: () => this.planFor(this.declared.length),
    });
    buildVolumeServers(this, this.ctx, { storageSize: this.volumeSizeText, storageClassName, resources: volumeResources });
    buildFiler(this, this.ctx, { replication: this.replication, storageSize: filerStorageSize, storageClassName, resources: filerResources });
    buildS3Gateway(this, this.ctx, {
      replicas: s3Replicas,
      resources: s3Resources,
      initResources: resourceRequirements(at('s3Resources'), undefined, { cpuRequest: '10m', memoryRequest: '16Mi', memoryLimit: '64Mi' }),
      identities: () => this.identities(),
    });
    buildNetworkPolicies(this, this.ctx, {
      network: this.secrets.network,
      s3ClientNamespaces: () => [...s3ClientNamespaces, ...this.declared.map((d) => d.consumerNamespace)],
      metricsClientNamespaces,
      bucketJob: () => this.declared.length > 0,
    });
  }

  /** Buckets declared so far, in declaration order. */
  public get buckets(): S3Bucket[] {
    return this.declared.map((d) => d.bucket);
  }

  /** The master's `-volumeSizeLimitMB` for the buckets declared so far (see `volume-slots.ts`). */
  public get volumeSizeLimitMB(): number {
    return this.planFor(this.declared.length).volumeSizeLimitMB;
  }

  /** Logical volumes a collection grows by at once (`WEED_MASTER_VOLUME_GROWTH_COPY_<n>`) for the buckets declared so far. */
  public get volumeGrowthCount(): number {
    return this.planFor(this.declared.length).growthCount;
  }

  /**
   * Declares a bucket: it is created by the bucket Job, gets a consumer identity limited to
   * Read/Write/List (and Tagging if asked) on this bucket, whose keys are generated into Secret
   * `<name>-bucket-<bucket>` and copied into the consumer's namespace.
   *
   * @param bucket S3 bucket name (3-63 lowercase letters, digits, '.', '-')
   * @param options consumer namespace and permissions
   * @returns endpoint, bucket, region, path-style flag and the consumer's credentials Secret
   */
  public addBucket(bucket: string, options: SeaweedFSBucketOptions): S3Bucket {
    const prop = `addBucket(${typeof bucket === 'string' ? JSON.stringify(bucket) : '?'})`;
    S3Bucket.validateBucketName(CONSTRUCT, 'addBucket.bucket', bucket);
    if (this.declared.some((d) => d.bucket.bucket === bucket)) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'addBucket.bucket',
        value: bucket,
        allowed: `a bucket not declared yet (declared: ${this.declared.map((d) => d.bucket.bucket).join(', ')})`,
        fix: 'declare each bucket once and share the returned S3Bucket',
      });
    }
    if (options === undefined || options === null || typeof options !== 'object') {
      throw propError({ construct: CONSTRUCT, prop: `${prop}.options`, value: options, allowed: 'an options object with consumerNamespace', fix: "pass { consumerNamespace: 'velero' }" });
    }
    const consumerNamespace = requireDnsLabel({ construct: CONSTRUCT, prop: `${prop}.consumerNamespace` }, options.consumerNamespace);
    // Throws (naming the minimum PVC size) before anything is declared.
    this.planFor(this.declared.length + 1);

    const tagging = optionalBoolean({ construct: CONSTRUCT, prop: `${prop}.tagging` }, options.tagging, false);
    const objectAcls = optionalBoolean({ construct: CONSTRUCT, prop: `${prop}.objectAcls` }, options.objectAcls, false);
    const secretName = `${this.name}-bucket-${bucket}`;
    this.secrets.addSecret(secretName, {
      keys: accessKeyGenerators(),
      copyToNamespaces: consumerNamespace === this.namespace ? [] : [consumerNamespace],
    });
    const s3Bucket = S3Bucket.fromAttributes({
      endpoint: this.s3Endpoint,
      bucket,
      region: S3_REGION,
      forcePathStyle: true,
      credentials: S3Credentials.fromSecret(consumerNamespace, secretName),
      seaweedFSVersion: this.version,
      objectAcls,
    });
    this.declared.push({ bucket: s3Bucket, consumerNamespace, secretName, tagging, objectAcls });

    if (!this.bucketJobCreated) {
      this.bucketJobCreated = true;
      buildBucketJob(this, this.ctx, {
        resources: resourceRequirements({ construct: CONSTRUCT, prop: 'bucketJobResources' }, this.bucketJobResources, BUCKET_JOB_RESOURCES),
        buckets: () => this.declared.map((d) => d.bucket.bucket),
      });
      buildBucketJobPolicy(this, this.ctx);
    }
    return s3Bucket;
  }

  private planFor(buckets: number): VolumeSlotPlan {
    return planVolumeSlots({ construct: CONSTRUCT, prop: 'volumeStorageSize' }, this.volumeSizeText, {
      volumeSizeBytes: this.volumeSizeBytes,
      volumeServers: this.volumeServers,
      buckets,
      copyCount: this.placement.copyCount,
      fixedLimitMB: this.fixedLimitMB,
    });
  }

  private identities(): IdentityWithSecret[] {
    return [
      { identity: { name: 'admin', credentialsSubdir: 'admin', actions: ADMIN_ACTIONS }, secretName: this.adminSecretName },
      ...this.declared.map((d) => {
        const name = consumerIdentityName(d.bucket.bucket);
        const actions = consumerActions(d.bucket.bucket, { tagging: d.tagging, objectAcls: d.objectAcls });
        return { identity: { name, credentialsSubdir: name, actions }, secretName: d.secretName };
      }),
    ];
  }
}

const BUCKET_JOB_RESOURCES = { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' };

function accessKeyGenerators(): { [key: string]: GeneratedValue } {
  return {
    [ACCESS_KEY_ID_KEY]: GeneratedValue.randomAlphanumeric(ACCESS_KEY_ID_LENGTH),
    [SECRET_ACCESS_KEY_KEY]: GeneratedValue.randomAlphanumeric(SECRET_ACCESS_KEY_LENGTH),
  };
}

function sizeProp(ctx: PropContext, value: string): string {
  parseByteQuantity(ctx, value);
  return value.trim();
}

function namespaceList(ctx: PropContext, values: string[] | undefined): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) {
    throw propError({ ...ctx, value: values, allowed: 'a list of namespace names', fix: 'pass e.g. ["monitoring"]' });
  }
  return values.map((ns, i) => requireDnsLabel({ construct: ctx.construct, prop: `${ctx.prop}[${i}]` }, ns));
}

import { Chart, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { ClusterNetwork } from '../core/cluster-network';
import { ComputeResources } from '../core/compute-resources';
import { ImageCatalog } from '../core/images';
import { S3Bucket } from '../core/s3-bucket';

/** Log levels of the Velero server and node-agent (`--log-level`). */
export enum VeleroLogLevel {
  TRACE = 'trace',
  DEBUG = 'debug',
  INFO = 'info',
  WARNING = 'warning',
  ERROR = 'error',
  FATAL = 'fatal',
  PANIC = 'panic',
}

/**
 * Settings of a `VeleroKopiaBackup` install apart from where it stores backups (shared by
 * `VeleroKopiaBackupProps` and `ModelPlatform`).
 */
export interface VeleroKopiaBackupOptions {
  /**
   * Namespace of the install.
   * @default 'velero'
   */
  readonly namespace?: string;

  /**
   * Key prefix inside the bucket (`objectStorage.prefix`).
   * @default - the bucket root
   */
  readonly prefix?: string;

  /**
   * Image catalog (registry mirror, overrides) for the velero and plugin images (and the secret bootstrap image).
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * Back up every pod volume with Kopia unless excluded (`--default-volumes-to-fs-backup`).
   * @default true
   */
  readonly defaultVolumesToFsBackup?: boolean;

  /**
   * Timeout of the file-system backup or restore of one pod (`--fs-backup-timeout`), as a Go
   * duration. Kopia reads, hashes, compresses and uploads one file as one stream, so a model file
   * sets the pace: a 70 GB GGUF at an ASSUMED 10 MiB/s single-file rate takes about 1.9 h (at
   * 50 MiB/s about 22 min). 240m (upstream's server default) leaves twice that margin; raise it for
   * slower storage or bigger models (time = size / single-file throughput).
   * @default '240m'
   */
  readonly fsBackupTimeout?: string;

  /**
   * Resources of the server container.
   * @default - 500m CPU, 128Mi memory requested; 1 CPU, 512Mi memory limits (upstream's values)
   */
  readonly serverResources?: ComputeResources;

  /**
   * Resources of the node-agent. Upstream leaves it without requests or limits (BestEffort); here it
   * gets requests and a memory limit. The Kopia data path runs in per-volume data-mover pods.
   * @default - 100m CPU, 128Mi memory requested; 1Gi memory limit, no CPU limit
   */
  readonly nodeAgentResources?: ComputeResources;

  /**
   * Resources of the Kopia repository maintenance Jobs (repo-maintenance ConfigMap `podResources`).
   * @default - 100m CPU, 256Mi memory requested; 1Gi memory limit, no CPU limit
   */
  readonly maintenanceJobResources?: ComputeResources;

  /**
   * Maintenance Jobs kept per repository (ConfigMap `keepLatestMaintenanceJobs`).
   * @default 3
   */
  readonly keepLatestMaintenanceJobs?: number;

  /**
   * Log level of the server and the node-agent.
   * @default - Velero's default (info); no flag is written
   */
  readonly logLevel?: VeleroLogLevel;

  /**
   * Feature flags (`--features=`), e.g. `["EnableCSI"]`.
   * @default - none (`--features=` empty, as `velero install` writes it)
   */
  readonly features?: string[];

  /**
   * Tolerations of the node-agent, so that it also runs on tainted GPU or inference nodes (a pod
   * volume can only be backed up by the agent on the pod's node), e.g.
   * `[{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]`.
   * @default - none (upstream: the agent skips tainted nodes)
   */
  readonly nodeAgentTolerations?: k8s.Toleration[];

  /**
   * The kubelet's root directory on the nodes (k0s, microk8s and some distributions move it).
   * @default '/var/lib/kubelet'
   */
  readonly kubeletRootDir?: string;

  /**
   * Create VolumeSnapshotLocation `default` (aws provider, EBS snapshots). File-system backup needs
   * none; an S3-compatible store cannot take volume snapshots.
   * @default false
   */
  readonly volumeSnapshots?: boolean;

  /**
   * BSL `checksumAlgorithm`: `""` (do not request one), `CRC32`, `CRC32C`, `SHA1` or `SHA256`.
   * @default - "" for S3-compatible stores (any endpoint outside amazonaws.com), the plugin default (CRC32) for AWS
   */
  readonly checksumAlgorithm?: string;

  /**
   * Set `AWS_REQUEST_CHECKSUM_CALCULATION=when_required` and
   * `AWS_RESPONSE_CHECKSUM_VALIDATION=when_required` on the server, so the plugin's AWS SDK
   * computes checksums only where an operation requires one. Over `http://` the SDK sends checksums
   * as headers only (never aws-chunked trailers), so this is not needed for SeaweedFS over http;
   * over `https://` it does not cover the plugin's multipart uploads (velero-io/velero#10543).
   * @default - true for S3-compatible stores, false for AWS
   */
  readonly sdkChecksumWhenRequired?: boolean;

  /**
   * BSL `publicUrl`: the endpoint the `velero` CLI uses for downloads (`backup logs`,
   * `describe --details`) when it cannot reach the in-cluster `s3Url`.
   * @default - downloads use s3Url
   */
  readonly publicUrl?: string;

  /**
   * The cluster's network: the API server peers of the server, the node-agent, the data-mover and
   * maintenance pods and the CRD and secret bootstrap Jobs, and the DNS servers every pod may query.
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * Where an S3 endpoint outside the cluster lives, for the egress policies (in-cluster `*.svc`
   * endpoints are matched by their namespace instead).
   * @default '0.0.0.0/0'
   */
  readonly s3EgressCidr?: string;

  /**
   * Namespaces whose pods may scrape the metrics port 8085 of the server and the node-agent.
   * @default - none
   */
  readonly metricsClientNamespaces?: string[];

  /**
   * How long the secret bootstrap waits for the bucket's credentials Secret to be copied into the
   * namespace before its Job fails (it is retried).
   * @default Duration.minutes(5)
   */
  readonly credentialsWaitTimeout?: Duration;
}

/** Props for `VeleroKopiaBackup`. */
export interface VeleroKopiaBackupProps extends VeleroKopiaBackupOptions {
  /**
   * Bucket for backups, e.g. `SeaweedFSStorage.addBucket('velero', { consumerNamespace: 'velero' })`.
   * Its credentials must name a Secret in Velero's namespace; Velero gets its own bucket (or
   * `prefix`), because it rejects a location whose root holds foreign top-level directories.
   * An `https://` endpoint on SeaweedFS before 3.85 (`S3Bucket.seaweedFSVersion`) is rejected
   * with velero-plugin-for-aws v1.14.1/v1.14.2: over https their AWS SDK sends aws-chunked bodies
   * with a checksum trailer, which those SeaweedFS releases store inside the objects.
   */
  readonly bucket: S3Bucket;

  /**
   * Chart for the Velero custom resources (storage locations, schedules, backups, restores). It
   * must be applied after the chart of this construct (whose CRD Job creates the CRDs); the
   * construct makes it depend on that chart.
   * @default - a sibling Chart `<id>-resources` in the same App
   */
  readonly resourcesChart?: Chart;
}

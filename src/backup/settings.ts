import { k8s } from 'cdk8s-plus-30';
import { VeleroKopiaBackupProps, VeleroLogLevel } from './props';
import { CHECKSUM_ALGORITHMS, isAwsEndpoint, requireDecodableUploads, requirePrefix, requireUsableBucket, s3Url } from './storage-location';
import { ClusterNetwork, resolveClusterNetwork } from '../core/cluster-network';
import { ComputeResources } from '../core/compute-resources';
import { propError } from '../core/errors';
import { parseGoDuration, formatGoDuration, requirePositiveDuration } from '../core/go-duration';
import { ImageCatalog, PlatformImage } from '../core/images';
import { Wire } from '../core/kube-object';
import { resourceRequirements } from '../core/pod-security';
import { S3Bucket } from '../core/s3-bucket';
import { PropContext, requireDnsLabel, requireInteger, requireOneOf, requireCidr, optionalBoolean, requireArray, optionalInstance } from '../core/validate';

const CONSTRUCT = 'VeleroKopiaBackup';

/** The props of `VeleroKopiaBackup`, validated, with defaults applied. */
export interface VeleroSettings {
  readonly namespace: string;
  readonly bucket: S3Bucket;
  /** Velero server image. */
  readonly veleroImage: string;
  /** velero-plugin-for-aws image. */
  readonly pluginImage: string;
  readonly prefix?: string;
  /** BSL `checksumAlgorithm`, or undefined for the plugin default. */
  readonly checksumAlgorithm?: string;
  readonly checksumWhenRequired: boolean;
  readonly publicUrl?: string;
  /** `--fs-backup-timeout` as Go prints it. */
  readonly fsBackupTimeout: string;
  readonly defaultVolumesToFsBackup: boolean;
  readonly features: string[];
  readonly kubeletRootDir: string;
  readonly logLevel?: string;
  readonly network: ClusterNetwork;
  readonly s3EgressCidr: string;
  readonly metricsClientNamespaces: string[];
  readonly serverResources: Wire<k8s.ResourceRequirements>;
  readonly nodeAgentResources: Wire<k8s.ResourceRequirements>;
  readonly maintenance: { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
  readonly keepLatestMaintenanceJobs: number;
}

/** Validates every prop (throwing a propError naming it) and applies the defaults. */
export function resolveSettings(props: VeleroKopiaBackupProps): VeleroSettings {
  const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });
  if (props === undefined || props === null) {
    throw propError({ ...at('props'), value: props, allowed: 'props with a bucket', fix: "pass { bucket: storage.addBucket('velero', { consumerNamespace: 'velero' }) }" });
  }
  const namespace = requireDnsLabel(at('namespace'), props.namespace ?? 'velero');
  const bucket = requireUsableBucket(props.bucket, namespace);
  const aws = isAwsEndpoint(bucket.endpoint);
  const images = optionalInstance(at('images'), props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
  const pluginImage = images.resolve(PlatformImage.VELERO_PLUGIN_AWS);
  requireDecodableUploads(bucket, pluginImage);
  const kubeletRootDir = props.kubeletRootDir ?? '/var/lib/kubelet';
  if (!/^\/[A-Za-z0-9._/-]*$/.test(kubeletRootDir) || kubeletRootDir.includes('..')) {
    throw propError({ ...at('kubeletRootDir'), value: kubeletRootDir, allowed: 'an absolute path without ".."', fix: 'pass e.g. "/var/lib/kubelet"' });
  }
  const timeout = requirePositiveDuration(at('fsBackupTimeout'), props.fsBackupTimeout ?? '240m', '240m');
  const maintenanceDefaults = { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '1Gi' };
  resourceRequirements(at('maintenanceJobResources'), props.maintenanceJobResources, maintenanceDefaults);
  const maintenance = { ...maintenanceDefaults, ...definedOnly(props.maintenanceJobResources) };
  return {
    namespace,
    bucket,
    veleroImage: images.resolve(PlatformImage.VELERO),
    pluginImage,
    prefix: props.prefix === undefined ? undefined : requirePrefix(at('prefix'), props.prefix),
    // S3-compatible stores: no checksum request (velero-io/velero-plugin-for-aws@v1.14.2:README.md); AWS keeps the plugin default.
    checksumAlgorithm: props.checksumAlgorithm === undefined ? (aws ? undefined : '') : requireOneOf(at('checksumAlgorithm'), props.checksumAlgorithm, CHECKSUM_ALGORITHMS),
    checksumWhenRequired: optionalBoolean(at('sdkChecksumWhenRequired'), props.sdkChecksumWhenRequired, !aws),
    publicUrl: props.publicUrl === undefined ? undefined : s3Url(at('publicUrl'), props.publicUrl),
    fsBackupTimeout: formatGoDuration(parseGoDuration(timeout)!),
    defaultVolumesToFsBackup: optionalBoolean(at('defaultVolumesToFsBackup'), props.defaultVolumesToFsBackup, true),
    features: featureList(at('features'), props.features),
    kubeletRootDir,
    logLevel: props.logLevel === undefined ? undefined : requireOneOf(at('logLevel'), props.logLevel, Object.values(VeleroLogLevel)),
    network: resolveClusterNetwork(at('network'), props.network),
    s3EgressCidr: requireCidr(at('s3EgressCidr'), props.s3EgressCidr ?? '0.0.0.0/0', 'pass the addresses as a CIDR'),
    metricsClientNamespaces: requireArray(at('metricsClientNamespaces'), props.metricsClientNamespaces ?? [], '["monitoring"]', (ctx, ns) => requireDnsLabel(ctx, ns)),
    serverResources: resourceRequirements(at('serverResources'), props.serverResources, { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '512Mi' }),
    nodeAgentResources: resourceRequirements(at('nodeAgentResources'), props.nodeAgentResources, { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '1Gi' }),
    // Velero reads all four fields once podResources is set; "0" is its "no limit".
    maintenance: { ...maintenance, cpuLimit: maintenance.cpuLimit ?? '0' },
    keepLatestMaintenanceJobs: requireInteger(at('keepLatestMaintenanceJobs'), props.keepLatestMaintenanceJobs ?? 3, 1, 100),
  };
}

function featureList(ctx: PropContext, features: string[] | undefined): string[] {
  if (features === undefined) return [];
  if (!Array.isArray(features) || features.some((f) => typeof f !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(f))) {
    throw propError({ ...ctx, value: features, allowed: "a list of feature flag names (letters, digits, '_', '.', '-')", fix: 'pass e.g. ["EnableCSI"]' });
  }
  return [...features];
}

function definedOnly(resources: ComputeResources | undefined): Partial<ComputeResources> {
  return Object.fromEntries(Object.entries(resources ?? {}).filter(([, v]) => v !== undefined));
}



import { standardLabels } from '../core/names';

/**
 * Names and constants of a Velero install. Several are looked up by name inside Velero and must
 * not change (velero-io/velero@v1.18.1:pkg/install/resources.go, pkg/install/daemonset.go,
 * pkg/restore/actions/pod_volume_restore_action.go).
 */
export const VELERO = {
  /** The server Deployment: the restore helper's image is read from the Deployment of this name. */
  serverName: 'velero',
  /** The DaemonSet: data-mover pods are built from the DaemonSet of this name. */
  nodeAgentName: 'node-agent',
  /** Volume of the node-agent holding the kubelet's pods directory: looked up by name. */
  hostPodsVolume: 'host-pods',
  /** ServiceAccount of the server and the node-agent (what `velero install` creates). */
  serviceAccount: 'velero',
  /** Secret with the shared-credentials file, and its key. */
  cloudCredentialsSecret: 'cloud-credentials',
  cloudCredentialsKey: 'cloud',
  /** Kopia repository password Secret and key (pkg/repository/keys/keys.go). */
  repoCredentialsSecret: 'velero-repo-credentials',
  repoCredentialsKey: 'repository-password',
  /** Prometheus port of the server and the node-agent. */
  metricsPort: 8085,
  /** Name of the BackupStorageLocation (and VolumeSnapshotLocation) `velero install` creates. */
  locationName: 'default',
  /** ConfigMap read by `--repo-maintenance-job-configmap`. */
  maintenanceConfigMap: 'velero-repo-maintenance',
} as const;

/**
 * The 13 CustomResourceDefinitions `velero install --crds-only` emits in v1.18.x
 * (velero-io/velero@v1.18.1:config/crd/v1/bases, config/crd/v2alpha1/bases). The CRD Job may only change these.
 */
export const VELERO_CRD_NAMES: readonly string[] = [
  'backuprepositories.velero.io',
  'backups.velero.io',
  'backupstoragelocations.velero.io',
  'datadownloads.velero.io',
  'datauploads.velero.io',
  'deletebackuprequests.velero.io',
  'downloadrequests.velero.io',
  'podvolumebackups.velero.io',
  'podvolumerestores.velero.io',
  'restores.velero.io',
  'schedules.velero.io',
  'serverstatusrequests.velero.io',
  'volumesnapshotlocations.velero.io',
];

/** Argo CD and kpt/Pulumi annotations used to order the apply. */
export const ANNOTATIONS = {
  syncWave: 'argocd.argoproj.io/sync-wave',
  syncOptions: 'argocd.argoproj.io/sync-options',
  dependsOn: 'config.kubernetes.io/depends-on',
} as const;

/**
 * Argo CD sync waves: the Namespace and the CRD bootstrap first, then everything else of the
 * install (default wave 0), then storage locations, then backups, schedules and restores (which
 * Velero rejects for good when their storage location is missing).
 */
export const WAVES = { crds: '-1', locations: '1', operations: '2' } as const;

/** What every builder of one install needs. */
export interface VeleroContext {
  /** Namespace of the install. */
  readonly namespace: string;
  /** Resolved images. */
  readonly veleroImage: string;
  readonly pluginImage: string;
  /** Velero version (the image tag), for the version label. */
  readonly version: string;
}

/**
 * Metadata labels of one component: upstream's `component: velero` (every object `velero install`
 * creates carries it) plus the recommended labels.
 */
export function veleroLabels(ctx: VeleroContext, component: string): Record<string, string> {
  return {
    component: 'velero',
    ...standardLabels({ name: 'velero', instance: ctx.namespace, component, version: ctx.version }),
  };
}

/** Upstream's node affinity of both workloads: any node that is not Windows. */
export function linuxNodeAffinity() {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'NotIn', values: ['windows'] }] }],
      },
    },
  };
}

/** The four credential-file variables `velero install` sets when a secret is given (all point at the same file). */
export function credentialFileEnv(): Array<{ name: string; value: string }> {
  const file = `/credentials/${VELERO.cloudCredentialsKey}`;
  return ['GOOGLE_APPLICATION_CREDENTIALS', 'AWS_SHARED_CREDENTIALS_FILE', 'AZURE_CREDENTIALS_FILE', 'ALIBABA_CLOUD_CREDENTIALS_FILE']
    .map((name) => ({ name, value: file }));
}

import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ANNOTATIONS, VeleroContext, WAVES, veleroLabels } from './context';
import { ClusterNetwork, apiServerOnlyPolicy } from '../core/cluster-network';
import { KUBE_API_CLIENT_KEY, kubeApiClientScript, readContainerScript } from '../core/container-scripts';
import { contentHashedName } from '../core/content-hash';
import { kube, Wire } from '../core/kube-object';
import { ensureForeignNamespace, fittedName, selectorLabels } from '../core/names';
import { resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';

const SCRIPT_KEY = 'backup-when-ready.sh';
const BACKUP_KEY = 'backup.json';
const SCRIPT_DIR = '/opt/backup-when-ready';
const RUN_AS = 65532;
/** Longest base name: the Job is `<base>-<8 hex>` and must stay a 63-character label. */
const MAX_BASE_NAME = 63 - '-12345678'.length;

/** The objects of one one-off backup: its Job and what the Job needs (named so in the construct tree). */
export class OneOffBackup extends Construct {}

/** Inputs of one gated one-off backup. */
export interface BackupGateOptions {
  /** The Backup object the Job creates (apiVersion, kind, metadata, spec). */
  readonly backup: { metadata: { name: string; [key: string]: unknown }; [key: string]: unknown };
  /** Namespace the Backup covers: its Deployments and StatefulSets must be ready first. */
  readonly workloadNamespace: string;
  /** BackupStorageLocation that must be Available first. */
  readonly storageLocation: string;
  /** Image with sh and python3 (Harbor's prepare image). */
  readonly image: string;
  /** The cluster's network (API server peers). */
  readonly network: ClusterNetwork;
  /** `config.kubernetes.io/depends-on` references of the Job (kpt, Pulumi), in order. */
  readonly dependsOn: readonly string[];
  /** How long the Job waits in all before it fails, in seconds. */
  readonly waitTimeoutSeconds: number;
}

/**
 * A Job that creates a one-off Velero Backup once it can succeed: after its BackupStorageLocation
 * is Available (a Backup created earlier fails validation for good) and every Deployment and
 * StatefulSet of the backed-up namespace is ready (Velero skips, without an error, the volumes of
 * pods that are not Running). The Backup itself is not in the manifests, so GitOps tools neither
 * create it too early nor re-create it after Velero's garbage collection deleted it.
 *
 * @returns the Job
 */
export function buildBackupGate(scope: Construct, ctx: VeleroContext, options: BackupGateOptions): k8s.KubeJob {
  const backupName = options.backup.metadata.name;
  const name = fittedName(MAX_BASE_NAME, 'velero-backup', backupName);
  const appLabels = { name: 'velero', instance: ctx.namespace, component: fittedName(63, 'backup', backupName) };
  const labels = { ...veleroLabels(ctx, 'backup-gate'), ...selectorLabels(appLabels) };
  const annotations = { [ANNOTATIONS.syncWave]: WAVES.operations };
  const metadata = { name, namespace: ctx.namespace, labels, annotations };
  const script = readContainerScript(__dirname, SCRIPT_KEY, 'VeleroKopiaBackup.backupNamespace');
  const client = kubeApiClientScript('VeleroKopiaBackup.backupNamespace');
  const backupJson = `${JSON.stringify(options.backup, undefined, 2)}\n`;

  kube(k8s.KubeServiceAccount, scope, 'service-account', { metadata, automountServiceAccountToken: true });
  kube(k8s.KubeRole, scope, 'role', {
    metadata,
    rules: [
      { apiGroups: ['velero.io'], resources: ['backupstoragelocations'], resourceNames: [options.storageLocation], verbs: ['get'] },
      { apiGroups: ['velero.io'], resources: ['backups'], resourceNames: [backupName], verbs: ['get'] },
      // `create` cannot be limited by name (the name is not known when a create is authorized).
      { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['create'] },
    ],
  });
  kube(k8s.KubeRoleBinding, scope, 'role-binding', {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
  });
  // Readiness of the backed-up namespace: list its Deployments and StatefulSets, nothing else.
  ensureForeignNamespace(scope, options.workloadNamespace);
  const workloadMetadata = { name, namespace: options.workloadNamespace, labels, annotations };
  kube(k8s.KubeRole, scope, 'workload-role', {
    metadata: workloadMetadata,
    rules: [{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list'] }],
  });
  kube(k8s.KubeRoleBinding, scope, 'workload-role-binding', {
    metadata: workloadMetadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
  });
  kube(k8s.KubeConfigMap, scope, 'script', {
    metadata,
    data: { [SCRIPT_KEY]: script, [KUBE_API_CLIENT_KEY]: client, [BACKUP_KEY]: backupJson },
  });
  const policy = apiServerOnlyPolicy(scope, 'network-policy', { name, namespace: ctx.namespace, labels, podSelector: selectorLabels(appLabels), network: options.network });
  policy.metadata.addAnnotation(ANNOTATIONS.syncWave, WAVES.operations);

  const template: Wire<k8s.PodTemplateSpec> = {
    metadata: { labels: selectorLabels(appLabels) },
    spec: {
      serviceAccountName: name,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext({ runAsUser: RUN_AS }),
      containers: [{
        name: 'backup-when-ready',
        image: options.image,
        command: ['/bin/sh', `${SCRIPT_DIR}/${SCRIPT_KEY}`, `${SCRIPT_DIR}/${BACKUP_KEY}`],
        env: [
          { name: 'VELERO_NAMESPACE', value: ctx.namespace },
          { name: 'BACKUP_NAME', value: backupName },
          { name: 'BACKUP_STORAGE_LOCATION', value: options.storageLocation },
          { name: 'WORKLOAD_NAMESPACE', value: options.workloadNamespace },
          { name: 'BACKUP_WAIT_TIMEOUT_SECONDS', value: String(options.waitTimeoutSeconds) },
        ],
        volumeMounts: [{ name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
        securityContext: restrictedContainerSecurityContext(),
        resources: resourceRequirements({ construct: 'VeleroKopiaBackup', prop: 'backupNamespace' }, undefined, { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '128Mi' }),
      }],
      volumes: [{ name: 'script', configMap: { name, defaultMode: 0o555 } }],
    },
  };
  return kube(k8s.KubeJob, scope, 'job', {
    // Job pod templates are immutable: a changed Backup or script gives a new Job (which finds an
    // existing Backup of the same name and leaves it alone).
    metadata: {
      ...metadata,
      name: contentHashedName(name, JSON.stringify(template), backupJson, script, client),
      annotations: { ...annotations, [ANNOTATIONS.dependsOn]: options.dependsOn.join(',') },
    },
    spec: {
      // A failed API call is worth a retry; the deadline bounds the whole Job (a wait that timed
      // out is not retried) and tells Pulumi how long to await it.
      backoffLimit: 3,
      activeDeadlineSeconds: options.waitTimeoutSeconds + 300,
      template,
    },
  });
}

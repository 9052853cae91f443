import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ANNOTATIONS, VELERO_CRD_NAMES, VeleroContext, WAVES, veleroLabels } from './context';
import { namespacedRef } from './custom-resource';
import { ClusterNetwork, apiServerOnlyPolicy } from '../core/cluster-network';
import { kube, Wire } from '../core/kube-object';
import { selectorLabels } from '../core/names';
import { resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';

const RUN_AS = 65532;

/** What other objects need to know about the CRD bootstrap. */
export interface CrdInstall {
  /** The Job (its name carries a hash of everything it runs). */
  readonly job: k8s.KubeJob;
  readonly jobName: string;
  /** The Job as a `config.kubernetes.io/depends-on` reference. */
  readonly jobRef: string;
}

/** Options of the CRD bootstrap. */
export interface CrdInstallOptions {
  /** The cluster's network (API server peers). */
  readonly network: ClusterNetwork;
}

/**
 * Installs (and upgrades) Velero's CRDs in-cluster with the binary of the pinned velero image
 * (nothing of Velero's CRDs is vendored into this library), the way Velero's own Helm chart does
 * since v1.18.0 (vmware-tanzu/helm-charts@velero-12.1.0:charts/velero/templates/upgrade-crds/upgrade-crds.yaml):
 * one container running `/velero install --crds-only --apply`. The velero image has no shell, so
 * there is no script: `--apply` server-side applies the 13 CRDs (field manager `velero-cli`, conflicts
 * forced) and waits up to a minute for each to be Established
 * (velero-io/velero@v1.18.1:pkg/cmd/cli/install/install.go, pkg/install/install.go).
 *
 * The Job's name carries a hash of its pod template and the CRD list, computed at construction: a
 * new Velero version gives a new Job (Job pod templates are immutable), which upgrades the CRDs;
 * custom resources can name the Job in depends-on annotations up front.
 */
export function buildCrdInstall(scope: Construct, ctx: VeleroContext, options: CrdInstallOptions): CrdInstall {
  const base = ctx.namespace === 'velero' ? 'velero-crd-install' : `velero-crd-install-${ctx.namespace}`;
  // The namespaced objects keep the short name: they are unique within their namespace.
  const name = 'velero-crd-install';
  const labels = veleroLabels(ctx, 'crd-install');
  const appLabels = { name: 'velero', instance: ctx.namespace, component: 'crd-install' };
  // Argo CD: the CRDs (and what their Job needs) come first, in wave -1.
  const wave = { [ANNOTATIONS.syncWave]: WAVES.crds };
  const metadata = { name, namespace: ctx.namespace, labels, annotations: wave };

  kube(k8s.KubeServiceAccount, scope, 'crd-install-service-account', { metadata, automountServiceAccountToken: true });
  kube(k8s.KubeClusterRole, scope, 'crd-install-cluster-role', {
    metadata: { name: base, labels, annotations: wave },
    rules: [
      // A server-side apply that creates an object is also authorized as `create`, which cannot be
      // limited by name (the name is not known when a create is authorized).
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create'] },
      // The apply (patch) and the Established wait (get): Velero's 13 CRDs only.
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: [...VELERO_CRD_NAMES], verbs: ['get', 'patch', 'update'] },
    ],
  });
  kube(k8s.KubeClusterRoleBinding, scope, 'crd-install-cluster-role-binding', {
    metadata: { name: base, labels, annotations: wave },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: base },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
  });
  // The CRDs are compiled into velero: the Job only talks to the API server.
  const policy = apiServerOnlyPolicy(scope, 'crd-install-network-policy', {
    name, namespace: ctx.namespace, labels, podSelector: selectorLabels(appLabels), network: options.network,
  });
  policy.metadata.addAnnotation(ANNOTATIONS.syncWave, WAVES.crds);

  const template = podTemplate(ctx, name, appLabels);
  const hash = createHash('sha256')
    .update(JSON.stringify(template)).update('\0')
    .update(VELERO_CRD_NAMES.join(' '))
    .digest('hex')
    .slice(0, 8);
  const jobName = `${name}-${hash}`;
  const job = kube(k8s.KubeJob, scope, 'crd-install-job', {
    metadata: { name: jobName, namespace: ctx.namespace, labels, annotations: wave },
    spec: {
      // Failures are transient (API server, image pulls); a server-side apply is idempotent.
      backoffLimit: 6,
      template,
    },
  });
  return { job, jobName, jobRef: namespacedRef('batch', ctx.namespace, 'Job', jobName) };
}

type AppLabelParts = { name: string; instance: string; component: string };

function podTemplate(ctx: VeleroContext, serviceAccountName: string, appLabels: AppLabelParts): Wire<k8s.PodTemplateSpec> {
  return {
    metadata: { labels: { component: 'velero', ...selectorLabels(appLabels) } },
    spec: {
      serviceAccountName,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext({ runAsUser: RUN_AS }),
      containers: [{
        name: 'install-crds',
        image: ctx.veleroImage,
        // The image has no ENTRYPOINT (velero-io/velero@v1.18.1:Dockerfile).
        command: ['/velero'],
        args: ['install', '--crds-only', '--apply'],
        env: [
          // velero reads $HOME/.config/velero/config.json when present; keep it off the read-only root.
          { name: 'HOME', value: '/tmp' },
        ],
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        securityContext: restrictedContainerSecurityContext(),
        // 13 large CRDs, built in memory and applied one by one.
        resources: resourceRequirements({ construct: 'VeleroKopiaBackup', prop: 'crd-install' }, undefined, { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '512Mi' }),
      }],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
    },
  };
}

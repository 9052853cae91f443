import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ANNOTATIONS, VELERO_CRD_NAMES, VeleroContext, WAVES, veleroLabels } from './context';
import { namespacedRef } from './custom-resource';
import { readContainerScript } from '../core/container-scripts';
import { kube, Wire } from '../core/kube-object';
import { selectorLabels } from '../core/names';
import { NetworkPeer, allowPolicy, tcp } from '../core/network-policy';
import { resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';

export const CRD_SCRIPT = 'install-crds.sh';
const SCRIPT_DIR = '/opt/velero-crd-install';
const TOOLS_DIR = '/tools';
const RUN_AS = 65532;
/** Seconds the script waits for each CRD to be Established. */
const ESTABLISHED_TIMEOUT_SECONDS = 120;

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
  /** CIDR of the API server endpoints (egress on 443 and 6443). */
  readonly apiServerCidr: string;
}

/**
 * Installs (and upgrades) Velero's CRDs in-cluster with the binary of the pinned velero image
 * (DESIGN decision 6): nothing of Velero's CRDs is vendored into this library.
 *
 * The velero image has no shell and no `cp` (velero-helper in 1.18.1 only knows `pause`), so the
 * binary is copied out with a static copier that is already in our image set: `cp-plugin`, the
 * program every velero-plugin-for-aws image uses as its ENTRYPOINT to copy the plugin into the
 * server's plugin dir. Init container 1 (plugin image) copies `cp-plugin` itself into an emptyDir;
 * init container 2 (velero image) runs that copy to copy `/velero` next to it; the main container
 * (kubectl image) runs scripts/install-crds.sh, which renders the CRDs with
 * `velero install --crds-only --dry-run -o yaml`, applies them server-side and waits for them to
 * be Established. Both copied binaries are static Go programs (CGO_ENABLED=0).
 *
 * The Job's name carries a hash of the images, the script and the CRD list, computed at
 * construction: a new Velero version gives a new Job (Job pod templates are immutable), which
 * upgrades the CRDs; custom resources can name the Job in depends-on annotations up front.
 */
export function buildCrdInstall(scope: Construct, ctx: VeleroContext, options: CrdInstallOptions): CrdInstall {
  const script = readScript(CRD_SCRIPT);
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
      // `create` cannot be limited by name (the name is not known when a create is authorized).
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create'] },
      // Reading (the Established wait) and changing: Velero's 13 CRDs only.
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: [...VELERO_CRD_NAMES], verbs: ['get', 'patch', 'update'] },
    ],
  });
  kube(k8s.KubeClusterRoleBinding, scope, 'crd-install-cluster-role-binding', {
    metadata: { name: base, labels, annotations: wave },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: base },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
  });
  kube(k8s.KubeConfigMap, scope, 'crd-install-script', { metadata, data: { [CRD_SCRIPT]: script } });
  const policy = allowPolicy(scope, 'crd-install-network-policy', {
    name,
    namespace: ctx.namespace,
    labels,
    podSelector: selectorLabels(appLabels),
    // Nothing talks to the Job; it only talks to the API server (rendering needs no network).
    ingress: [],
    egress: [{ peers: [NetworkPeer.cidr(options.apiServerCidr)], ports: tcp(443, 6443) }],
  });
  policy.metadata.addAnnotation(ANNOTATIONS.syncWave, WAVES.crds);

  const template = podTemplate(ctx, name, appLabels);
  const hash = createHash('sha256')
    .update(JSON.stringify(template)).update('\0')
    .update(script).update('\0')
    .update(VELERO_CRD_NAMES.join(' '))
    .digest('hex')
    .slice(0, 8);
  const jobName = `${name}-${hash}`;
  const job = kube(k8s.KubeJob, scope, 'crd-install-job', {
    metadata: { name: jobName, namespace: ctx.namespace, labels, annotations: wave },
    spec: {
      // Failures are transient (API server, image pulls); the script is idempotent.
      backoffLimit: 6,
      template,
    },
  });
  return { job, jobName, jobRef: namespacedRef('batch', ctx.namespace, 'Job', jobName) };
}

type AppLabelParts = { name: string; instance: string; component: string };

function podTemplate(ctx: VeleroContext, serviceAccountName: string, appLabels: AppLabelParts): Wire<k8s.PodTemplateSpec> {
  const securityContext = restrictedContainerSecurityContext();
  const small = resourceRequirements({ construct: 'VeleroKopiaBackup', prop: 'crd-install' }, undefined, { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '128Mi' });
  const tools = { name: 'tools', mountPath: TOOLS_DIR };
  return {
    metadata: { labels: { component: 'velero', ...selectorLabels(appLabels) } },
    spec: {
      serviceAccountName,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext({ runAsUser: RUN_AS }),
      initContainers: [
        {
          // cp-plugin copies a file and makes it executable (0755); here it copies itself.
          name: 'copy-cp',
          image: ctx.pluginImage,
          command: ['/bin/cp-plugin', '/bin/cp-plugin', `${TOOLS_DIR}/cp-plugin`],
          volumeMounts: [tools],
          securityContext,
          resources: small,
        },
        {
          name: 'copy-velero',
          image: ctx.veleroImage,
          command: [`${TOOLS_DIR}/cp-plugin`, '/velero', `${TOOLS_DIR}/velero`],
          volumeMounts: [tools],
          securityContext,
          resources: small,
        },
      ],
      containers: [{
        name: 'install-crds',
        image: ctx.kubectlImage,
        command: ['/bin/sh', `${SCRIPT_DIR}/${CRD_SCRIPT}`],
        env: [
          { name: 'VELERO_BIN', value: `${TOOLS_DIR}/velero` },
          { name: 'VELERO_CRD_NAMES', value: VELERO_CRD_NAMES.join(' ') },
          { name: 'CRD_ESTABLISHED_TIMEOUT_SECONDS', value: String(ESTABLISHED_TIMEOUT_SECONDS) },
          { name: 'CRD_WORK_DIR', value: '/tmp' },
          // velero and kubectl keep their config and caches under $HOME; the root filesystem is read-only.
          { name: 'HOME', value: '/tmp' },
        ],
        volumeMounts: [
          { name: 'script', mountPath: SCRIPT_DIR, readOnly: true },
          { ...tools, readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
        securityContext,
        // Rendering and applying 13 large CRDs: velero and kubectl each hold them in memory once.
        resources: resourceRequirements({ construct: 'VeleroKopiaBackup', prop: 'crd-install' }, undefined, { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '512Mi' }),
      }],
      volumes: [
        { name: 'script', configMap: { name: serviceAccountName, defaultMode: 0o555 } },
        // The velero binary is about 100 MB.
        { name: 'tools', emptyDir: { sizeLimit: '512Mi' } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
    },
  };
}

/**
 * A script shipped beside this module (`scripts/<file>`), read at synth; the package must carry
 * src/backup/scripts/*.sh as lib/backup/scripts/*.sh (build-tools/copy-shell-scripts.js does).
 */
export function readScript(file: string): string {
  return readContainerScript(__dirname, file, 'VeleroKopiaBackup');
}

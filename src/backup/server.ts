import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { VELERO, VeleroContext, credentialFileEnv, linuxNodeAffinity, veleroLabels } from './context';
import { pluginInitContainerName } from './plugin';
import { kube, Wire } from '../core/kube-object';
import { standardLabels } from '../core/names';

/** Inputs of the server Deployment. */
export interface ServerOptions {
  /** `--features=` value (comma-joined, empty as the CLI writes it). */
  readonly features: readonly string[];
  readonly defaultVolumesToFsBackup: boolean;
  /** `--fs-backup-timeout`, already formatted as Go prints durations. */
  readonly fsBackupTimeout: string;
  readonly maintenanceConfigMap: string;
  /** `--log-level`, appended after upstream's flags: undefined leaves the server default (info). */
  readonly logLevel?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly pluginResources: Wire<k8s.ResourceRequirements>;
  /** Add the AWS SDK checksum opt-out variables. */
  readonly checksumWhenRequired: boolean;
}

/**
 * The server's arguments in the order `velero install` writes them (pkg/install/deployment.go):
 * server, --features=, --default-volumes-to-fs-backup, --uploader-type, --fs-backup-timeout,
 * --repo-maintenance-job-configmap: flags upstream does not write come after them.
 */
export function serverArgs(options: ServerOptions): string[] {
  const args = ['server', `--features=${options.features.join(',')}`];
  if (options.defaultVolumesToFsBackup) args.push('--default-volumes-to-fs-backup=true');
  // Kopia is the only uploader since 1.17 (restic backups removed); written as the CLI does.
  args.push('--uploader-type=kopia');
  args.push(`--fs-backup-timeout=${options.fsBackupTimeout}`);
  args.push(`--repo-maintenance-job-configmap=${options.maintenanceConfigMap}`);
  if (options.logLevel !== undefined) args.push(`--log-level=${options.logLevel}`);
  return args;
}

/** Where the gate volume for the repository password is mounted (nothing reads it). */
export const REPO_CREDENTIALS_GATE = '/var/run/velero/repo-credentials-gate';

/**
 * The `velero` Deployment as `velero install --provider aws --use-node-agent --uploader-type kopia`
 * emits it (velero-io/velero@v1.18.1:pkg/install/deployment.go), plus the library's additions, each commented.
 */
export function buildServer(scope: Construct, ctx: VeleroContext, options: ServerOptions): k8s.KubeDeployment {
  const env: Wire<k8s.EnvVar>[] = [
    { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
    { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'LD_LIBRARY_PATH', value: '/plugins' },
    ...credentialFileEnv(),
  ];
  if (options.checksumWhenRequired) {
    // S3-compatible stores: ask aws-sdk-go-v2 (in velero-plugin-for-aws 1.14.x) to compute and
    // validate checksums only when an operation requires them. Over http, as with SeaweedFSStorage,
    // the SDK sends checksums as headers only, never as aws-chunked trailers, and SeaweedFS ignores
    // those headers: harmless, and it keeps single-part uploads plain should the endpoint become
    // https. The multipart path ignores these variables (velero-io/velero#10543); the https
    // combination that stores trailers inside objects is rejected in storage-location.ts.
    env.push(
      { name: 'AWS_REQUEST_CHECKSUM_CALCULATION', value: 'when_required' },
      { name: 'AWS_RESPONSE_CHECKSUM_VALIDATION', value: 'when_required' },
    );
  }
  const probe = (overrides: Partial<Wire<k8s.Probe>>): Wire<k8s.Probe> => ({
    httpGet: { path: '/metrics', port: 'metrics' },
    timeoutSeconds: 5,
    ...overrides,
  });
  return kube(k8s.KubeDeployment, scope, 'server', {
    metadata: { name: VELERO.serverName, namespace: ctx.namespace, labels: veleroLabels(ctx, 'server') },
    spec: {
      // No replicas/strategy, as upstream: one server (Velero has no leader election).
      selector: { matchLabels: { deploy: VELERO.serverName } },
      template: {
        metadata: {
          labels: { component: 'velero', deploy: VELERO.serverName, ...standardLabels({ name: 'velero', instance: ctx.namespace, component: 'server' }) },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(VELERO.metricsPort), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          restartPolicy: 'Always',
          serviceAccountName: VELERO.serviceAccount,
          os: { name: 'linux' },
          affinity: linuxNodeAffinity(),
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [{
            // Velero derives the name from the image (pkg/builder/container_builder.go getName).
            name: pluginInitContainerName(ctx.pluginImage),
            image: ctx.pluginImage,
            imagePullPolicy: 'IfNotPresent',
            // No command: the image's ENTRYPOINT copies the plugin binary into /target.
            volumeMounts: [{ name: 'plugins', mountPath: '/target' }],
            resources: options.pluginResources,
            // The plugin image runs as 65532 (its Dockerfile's USER) and only writes /target.
            securityContext: {
              allowPrivilegeEscalation: false,
              privileged: false,
              capabilities: { drop: ['ALL'] },
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              readOnlyRootFilesystem: true,
            },
          }],
          containers: [{
            name: VELERO.serverName,
            image: ctx.veleroImage,
            imagePullPolicy: 'IfNotPresent',
            command: ['/velero'],
            args: serverArgs(options),
            ports: [{ name: 'metrics', containerPort: VELERO.metricsPort }],
            resources: options.resources,
            env,
            volumeMounts: [
              { name: 'plugins', mountPath: '/plugins' },
              { name: 'scratch', mountPath: '/scratch' },
              { name: VELERO.cloudCredentialsSecret, mountPath: '/credentials' },
              { name: 'repo-credentials-gate', mountPath: REPO_CREDENTIALS_GATE, readOnly: true },
            ],
            // Not in upstream: the metrics server starts with the controllers, so it doubles as a
            // health signal. The startup probe allows 10 minutes for CRDs and caches.
            startupProbe: probe({ periodSeconds: 10, failureThreshold: 60 }),
            livenessProbe: probe({ periodSeconds: 30, failureThreshold: 5 }),
            readinessProbe: probe({ periodSeconds: 10, failureThreshold: 3 }),
            // Exception to the library's non-root rule: the image's user is the named user `cnb`
            // (velero Dockerfile `USER cnb:cnb`), so the kubelet cannot verify `runAsNonRoot`, and
            // overriding the UID would leave Kopia without its home directory ($HOME/udmrepo,
            // $HOME/.cache), which also rules out a read-only root filesystem. The process is
            // non-root all the same; it needs no capabilities.
            securityContext: {
              allowPrivilegeEscalation: false,
              privileged: false,
              capabilities: { drop: ['ALL'] },
            },
          }],
          volumes: [
            { name: 'plugins', emptyDir: {} },
            { name: 'scratch', emptyDir: {} },
            { name: VELERO.cloudCredentialsSecret, secret: { secretName: VELERO.cloudCredentialsSecret, defaultMode: 0o444 } },
            // Gate (not in upstream): the server creates Secret velero-repo-credentials with the
            // static password "static-passw0rd" when it is absent at start-up. Mounting the
            // bootstrap-generated Secret as a non-optional volume keeps the pod in
            // ContainerCreating until it exists, so the server never races the bootstrap.
            // Mode 0400 root-owned: the non-root server cannot even read it; nothing needs to.
            { name: 'repo-credentials-gate', secret: { secretName: VELERO.repoCredentialsSecret, defaultMode: 0o400, optional: false } },
          ],
        },
      },
    },
  });
}

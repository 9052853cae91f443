import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { VELERO, VeleroContext, credentialFileEnv, linuxNodeAffinity, veleroLabels } from './context';
import { kube, Wire } from '../core/kube-object';
import { standardLabels } from '../core/names';

/** Inputs of the node-agent DaemonSet. */
export interface NodeAgentOptions {
  readonly features: readonly string[];
  readonly logLevel?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  /** Tolerations, so the agent also runs on tainted (GPU, inference) nodes. */
  readonly tolerations?: k8s.Toleration[];
  /** The kubelet's root directory on the nodes. */
  readonly kubeletRootDir: string;
}

/**
 * The `node-agent` DaemonSet (velero-io/velero@v1.18.1:pkg/install/daemonset.go). Velero finds it
 * by name, requires exactly one container in it and copies its image, service account, env, volumes and mounts into the
 * short-lived data-mover pods that run each PodVolumeBackup/Restore on the workload's node
 * (pkg/nodeagent/node_agent.go, and pkg/exposer/image.go at v1.18.2).
 *
 * Pod Security exception (the one the library makes): the agent runs as root with the default
 * container capabilities and mounts the kubelet's pod and plugin directories from the host
 * (`hostPath`, mount propagation HostToContainer). It has to traverse and read, and on restore
 * write, any pod's volume files whatever their owner and mode. This is why the Velero namespace
 * is labelled Pod Security `privileged`, as `velero install` labels it. It is not a privileged
 * container (`privileged: false`, upstream's default).
 */
export function buildNodeAgent(scope: Construct, ctx: VeleroContext, options: NodeAgentOptions): k8s.KubeDaemonSet {
  const root = options.kubeletRootDir.replace(/\/+$/, '');
  const hostToContainer = 'HostToContainer';
  const args = ['node-agent', 'server', `--features=${options.features.join(',')}`];
  if (options.logLevel !== undefined) args.push(`--log-level=${options.logLevel}`);
  const probe = (overrides: Partial<Wire<k8s.Probe>>): Wire<k8s.Probe> => ({
    httpGet: { path: '/metrics', port: 'metrics' },
    timeoutSeconds: 5,
    ...overrides,
  });
  return kube(k8s.KubeDaemonSet, scope, 'node-agent', {
    metadata: { name: VELERO.nodeAgentName, namespace: ctx.namespace, labels: veleroLabels(ctx, 'node-agent') },
    spec: {
      selector: { matchLabels: { name: VELERO.nodeAgentName } },
      template: {
        metadata: {
          // No prometheus annotations, as upstream.
          labels: {
            component: 'velero',
            name: VELERO.nodeAgentName,
            role: 'node-agent',
            ...standardLabels({ name: 'velero', instance: ctx.namespace, component: 'node-agent' }),
          },
        },
        spec: {
          serviceAccountName: VELERO.serviceAccount,
          securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: linuxNodeAffinity(),
          tolerations: options.tolerations && options.tolerations.length > 0 ? options.tolerations : undefined,
          volumes: [
            // Velero looks this volume up by its name `host-pods`.
            { name: VELERO.hostPodsVolume, hostPath: { path: `${root}/pods` } },
            { name: 'host-plugins', hostPath: { path: `${root}/plugins` } },
            { name: 'scratch', emptyDir: {} },
            { name: VELERO.cloudCredentialsSecret, secret: { secretName: VELERO.cloudCredentialsSecret, defaultMode: 0o444 } },
          ],
          containers: [{
            name: VELERO.nodeAgentName,
            image: ctx.veleroImage,
            imagePullPolicy: 'IfNotPresent',
            command: ['/velero'],
            args,
            ports: [{ name: 'metrics', containerPort: VELERO.metricsPort }],
            // Upstream: `privileged: false` only (true with --privileged-node-agent). No
            // allowPrivilegeEscalation: false / drop ALL here: see the exception above.
            securityContext: { privileged: false },
            // Upstream leaves the agent BestEffort; it gets requests and a memory limit here so it
            // is not the first pod evicted under memory pressure. The Kopia data path runs in the
            // data-mover pods, so the agent itself stays small.
            resources: options.resources,
            volumeMounts: [
              // Inside the container the kubelet's pods dir is /host_pods (nodeagent.HostPodVolumeMountPath()).
              { name: VELERO.hostPodsVolume, mountPath: '/host_pods', mountPropagation: hostToContainer },
              { name: 'host-plugins', mountPath: '/var/lib/kubelet/plugins', mountPropagation: hostToContainer },
              { name: 'scratch', mountPath: '/scratch' },
              { name: VELERO.cloudCredentialsSecret, mountPath: '/credentials' },
            ],
            env: [
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
              ...credentialFileEnv(),
            ],
            // Not in upstream: the agent's metrics server doubles as a health signal.
            startupProbe: probe({ periodSeconds: 10, failureThreshold: 30 }),
            livenessProbe: probe({ periodSeconds: 30, failureThreshold: 5 }),
          }],
        },
      },
    },
  });
}

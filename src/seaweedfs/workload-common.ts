import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { CLUSTER_NAME, Component, DATA_DIR, PORTS, RUN_AS_UID, TMP_DIR } from './constants';
import { SeaweedContext, componentLabels, componentName, componentSelector, filerClientAddress, masterAddresses } from './context';
import { kube, Wire } from '../core/kube-object';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';

/*
 * Security context decision (SeaweedFS 3.73).
 *
 * The 3.73 image has no USER directive, so by default it runs as root. Nothing in master, volume,
 * filer, s3 or `weed shell` needs root: no privileged ports (all > 1024), no capabilities, no FUSE
 * (only `weed mount` needs it). What root buys is writing to image directories, and every path
 * these processes write is a mounted volume here:
 *   - `/data`: the PVC (`-mdir`, `-dir`, filer leveldb2 at /data/filerldb2, created by the filer);
 *   - `/tmp`: an emptyDir for the unix sockets filer and s3 create (`/tmp/seaweedfs-*.sock`), the
 *     `weed shell` history file and any glog file (we log to stderr with -logtostderr=true).
 * So every container runs as uid/gid 1000 (the uid later SeaweedFS images use for their `seaweed`
 * user) with runAsNonRoot, readOnlyRootFilesystem, allowPrivilegeEscalation=false, all
 * capabilities dropped and seccomp RuntimeDefault — the `restricted` Pod Security Standard.
 * Nothing is relaxed.
 *
 * fsGroup 1000 makes the kubelet hand the PVC to group 1000; `fsGroupChangePolicy: OnRootMismatch`
 * skips the recursive chown when the volume root already matches (fast restarts of big volumes).
 * Caveat: storage that ignores fsGroup (hostPath, many NFS exports, some CSI drivers without
 * `fsGroupPolicy: File`) must itself give uid 1000 a writable directory (local-path-provisioner
 * creates 0777 directories, which works); otherwise the servers fail at start with "permission
 * denied" on /data and the fix is on the storage class, not here.
 */

/** Pod security context of every SeaweedFS pod. */
export function seaweedPodSecurityContext(): Wire<k8s.PodSecurityContext> {
  return restrictedPodSecurityContext({ runAsUser: RUN_AS_UID, runAsGroup: RUN_AS_UID, fsGroup: RUN_AS_UID });
}

/** Container security context of every SeaweedFS container. */
export function seaweedContainerSecurityContext(): Wire<k8s.SecurityContext> {
  return restrictedContainerSecurityContext({ readOnlyRootFilesystem: true });
}

/** The `/tmp` emptyDir every SeaweedFS pod mounts. */
export function tmpVolume(): Wire<k8s.Volume> {
  return { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
}

/** Mount of `tmpVolume`. */
export function tmpMount(): Wire<k8s.VolumeMount> {
  return { name: 'tmp', mountPath: TMP_DIR };
}

/** Mount of the `data` PVC template. */
export function dataMount(): Wire<k8s.VolumeMount> {
  return { name: 'data', mountPath: DATA_DIR };
}

/**
 * Env of every SeaweedFS container: downward-API identity (POD_NAME feeds `-ip`) and the
 * `WEED_CLUSTER_*` variables that let `weed shell` in any pod find master and filer.
 */
export function seaweedEnv(ctx: SeaweedContext): Wire<k8s.EnvVar>[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'WEED_CLUSTER_DEFAULT', value: CLUSTER_NAME },
    { name: `WEED_CLUSTER_${CLUSTER_NAME.toUpperCase()}_MASTER`, value: masterAddresses(ctx).join(',') },
    { name: `WEED_CLUSTER_${CLUSTER_NAME.toUpperCase()}_FILER`, value: filerClientAddress(ctx) },
  ];
}

/** Timing of a probe. */
export interface ProbeTiming {
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
}

/** An HTTP GET probe. */
export function httpProbe(path: string, probePort: number, timing: ProbeTiming): Wire<k8s.Probe> {
  return {
    httpGet: { path, port: probePort, scheme: 'HTTP' },
    initialDelaySeconds: timing.initialDelaySeconds,
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: 5,
    failureThreshold: timing.failureThreshold,
    successThreshold: 1,
  };
}

/** A named container port. */
export function port(name: string, containerPort: number): Wire<k8s.ContainerPort> {
  return { name, containerPort, protocol: 'TCP' };
}

/** The component's ServiceAccount: no API access, token never mounted. */
export function componentServiceAccount(scope: Construct, ctx: SeaweedContext, component: Component): k8s.KubeServiceAccount {
  return kube(k8s.KubeServiceAccount, scope, `${component}-service-account`, {
    metadata: { name: componentName(ctx, component), namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    automountServiceAccountToken: false,
  });
}

/** A Service port with a named target. */
export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
}

/** Ports every SeaweedFS server exposes: HTTP, gRPC (HTTP + 10000) and metrics. */
export function serverPorts(http: number, grpc: number): ServicePortSpec[] {
  return [
    { name: 'http', port: http },
    { name: 'grpc', port: grpc },
    { name: 'metrics', port: PORTS.metrics },
  ];
}

/** Options of `componentService`. */
export interface ComponentServiceOptions {
  readonly name: string;
  readonly ports: ServicePortSpec[];
  /** Headless (clusterIP None) with `publishNotReadyAddresses` so peers resolve each other before readiness. */
  readonly headless: boolean;
}

/** A Service selecting the component's pods. */
export function componentService(
  scope: Construct,
  id: string,
  ctx: SeaweedContext,
  component: Component,
  options: ComponentServiceOptions,
): k8s.KubeService {
  return kube(k8s.KubeService, scope, id, {
    metadata: { name: options.name, namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    spec: {
      type: 'ClusterIP',
      ...(options.headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}),
      selector: componentSelector(ctx, component),
      ports: options.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })),
    },
  });
}

/** The `data` PVC template of a StatefulSet. */
export function dataClaimTemplate(
  ctx: SeaweedContext,
  component: Component,
  size: string,
  storageClassName: string | undefined,
): Wire<k8s.KubePersistentVolumeClaimProps> {
  return {
    metadata: { name: 'data', labels: componentSelector(ctx, component) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClassName !== undefined ? { storageClassName } : {}),
      resources: { requests: { storage: size } },
    },
  };
}

/** Spreads replicas over nodes when possible (soft, so a one-node cluster still schedules). */
export function preferSpreadOverNodes(ctx: SeaweedContext, component: Component): Wire<k8s.Affinity> {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: componentSelector(ctx, component) } },
      }],
    },
  };
}

/** Fields every SeaweedFS pod spec shares. */
export function podSpecBase(ctx: SeaweedContext, component: Component): Pick<Wire<k8s.PodSpec>, 'serviceAccountName' | 'automountServiceAccountToken' | 'enableServiceLinks' | 'securityContext'> {
  return {
    serviceAccountName: componentName(ctx, component),
    automountServiceAccountToken: false,
    // Service links would inject dozens of *_SERVICE_HOST env vars; nothing here reads them.
    enableServiceLinks: false,
    securityContext: seaweedPodSecurityContext(),
  };
}

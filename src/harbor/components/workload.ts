import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { kube, Wire } from '../../core/kube-object';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../core/pod-security';
import { SecretKeyReference } from '../../core/secret-reference';
import { HarborComponent, HarborContext, componentLabels, componentName, componentSelector } from '../context';

/*
 * Security context decision (Harbor 2.14 images; goharbor/harbor-helm@v1.18.4:values.yaml `containerSecurityContext`
 * and the pods' securityContext in templates/, goharbor/harbor@v2.14.4:make/photon/common/install_cert.sh).
 *
 * Pods run as the chart's UIDs (10000 for Harbor's images, 999 for PostgreSQL and Redis) with
 * fsGroup of the same id, runAsNonRoot, seccomp RuntimeDefault; containers drop ALL capabilities
 * and never escalate: the `restricted` Pod Security Standard, as the chart's containerSecurityContext.
 *
 * readOnlyRootFilesystem is NOT set for core, jobservice, registry, registryctl, trivy and exporter:
 * their entrypoints run install_cert.sh, which rewrites /etc/pki/tls/certs/ca-bundle.crt in the
 * image filesystem at every start (make/photon/common/install_cert.sh). It is not set for the
 * database (the entrypoint writes the socket/lock under /run/postgresql and runs the PG14→15
 * upgrade in the image) nor for Redis (redis.conf writes its pidfile to /var/run) either, as in
 * the chart. The two nginx images (portal, entry nginx) do run read-only: every path they write
 * (pid, temp paths) is under /tmp, and their access/error logs are symlinks to stdout/stderr;
 * /tmp, /var/cache/nginx and /run (the images' declared VOLUMEs) are emptyDirs.
 */

/**
 * Pod security context with the chart's UID as user, group and fsGroup. Unlike the chart (registry
 * only), every pod gets `fsGroupChangePolicy: OnRootMismatch`: no recursive chown of big volumes
 * at each start.
 */
export function harborPodSecurityContext(uid: number): Wire<k8s.PodSecurityContext> {
  return restrictedPodSecurityContext({ runAsUser: uid, runAsGroup: uid, fsGroup: uid });
}

/** Container security context: `readOnlyRootFilesystem` only where the header comment says so. */
export function harborContainerSecurityContext(readOnlyRootFilesystem: boolean): Wire<k8s.SecurityContext> {
  return restrictedContainerSecurityContext({ readOnlyRootFilesystem });
}

/** Probe timing as the chart writes it (timeout and success threshold left at the Kubernetes defaults unless given). */
export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds: number;
  readonly failureThreshold?: number;
  readonly timeoutSeconds?: number;
}

/** An HTTP GET probe. `port` is a number or a named container port. */
export function httpProbe(path: string, port: number | string, timing: ProbeTiming): Wire<k8s.Probe> {
  return {
    httpGet: { path, port, scheme: 'HTTP' },
    ...timing,
  };
}

/** A TCP probe. */
export function tcpProbe(port: number, timing: ProbeTiming): Wire<k8s.Probe> {
  return { tcpSocket: { port }, ...timing };
}

/** A named TCP container port. */
export function containerPort(name: string, port: number): Wire<k8s.ContainerPort> {
  return { name, containerPort: port, protocol: 'TCP' };
}

/**
 * The component's ServiceAccount: no API access, token never mounted. The chart runs every pod
 * under the namespace's `default` account; one per component keeps identities apart.
 */
export function componentServiceAccount(scope: Construct, ctx: HarborContext, component: HarborComponent): void {
  kube(k8s.KubeServiceAccount, scope, `${component}-service-account`, {
    metadata: { name: componentName(ctx, component), namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    automountServiceAccountToken: false,
  });
}

/** One Service port: `port` → container port `targetPort`. */
export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly nodePort?: number;
}

/** Options of `componentService`. */
export interface ComponentServiceOptions {
  readonly name: string;
  readonly ports: ServicePortSpec[];
  /** @default 'ClusterIP' */
  readonly type?: string;
}

/** A Service selecting the component's pods. */
export function componentService(
  scope: Construct, id: string, ctx: HarborContext, component: HarborComponent, options: ComponentServiceOptions,
): void {
  kube(k8s.KubeService, scope, id, {
    metadata: { name: options.name, namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    spec: {
      type: options.type ?? 'ClusterIP',
      selector: componentSelector(ctx, component),
      ports: options.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.targetPort,
        protocol: 'TCP',
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      })),
    },
  });
}

/** A ConfigMap `<name>-<component>` holding config files. */
export function configFilesConfigMap(scope: Construct, ctx: HarborContext, component: HarborComponent, data: Record<string, string>): void {
  kube(k8s.KubeConfigMap, scope, `${component}-config`, {
    metadata: { name: componentName(ctx, component), namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    data,
  });
}

/**
 * Pod template annotation with a hash of the config files, so a config change rolls the pods (the
 * chart's `checksum/configmap`). Env is inline in the pod spec, so env changes roll them anyway.
 */
export function configChecksum(...contents: string[]): Record<string, string> {
  const hash = createHash('sha256');
  for (const c of contents) hash.update(c).update('\0');
  return { 'checksum/config': hash.digest('hex') };
}

/** Fields every Harbor pod spec shares. */
export function podSpecBase(ctx: HarborContext, component: HarborComponent, uid: number): Pick<Wire<k8s.PodSpec>,
'serviceAccountName' | 'automountServiceAccountToken' | 'enableServiceLinks' | 'securityContext'> {
  return {
    serviceAccountName: componentName(ctx, component),
    automountServiceAccountToken: false,
    // Service links inject <SERVICE>_PORT_* env vars; distribution reads every REGISTRY_* env var as
    // a config override, so stray variables are a hazard, and nothing here reads them.
    enableServiceLinks: false,
    securityContext: harborPodSecurityContext(uid),
  };
}

/** A volume projecting one key of a Secret to file `path` (mode 0440: owner root, group fsGroup). */
export function secretFileVolume(name: string, ref: SecretKeyReference, path: string): Wire<k8s.Volume> {
  return { name, secret: { secretName: ref.secretName, items: [{ key: ref.key, path }], defaultMode: 0o440 } };
}

/** A volume with one ConfigMap key as file. */
export function configFileVolume(name: string, configMapName: string, keys: string[]): Wire<k8s.Volume> {
  return { name, configMap: { name: configMapName, items: keys.map((key) => ({ key, path: key })), defaultMode: 0o444 } };
}

/** An emptyDir volume with a size limit. */
export function emptyDirVolume(name: string, sizeLimit: string, medium?: string): Wire<k8s.Volume> {
  return { name, emptyDir: { sizeLimit: sizeLimit, ...(medium ? { medium } : {}) } };
}

/** A PVC template of a StatefulSet. */
export function claimTemplate(
  ctx: HarborContext, component: HarborComponent, name: string, size: string, storageClassName: string | undefined,
): Wire<k8s.KubePersistentVolumeClaimProps> {
  return {
    metadata: { name, labels: componentSelector(ctx, component) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClassName !== undefined ? { storageClassName } : {}),
      resources: { requests: { storage: size } },
    },
  };
}

/**
 * A standalone ReadWriteOnce PVC `<name>-<component>` (registry filesystem storage, job logs). The
 * chart's `helm.sh/resource-policy: keep` has no equivalent: nothing here deletes PVCs.
 */
export function componentClaim(
  scope: Construct, ctx: HarborContext, component: HarborComponent, size: string, storageClassName: string | undefined,
): string {
  const name = componentName(ctx, component);
  kube(k8s.KubePersistentVolumeClaim, scope, `${component}-pvc`, {
    metadata: { name, namespace: ctx.namespace, labels: componentLabels(ctx, component) },
    spec: claimTemplate(ctx, component, name, size, storageClassName).spec,
  });
  return name;
}

import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  componentService, componentServiceAccount, configChecksum, configFileVolume, configFilesConfigMap, containerPort,
  emptyDirVolume, harborContainerSecurityContext, httpProbe, podSpecBase,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import { NGINX_CONF_PATH, renderPortalNginxConf } from '../config/nginx-conf';
import { HARBOR_UID, HarborComponent, HarborContext, PORTS, SERVICE_PORTS, componentLabels, componentName, componentSelector } from '../context';

/** Inputs of `buildPortal`. */
export interface PortalOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
}

/** Writable paths of the nginx images (their declared VOLUMEs plus /tmp), for a read-only root filesystem. */
export function nginxScratchVolumes(): { volumes: Wire<k8s.Volume>[]; mounts: Wire<k8s.VolumeMount>[] } {
  // /tmp holds nginx's temp files; with proxy (request) buffering off it stays small, the limit is a cap.
  const dirs: Array<[string, string, string]> = [['tmp', '/tmp', '1Gi'], ['nginx-cache', '/var/cache/nginx', '64Mi'], ['run', '/run', '16Mi']];
  return {
    volumes: dirs.map(([name, , size]) => emptyDirVolume(name, size)),
    mounts: dirs.map(([name, mountPath]) => ({ name, mountPath })),
  };
}

/** GET / probes of both nginx pods (chart: liveness after 300 s, readiness after 1 s). */
export function nginxProbes(): Pick<Wire<k8s.Container>, 'livenessProbe' | 'readinessProbe'> {
  return {
    livenessProbe: httpProbe('/', PORTS.http, { initialDelaySeconds: 300, periodSeconds: 10 }),
    readinessProbe: httpProbe('/', PORTS.http, { initialDelaySeconds: 1, periodSeconds: 10 }),
  };
}

/** A Deployment running one of Harbor's nginx images with `nginx.conf` from the component's ConfigMap. */
export function nginxDeployment(
  scope: Construct, ctx: HarborContext, component: HarborComponent, image: string, resources: Wire<k8s.ResourceRequirements>, conf: string,
): void {
  const name = componentName(ctx, component);
  const scratch = nginxScratchVolumes();
  const labels = componentLabels(ctx, component);
  kube(k8s.KubeDeployment, scope, component, {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: componentSelector(ctx, component) },
      template: {
        metadata: { labels, annotations: configChecksum(conf) },
        spec: {
          ...podSpecBase(ctx, component, HARBOR_UID),
          containers: [{
            name: component,
            image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('http', PORTS.http)],
            ...nginxProbes(),
            resources,
            // Read-only: see the security context decision in workload.ts.
            securityContext: harborContainerSecurityContext(true),
            volumeMounts: [{ name: 'config', mountPath: NGINX_CONF_PATH, subPath: 'nginx.conf', readOnly: true }, ...scratch.mounts],
          }],
          volumes: [configFileVolume('config', name, ['nginx.conf']), ...scratch.volumes],
        },
      },
    },
  });
}

/** The portal (Angular UI served by nginx): Deployment `<name>-portal` behind Service `<name>-portal` (80 → 8080). */
export function buildPortal(scope: Construct, ctx: HarborContext, options: PortalOptions): void {
  const conf = renderPortalNginxConf();
  componentServiceAccount(scope, ctx, 'portal');
  configFilesConfigMap(scope, ctx, 'portal', { 'nginx.conf': conf });
  componentService(scope, 'portal-service', ctx, 'portal', {
    name: componentName(ctx, 'portal'),
    ports: [{ name: 'http', port: SERVICE_PORTS.portal, targetPort: PORTS.http }],
  });
  nginxDeployment(scope, ctx, 'portal', options.image, options.resources, conf);
}

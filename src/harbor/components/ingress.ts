import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { kube, Wire } from '../../core/kube-object';
import { HarborContext, SERVICE_PORTS, componentName, instanceLabels } from '../context';
import { ResolvedExposure } from '../exposure';

/** Seconds ingress-nginx waits on a silent upstream or client (the entry nginx uses 900 s for /v2/). */
const PROXY_TIMEOUT_SECONDS = '900';

/**
 * ingress-nginx annotations for multi-GB model pushes and pulls: no body size limit (chart default),
 * no request or response buffering (a buffered 5 GB layer would fill the controller's disk and
 * time out before it reaches core) and 15-minute read/send timeouts. `ssl-redirect` only with TLS
 * (the chart sets it always). The chart's legacy `ingress.kubernetes.io/*` duplicates are left out.
 */
export function ingressAnnotations(exposure: ResolvedExposure): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/proxy-body-size': '0',
    'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
    'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': PROXY_TIMEOUT_SECONDS,
    'nginx.ingress.kubernetes.io/proxy-send-timeout': PROXY_TIMEOUT_SECONDS,
    ...(exposure.tlsSecretName !== undefined ? { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } : {}),
    ...exposure.annotations,
  };
}

/**
 * The Ingress `<name>-ingress` for the ingress exposure (harbor-helm templates/ingress/ingress.yaml,
 * default controller): `/api/`, `/service/`, `/v2/`, `/c/` → core:80, `/` → portal:80, Prefix paths.
 */
export function buildIngress(scope: Construct, ctx: HarborContext, exposure: ResolvedExposure): void {
  const path = (prefix: string, component: 'core' | 'portal'): Wire<k8s.HttpIngressPath> => ({
    path: prefix,
    pathType: 'Prefix',
    backend: { service: { name: componentName(ctx, component), port: { number: SERVICE_PORTS[component] } } },
  });
  kube(k8s.KubeIngress, scope, 'ingress', {
    metadata: { name: `${ctx.name}-ingress`, namespace: ctx.namespace, labels: instanceLabels(ctx), annotations: ingressAnnotations(exposure) },
    spec: {
      ...(exposure.className !== undefined ? { ingressClassName: exposure.className } : {}),
      ...(exposure.tlsSecretName !== undefined ? { tls: [{ secretName: exposure.tlsSecretName, hosts: [exposure.host!] }] } : {}),
      rules: [{
        host: exposure.host,
        http: { paths: [path('/api/', 'core'), path('/service/', 'core'), path('/v2/', 'core'), path('/c/', 'core'), path('/', 'portal')] },
      }],
    },
  });
}

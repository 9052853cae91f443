import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { nginxDeployment } from './portal';
import { componentService, componentServiceAccount, configFilesConfigMap } from './workload';
import { Wire } from '../../core/kube-object';
import { renderEntryNginxConf } from '../config/nginx-conf';
import { HarborContext, PORTS, SERVICE_PORTS } from '../context';
import { ResolvedExposure } from '../exposure';

/** Inputs of `buildNginx`. */
export interface NginxOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly exposure: ResolvedExposure;
  /** Name of the entry Service (the chart's `harbor`). */
  readonly serviceName: string;
}

/**
 * The entry nginx (clusterIP and nodePort exposure only, an Ingress routes to core and portal
 * itself): Deployment `<name>-nginx` behind the entry Service `<name>` (`http` 80 → 8080, with the
 * node port for nodePort exposure). TLS is not terminated here: use the ingress exposure for TLS.
 */
export function buildNginx(scope: Construct, ctx: HarborContext, options: NginxOptions): void {
  const conf = renderEntryNginxConf(ctx);
  componentServiceAccount(scope, ctx, 'nginx');
  configFilesConfigMap(scope, ctx, 'nginx', { 'nginx.conf': conf });
  const nodePort = options.exposure.type === 'nodePort';
  componentService(scope, 'entry-service', ctx, 'nginx', {
    name: options.serviceName,
    type: nodePort ? 'NodePort' : 'ClusterIP',
    ports: [{ name: 'http', port: SERVICE_PORTS.entry, targetPort: PORTS.http, nodePort: options.exposure.nodePort }],
  });
  nginxDeployment(scope, ctx, 'nginx', options.image, options.resources, conf);
}

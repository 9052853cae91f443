import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { DATA_DIR, PORTS, WEED_BINARY } from './constants';
import { SeaweedContext, componentLabels, componentName, componentSelector, masterAddresses, ownPodAddress } from './context';
import {
  componentService, componentServiceAccount, dataClaimTemplate, dataMount, httpProbe, podSpecBase, port, preferSpreadOverNodes,
  seaweedContainerSecurityContext, seaweedEnv, serverPorts, tmpMount, tmpVolume,
} from './workload-common';
import { kube, Wire } from '../core/kube-object';

/** Percentage of free disk below which a volume server turns all its volumes read-only (chart value). */
export const MIN_FREE_SPACE_PERCENT = 7;

/** Inputs of `buildVolumeServers`. */
export interface VolumeServerOptions {
  readonly storageSize: string;
  readonly storageClassName?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
}

/**
 * Volume servers: the bulk data. `-max=0` lets each server size its slot count from the free disk
 * and the master's `-volumeSizeLimitMB` (see volume-slots.ts).
 */
export function buildVolumeServers(scope: Construct, ctx: SeaweedContext, options: VolumeServerOptions): k8s.KubeStatefulSet {
  const name = componentName(ctx, 'volume');
  componentServiceAccount(scope, ctx, 'volume');
  componentService(scope, 'volume-service', ctx, 'volume', { name, headless: true, ports: serverPorts(PORTS.volumeHttp, PORTS.volumeGrpc) });

  const args = [
    '-logtostderr=true',
    'volume',
    `-port=${PORTS.volumeHttp}`,
    `-dir=${DATA_DIR}`,
    '-max=0',
    `-ip=${ownPodAddress(ctx, 'volume')}`,
    '-ip.bind=0.0.0.0',
    `-mserver=${masterAddresses(ctx).join(',')}`,
    '-readMode=proxy',
    `-minFreeSpacePercent=${MIN_FREE_SPACE_PERCENT}`,
    '-compactionMBps=50',
    `-metricsPort=${PORTS.metrics}`,
  ];

  const labels = componentLabels(ctx, 'volume');
  return kube(k8s.KubeStatefulSet, scope, 'volume', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      serviceName: name,
      replicas: ctx.volumeServers,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: componentSelector(ctx, 'volume') },
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'volume'),
          ...(ctx.volumeServers > 1 ? { affinity: preferSpreadOverNodes(ctx, 'volume') } : {}),
          containers: [{
            name: 'volume',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: [WEED_BINARY],
            args,
            env: seaweedEnv(ctx),
            ports: [port('http', PORTS.volumeHttp), port('grpc', PORTS.volumeGrpc), port('metrics', PORTS.metrics)],
            // /healthz checks that replicated volumes can reach their replicas; /status only that the
            // process serves HTTP, so a master outage never restarts volume servers.
            readinessProbe: httpProbe('/healthz', PORTS.volumeHttp, { initialDelaySeconds: 15, periodSeconds: 15, failureThreshold: 3 }),
            livenessProbe: httpProbe('/status', PORTS.volumeHttp, { initialDelaySeconds: 20, periodSeconds: 30, failureThreshold: 4 }),
            resources: options.resources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [dataMount(), tmpMount()],
          }],
          volumes: [tmpVolume()],
        },
      },
      volumeClaimTemplates: [dataClaimTemplate(ctx, 'volume', options.storageSize, options.storageClassName)],
    },
  });
}

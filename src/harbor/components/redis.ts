import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  claimTemplate, componentService, componentServiceAccount, containerPort, harborContainerSecurityContext, podSpecBase, tcpProbe,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import { DATA_STORE_UID, HarborContext, PORTS, SERVICE_PORTS, componentLabels, componentName, componentSelector } from '../context';
import { InternalStore } from '../external-services';

/** Inputs of `buildRedis`. */
export interface RedisOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly store: InternalStore;
}

/**
 * The internal Redis (`redis-photon`, config baked into the image: port 6379, RDB snapshots in
 * /var/lib/redis, no password): StatefulSet `<name>-redis` with one RWO claim, Service `<name>-redis`.
 * Only Harbor's own pods may reach it (network-policies.ts).
 */
export function buildRedis(scope: Construct, ctx: HarborContext, options: RedisOptions): void {
  const name = componentName(ctx, 'redis');
  componentServiceAccount(scope, ctx, 'redis');
  componentService(scope, 'redis-service', ctx, 'redis', { name, ports: [{ name: 'redis', port: SERVICE_PORTS.redis, targetPort: PORTS.redis }] });
  const labels = componentLabels(ctx, 'redis');
  kube(k8s.KubeStatefulSet, scope, 'redis', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: componentSelector(ctx, 'redis') },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'redis', DATA_STORE_UID),
          terminationGracePeriodSeconds: 120,
          containers: [{
            name: 'redis',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('redis', PORTS.redis)],
            livenessProbe: tcpProbe(PORTS.redis, { initialDelaySeconds: 300, periodSeconds: 10 }),
            readinessProbe: tcpProbe(PORTS.redis, { initialDelaySeconds: 1, periodSeconds: 10 }),
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/redis' }],
          }],
        },
      },
      volumeClaimTemplates: [claimTemplate(ctx, 'redis', 'data', options.store.storageSize, options.store.storageClassName)],
    },
  });
}

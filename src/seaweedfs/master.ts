import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { DATA_DIR, PORTS, WEED_BINARY } from './constants';
import { SeaweedContext, componentLabels, componentName, componentSelector, masterAddresses, ownPodAddress } from './context';
import { VolumeSlotPlan } from './volume-slots';
import {
  componentService, componentServiceAccount, dataClaimTemplate, dataMount, httpProbe, podSpecBase, port, preferSpreadOverNodes,
  seaweedContainerSecurityContext, seaweedEnv, serverPorts, tmpMount, tmpVolume,
} from './workload-common';
import { kube, Wire } from '../core/kube-object';

/** Inputs of `buildMaster`. */
export interface MasterOptions {
  readonly replication: string;
  readonly storageSize: string;
  readonly storageClassName?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  /** Current volume-slot plan: read at synth because buckets may be added after construction. */
  readonly plan: () => VolumeSlotPlan;
}

/**
 * Master: Raft metadata and volume assignment. StatefulSet with `Parallel` pod management (Raft
 * peers must start together) behind a headless Service that publishes not-ready addresses.
 */
export function buildMaster(scope: Construct, ctx: SeaweedContext, options: MasterOptions): k8s.KubeStatefulSet {
  const name = componentName(ctx, 'master');
  componentServiceAccount(scope, ctx, 'master');
  componentService(scope, 'master-service', ctx, 'master', { name, headless: true, ports: serverPorts(PORTS.masterHttp, PORTS.masterGrpc) });

  const args = [
    '-logtostderr=true',
    'master',
    `-port=${PORTS.masterHttp}`,
    `-mdir=${DATA_DIR}`,
    `-ip=${ownPodAddress(ctx, 'master')}`,
    '-ip.bind=0.0.0.0',
    // An odd number of peers; the master appends itself if missing (checkPeers, master.go).
    `-peers=${masterAddresses(ctx).join(',')}`,
    `-defaultReplication=${options.replication}`,
    Lazy.any({ produce: () => `-volumeSizeLimitMB=${options.plan().volumeSizeLimitMB}` }),
    `-metricsPort=${PORTS.metrics}`,
  ];
  const growthEnv: Wire<k8s.EnvVar>[] = ['COPY_1', 'COPY_2', 'COPY_3', 'COPY_OTHER'].map((suffix) => {
    const envName = `WEED_MASTER_VOLUME_GROWTH_${suffix}`;
    return { name: envName, value: Lazy.any({ produce: () => options.plan().growthEnv[envName] }) };
  });

  const labels = componentLabels(ctx, 'master');
  return kube(k8s.KubeStatefulSet, scope, 'master', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      serviceName: name,
      replicas: ctx.masterReplicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: componentSelector(ctx, 'master') },
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'master'),
          ...(ctx.masterReplicas > 1 ? { affinity: preferSpreadOverNodes(ctx, 'master') } : {}),
          containers: [{
            name: 'master',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: [WEED_BINARY],
            args,
            env: [...seaweedEnv(ctx), ...growthEnv],
            ports: [port('http', PORTS.masterHttp), port('grpc', PORTS.masterGrpc), port('metrics', PORTS.metrics)],
            readinessProbe: httpProbe('/cluster/status', PORTS.masterHttp, { initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 3 }),
            livenessProbe: httpProbe('/cluster/status', PORTS.masterHttp, { initialDelaySeconds: 20, periodSeconds: 30, failureThreshold: 4 }),
            resources: options.resources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [dataMount(), tmpMount()],
          }],
          volumes: [tmpVolume()],
        },
      },
      volumeClaimTemplates: [dataClaimTemplate(ctx, 'master', options.storageSize, options.storageClassName)],
    },
  });
}

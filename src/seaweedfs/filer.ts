import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { DATA_DIR, PORTS, WEED_BINARY } from './constants';
import { SeaweedContext, componentLabels, componentName, componentSelector, filerClientServiceName, masterAddresses, ownPodAddress } from './context';
import {
  componentService, componentServiceAccount, dataClaimTemplate, dataMount, httpProbe, podSpecBase, port,
  seaweedContainerSecurityContext, seaweedEnv, serverPorts, tmpMount, tmpVolume,
} from './workload-common';
import { kube, Wire } from '../core/kube-object';

/** Where the embedded leveldb2 filer store lives (on the PVC). */
export const FILER_STORE_DIR = `${DATA_DIR}/filerldb2`;

/** Inputs of `buildFiler`. */
export interface FilerOptions {
  readonly replication: string;
  readonly storageSize: string;
  readonly storageClassName?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
}

/**
 * Filer: the namespace (S3 buckets are directories under /buckets). One replica: the embedded
 * leveldb2 store is local to its PVC; several filers would need an external store
 * (seaweedfs/seaweedfs@3.73:k8s/charts/seaweedfs/README.md).
 */
export function buildFiler(scope: Construct, ctx: SeaweedContext, options: FilerOptions): k8s.KubeStatefulSet {
  const name = componentName(ctx, 'filer');
  componentServiceAccount(scope, ctx, 'filer');
  // Peers (and the filer itself, which subscribes to its own metadata log) use the headless Service.
  componentService(scope, 'filer-service', ctx, 'filer', { name, headless: true, ports: serverPorts(PORTS.filerHttp, PORTS.filerGrpc) });
  // Clients (s3 gateway, `weed shell`) use a stable ClusterIP; gRPC is derived as HTTP + 10000.
  componentService(scope, 'filer-client-service', ctx, 'filer', {
    name: filerClientServiceName(ctx),
    headless: false,
    ports: [{ name: 'http', port: PORTS.filerHttp }, { name: 'grpc', port: PORTS.filerGrpc }],
  });

  const args = [
    '-logtostderr=true',
    'filer',
    `-port=${PORTS.filerHttp}`,
    `-ip=${ownPodAddress(ctx, 'filer')}`,
    '-ip.bind=0.0.0.0',
    `-master=${masterAddresses(ctx).join(',')}`,
    `-defaultReplicaPlacement=${options.replication}`,
    '-dirListLimit=100000',
    `-metricsPort=${PORTS.metrics}`,
  ];

  const labels = componentLabels(ctx, 'filer');
  return kube(k8s.KubeStatefulSet, scope, 'filer', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      serviceName: name,
      replicas: 1,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: componentSelector(ctx, 'filer') },
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'filer'),
          containers: [{
            name: 'filer',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: [WEED_BINARY],
            args,
            env: [
              ...seaweedEnv(ctx),
              // Explicit rather than relying on the image's /etc/seaweedfs/filer.toml (env wins over the file).
              { name: 'WEED_LEVELDB2_ENABLED', value: 'true' },
              { name: 'WEED_LEVELDB2_DIR', value: FILER_STORE_DIR },
            ],
            ports: [port('http', PORTS.filerHttp), port('grpc', PORTS.filerGrpc), port('metrics', PORTS.metrics)],
            // /healthz answers 503 when the filer store cannot be read.
            readinessProbe: httpProbe('/healthz', PORTS.filerHttp, { initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 3 }),
            livenessProbe: httpProbe('/healthz', PORTS.filerHttp, { initialDelaySeconds: 20, periodSeconds: 30, failureThreshold: 4 }),
            resources: options.resources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [dataMount(), tmpMount()],
          }],
          volumes: [tmpVolume()],
        },
      },
      volumeClaimTemplates: [dataClaimTemplate(ctx, 'filer', options.storageSize, options.storageClassName)],
    },
  });
}

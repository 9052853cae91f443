import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  componentClaim, componentService, componentServiceAccount, configChecksum, configFilesConfigMap, containerPort, emptyDirVolume,
  harborContainerSecurityContext, httpProbe, podSpecBase, secretFileVolume,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import {
  HTPASSWD_PATH, REGISTRYCTL_CONFIG_PATH, REGISTRY_CONFIG_PATH, renderRegistryConfig, renderRegistryctlConfig,
} from '../config/registry-config';
import {
  HARBOR_UID, HarborContext, PORTS, REGISTRY_ROOT, SERVICE_PORTS, componentLabels, componentName, componentSelector, secretEnv,
} from '../context';
import { HarborSecrets } from '../secrets';
import { ResolvedStorage } from '../storage';

/** Inputs of `buildRegistry`. */
export interface RegistryOptions {
  readonly registryImage: string;
  readonly registryctlImage: string;
  readonly registryResources: Wire<k8s.ResourceRequirements>;
  readonly registryctlResources: Wire<k8s.ResourceRequirements>;
  readonly secrets: HarborSecrets;
  readonly storage: ResolvedStorage;
}

/** REGISTRY_STORAGE_S3_ACCESSKEY/_SECRETKEY from the bucket's credentials Secret (S3 mode only). */
export function s3CredentialEnv(storage: ResolvedStorage): Wire<k8s.EnvVar>[] {
  const credentials = storage.bucket?.credentials;
  if (storage.driver !== 's3' || credentials === undefined) return [];
  return [
    { name: 'REGISTRY_STORAGE_S3_ACCESSKEY', valueFrom: { secretKeyRef: { name: credentials.secretName, key: credentials.accessKeyIdKey } } },
    { name: 'REGISTRY_STORAGE_S3_SECRETKEY', valueFrom: { secretKeyRef: { name: credentials.secretName, key: credentials.secretAccessKeyKey } } },
  ];
}

/**
 * The registry (distribution 2.8, htpasswd auth) and registryctl (GC and blob/manifest deletion
 * straight on the storage) in one pod, as in the chart: Deployment `<name>-registry` behind Service
 * `<name>-registry` (5000 registry, 8080 registryctl). Both containers get the same storage config
 * and, in S3 mode, the same S3 keys (registryctl deletes blobs through the storage driver).
 * The chart's registryctl ConfigMap and Secret carry only tracing settings (tracing is not
 * supported), so there are none.
 */
export function buildRegistry(scope: Construct, ctx: HarborContext, options: RegistryOptions): void {
  const name = componentName(ctx, 'registry');
  const config = renderRegistryConfig(ctx, options.storage);
  const ctlConfig = renderRegistryctlConfig(ctx);
  componentServiceAccount(scope, ctx, 'registry');
  configFilesConfigMap(scope, ctx, 'registry', { 'config.yml': config, 'ctl-config.yml': ctlConfig });
  componentService(scope, 'registry-service', ctx, 'registry', {
    name,
    ports: [
      { name: 'http-registry', port: SERVICE_PORTS.registry, targetPort: PORTS.registry },
      { name: 'http-controller', port: SERVICE_PORTS.registryctl, targetPort: PORTS.http },
    ],
  });

  const pvc = options.storage.driver === 'filesystem';
  const dataVolume: Wire<k8s.Volume> = pvc
    ? { name: 'registry-data', persistentVolumeClaim: { claimName: componentClaim(scope, ctx, 'registry', options.storage.size!, options.storage.storageClassName) } }
    // S3: distribution writes nothing locally; the chart still mounts an emptyDir at the root directory.
    : emptyDirVolume('registry-data', '1Gi');
  const s = options.secrets;
  const s3Env = s3CredentialEnv(options.storage);
  // The chart always sets REGISTRY_REDIS_PASSWORD (empty for its internal Redis); only a real one is set here.
  const redisPassword: Wire<k8s.EnvVar>[] = ctx.redis.password ? [secretEnv('REGISTRY_REDIS_PASSWORD', ctx.redis.password)] : [];
  const probes = (path: string, port: number): Pick<Wire<k8s.Container>, 'livenessProbe' | 'readinessProbe'> => ({
    livenessProbe: httpProbe(path, port, { initialDelaySeconds: 300, periodSeconds: 10 }),
    readinessProbe: httpProbe(path, port, { initialDelaySeconds: 1, periodSeconds: 10 }),
  });

  const labels = componentLabels(ctx, 'registry');
  kube(k8s.KubeDeployment, scope, 'registry', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      // A ReadWriteOnce volume cannot be attached to the old and the new pod at once.
      strategy: { type: pvc ? 'Recreate' : 'RollingUpdate' },
      selector: { matchLabels: componentSelector(ctx, 'registry') },
      template: {
        metadata: { labels, annotations: configChecksum(config, ctlConfig) },
        spec: {
          ...podSpecBase(ctx, 'registry', HARBOR_UID),
          terminationGracePeriodSeconds: 120,
          containers: [
            {
              name: 'registry',
              image: options.registryImage,
              imagePullPolicy: 'IfNotPresent',
              ports: [containerPort('http-registry', PORTS.registry), containerPort('debug', PORTS.registryDebug)],
              ...probes('/', PORTS.registry),
              env: [secretEnv('REGISTRY_HTTP_SECRET', s.registryHttpSecret), ...redisPassword, ...s3Env],
              resources: options.registryResources,
              securityContext: harborContainerSecurityContext(false),
              volumeMounts: [
                { name: 'registry-data', mountPath: REGISTRY_ROOT },
                { name: 'registry-htpasswd', mountPath: HTPASSWD_PATH, subPath: 'passwd', readOnly: true },
                { name: 'registry-config', mountPath: REGISTRY_CONFIG_PATH, subPath: 'config.yml', readOnly: true },
              ],
            },
            {
              name: 'registryctl',
              image: options.registryctlImage,
              imagePullPolicy: 'IfNotPresent',
              ports: [containerPort('http-controller', PORTS.http)],
              ...probes('/api/health', PORTS.http),
              env: [
                secretEnv('CORE_SECRET', s.coreSecret),
                secretEnv('JOBSERVICE_SECRET', s.jobserviceSecret),
                secretEnv('REGISTRY_HTTP_SECRET', s.registryHttpSecret),
                ...s3Env,
              ],
              resources: options.registryctlResources,
              securityContext: harborContainerSecurityContext(false),
              volumeMounts: [
                { name: 'registry-data', mountPath: REGISTRY_ROOT },
                { name: 'registry-config', mountPath: REGISTRY_CONFIG_PATH, subPath: 'config.yml', readOnly: true },
                { name: 'registry-config', mountPath: REGISTRYCTL_CONFIG_PATH, subPath: 'ctl-config.yml', readOnly: true },
              ],
            },
          ],
          volumes: [
            secretFileVolume('registry-htpasswd', s.registryHtpasswd, 'passwd'),
            { name: 'registry-config', configMap: { name, defaultMode: 0o444 } },
            dataVolume,
          ],
        },
      },
    },
  });
}

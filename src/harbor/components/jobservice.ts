import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  componentClaim, componentService, componentServiceAccount, configChecksum, configFileVolume, configFilesConfigMap, containerPort,
  harborContainerSecurityContext, httpProbe, podSpecBase,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import { JOBSERVICE_CONFIG_PATH, JOB_LOG_DIR, renderJobserviceConfig } from '../config/jobservice-config';
import {
  HARBOR_UID, HarborContext, PORTS, REDIS_DB, REGISTRY_USERNAME, SERVICE_PORTS, componentLabels, componentName, componentSelector,
  coreInternalUrl, plainEnv, redisPasswordEnv, redisUrl, registryControllerUrl, registryUrl, secretEnv, tokenServiceUrl,
} from '../context';
import { HarborSecrets } from '../secrets';

/** Inputs of `buildJobservice`. */
export interface JobserviceOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly secrets: HarborSecrets;
  /** Size of the job-log PVC. */
  readonly jobLogSize: string;
  readonly storageClassName?: string;
}

/**
 * Jobservice's plain env: the chart's `<name>-jobservice-env` ConfigMap keys
 * (goharbor/harbor-helm@v1.18.4:templates/jobservice/jobservice-cm-env.yaml).
 */
export function jobservicePlainEnv(ctx: HarborContext): Record<string, string> {
  return {
    CORE_URL: coreInternalUrl(ctx),
    TOKEN_SERVICE_URL: tokenServiceUrl(ctx),
    REGISTRY_URL: registryUrl(ctx),
    REGISTRY_CONTROLLER_URL: registryControllerUrl(ctx),
    REGISTRY_CREDENTIAL_USERNAME: REGISTRY_USERNAME,
    JOBSERVICE_WEBHOOK_JOB_MAX_RETRY: '3',
    JOBSERVICE_WEBHOOK_JOB_HTTP_CLIENT_TIMEOUT: '3',
    LOG_LEVEL: ctx.logLevel,
  };
}

/**
 * Jobservice: replication, scans, retention, GC and webhooks, queued in Redis DB 1. Deployment
 * `<name>-jobservice` behind Service `<name>-jobservice` (80 → 8080), job logs on a PVC. It also
 * reads the database settings from core and connects to PostgreSQL itself (job/impl/context.go).
 */
export function buildJobservice(scope: Construct, ctx: HarborContext, options: JobserviceOptions): void {
  const name = componentName(ctx, 'jobservice');
  const config = renderJobserviceConfig(ctx);
  componentServiceAccount(scope, ctx, 'jobservice');
  configFilesConfigMap(scope, ctx, 'jobservice', { 'config.yml': config });
  componentService(scope, 'jobservice-service', ctx, 'jobservice', {
    name,
    ports: [{ name: 'http-jobservice', port: SERVICE_PORTS.jobservice, targetPort: PORTS.http }],
  });
  const claimName = componentClaim(scope, ctx, 'jobservice', options.jobLogSize, options.storageClassName);

  const s = options.secrets;
  const env: Wire<k8s.EnvVar>[] = [
    ...plainEnv(jobservicePlainEnv(ctx)),
    secretEnv('CORE_SECRET', s.coreSecret),
    secretEnv('JOBSERVICE_SECRET', s.jobserviceSecret),
    secretEnv('REGISTRY_CREDENTIAL_PASSWORD', s.registryPassword),
    ...redisPasswordEnv(ctx),
    // Overrides the file's password-less URL when the external Redis has a password.
    ...(ctx.redis.password ? [{ name: 'JOB_SERVICE_POOL_REDIS_URL', value: redisUrl(ctx, REDIS_DB.jobservice, false) }] : []),
  ];

  const labels = componentLabels(ctx, 'jobservice');
  kube(k8s.KubeDeployment, scope, 'jobservice', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      // The job-log PVC is ReadWriteOnce.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: componentSelector(ctx, 'jobservice') },
      template: {
        metadata: { labels, annotations: configChecksum(config) },
        spec: {
          ...podSpecBase(ctx, 'jobservice', HARBOR_UID),
          terminationGracePeriodSeconds: 120,
          containers: [{
            name: 'jobservice',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('http', PORTS.http)],
            livenessProbe: httpProbe('/api/v1/stats', PORTS.http, { initialDelaySeconds: 300, periodSeconds: 10 }),
            readinessProbe: httpProbe('/api/v1/stats', PORTS.http, { initialDelaySeconds: 20, periodSeconds: 10 }),
            env,
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [
              { name: 'jobservice-config', mountPath: JOBSERVICE_CONFIG_PATH, subPath: 'config.yml', readOnly: true },
              { name: 'job-logs', mountPath: JOB_LOG_DIR },
            ],
          }],
          volumes: [
            configFileVolume('jobservice-config', name, ['config.yml']),
            { name: 'job-logs', persistentVolumeClaim: { claimName } },
          ],
        },
      },
    },
  });
}

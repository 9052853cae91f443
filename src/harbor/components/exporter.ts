import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { componentService, componentServiceAccount, containerPort, harborContainerSecurityContext, httpProbe, podSpecBase } from './workload';
import { kube, Wire } from '../../core/kube-object';
import {
  HARBOR_UID, HarborContext, PORTS, REDIS_DB, SERVICE_PORTS, componentLabels, componentName, componentSelector, plainEnv,
  redisPasswordEnv, redisUrl, secretEnv,
} from '../context';
import { HarborSecrets } from '../secrets';

/** Inputs of `buildExporter`. */
export interface ExporterOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly secrets: HarborSecrets;
}

/**
 * The exporter's plain env: the chart's `<name>-exporter-env` ConfigMap keys
 * (goharbor/harbor-helm@v1.18.4:templates/exporter/exporter-cm-env.yaml), Redis URL excluded.
 */
export function exporterPlainEnv(ctx: HarborContext): Record<string, string> {
  return {
    LOG_LEVEL: ctx.logLevel,
    HARBOR_EXPORTER_PORT: String(PORTS.exporter),
    HARBOR_EXPORTER_METRICS_PATH: '/metrics',
    HARBOR_EXPORTER_METRICS_ENABLED: 'true',
    HARBOR_EXPORTER_CACHE_TIME: '23',
    HARBOR_EXPORTER_CACHE_CLEAN_INTERVAL: '14400',
    HARBOR_METRIC_NAMESPACE: 'harbor',
    HARBOR_METRIC_SUBSYSTEM: 'exporter',
    HARBOR_REDIS_NAMESPACE: 'harbor_job_service_namespace',
    HARBOR_REDIS_TIMEOUT: '3600',
    HARBOR_SERVICE_SCHEME: 'http',
    HARBOR_SERVICE_HOST: componentName(ctx, 'core'),
    HARBOR_SERVICE_PORT: String(SERVICE_PORTS.core),
    HARBOR_DATABASE_HOST: ctx.database.host,
    HARBOR_DATABASE_PORT: String(ctx.database.port),
    HARBOR_DATABASE_USERNAME: ctx.database.username,
    HARBOR_DATABASE_DBNAME: ctx.database.database,
    HARBOR_DATABASE_SSLMODE: ctx.database.sslMode,
    HARBOR_DATABASE_MAX_IDLE_CONNS: '100',
    HARBOR_DATABASE_MAX_OPEN_CONNS: '900',
  };
}

/**
 * The Prometheus exporter (optional): Deployment `<name>-exporter`, Service `<name>-exporter`
 * (8001, /metrics). It reads the job queue in Redis DB 1, the database and core's API. Unlike the
 * chart's `metrics.enabled`, it does not also open metrics ports on core, registry and jobservice.
 */
export function buildExporter(scope: Construct, ctx: HarborContext, options: ExporterOptions): void {
  const name = componentName(ctx, 'exporter');
  componentServiceAccount(scope, ctx, 'exporter');
  componentService(scope, 'exporter-service', ctx, 'exporter', { name, ports: [{ name: 'http-metrics', port: SERVICE_PORTS.exporter, targetPort: PORTS.exporter }] });
  const env: Wire<k8s.EnvVar>[] = [
    ...plainEnv(exporterPlainEnv(ctx)),
    secretEnv('HARBOR_ADMIN_PASSWORD', options.secrets.adminPassword),
    secretEnv('HARBOR_DATABASE_PASSWORD', options.secrets.databasePassword),
    ...redisPasswordEnv(ctx),
    { name: 'HARBOR_REDIS_URL', value: redisUrl(ctx, REDIS_DB.jobservice, false) },
  ];
  const labels = componentLabels(ctx, 'exporter');
  kube(k8s.KubeDeployment, scope, 'exporter', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: componentSelector(ctx, 'exporter') },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'exporter', HARBOR_UID),
          containers: [{
            name: 'exporter',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            args: ['-log-level', ctx.logLevel],
            ports: [containerPort('http-metrics', PORTS.exporter)],
            livenessProbe: httpProbe('/', PORTS.exporter, { initialDelaySeconds: 300, periodSeconds: 10 }),
            readinessProbe: httpProbe('/', PORTS.exporter, { initialDelaySeconds: 30, periodSeconds: 10 }),
            env,
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
          }],
        },
      },
    },
  });
}

import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  configChecksum, configFileVolume, configFilesConfigMap, componentService, componentServiceAccount, containerPort,
  emptyDirVolume, harborContainerSecurityContext, httpProbe, podSpecBase, secretFileVolume,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import { CORE_APP_CONF_PATH, renderCoreAppConf } from '../config/core-app-conf';
import {
  HARBOR_UID, HarborContext, PORTS, REDIS_DB, REGISTRY_USERNAME, SERVICE_PORTS, componentLabels, componentName, componentSelector,
  coreInternalUrl, jobserviceUrl, plainEnv, portalUrl, redisPasswordEnv, redisUrl, registryControllerUrl, registryUrl, secretEnv,
  tokenServiceUrl, trivyAdapterUrl,
} from '../context';
import { HarborSecrets } from '../secrets';

/** Inputs of `buildCore`. */
export interface CoreOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly secrets: HarborSecrets;
  /** `filesystem` or `s3`. */
  readonly storageDriver: string;
}

/** Adapter lists of the chart's core ConfigMap (harbor-helm v1.18.4). */
const PROXY_CACHE_TYPES = 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,docker-registry,github-ghcr,jfrog-artifactory';
const REPLICATION_ADAPTERS = 'ali-acr,aws-ecr,azure-acr,docker-hub,docker-registry,github-ghcr,google-gcr,harbor,huawei-SWR,jfrog-artifactory,tencent-tcr,volcengine-cr';

/** Core's plain env: the chart's core ConfigMap keys (goharbor/harbor-helm@v1.18.4:templates/core/core-cm.yaml), Redis URLs excluded. */
export function corePlainEnv(ctx: HarborContext, storageDriver: string): Record<string, string> {
  return {
    PORT: String(PORTS.http),
    CONFIG_PATH: CORE_APP_CONF_PATH,
    LOG_LEVEL: ctx.logLevel,
    DATABASE_TYPE: 'postgresql',
    POSTGRESQL_HOST: ctx.database.host,
    POSTGRESQL_PORT: String(ctx.database.port),
    POSTGRESQL_USERNAME: ctx.database.username,
    POSTGRESQL_DATABASE: ctx.database.database,
    POSTGRESQL_SSLMODE: ctx.database.sslMode,
    POSTGRESQL_MAX_IDLE_CONNS: '100',
    POSTGRESQL_MAX_OPEN_CONNS: '900',
    EXT_ENDPOINT: ctx.externalURL,
    CORE_URL: coreInternalUrl(ctx),
    JOBSERVICE_URL: jobserviceUrl(ctx),
    REGISTRY_URL: registryUrl(ctx),
    TOKEN_SERVICE_URL: tokenServiceUrl(ctx),
    CORE_LOCAL_URL: `http://127.0.0.1:${PORTS.http}`,
    PORTAL_URL: portalUrl(ctx),
    REGISTRY_CONTROLLER_URL: registryControllerUrl(ctx),
    // With WITH_TRIVY=true core registers the adapter at TRIVY_ADAPTER_URL itself at startup.
    WITH_TRIVY: String(ctx.trivy),
    TRIVY_ADAPTER_URL: trivyAdapterUrl(ctx),
    REGISTRY_STORAGE_PROVIDER_NAME: storageDriver,
    CHART_CACHE_DRIVER: 'redis',
    REGISTRY_CREDENTIAL_USERNAME: REGISTRY_USERNAME,
    PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: PROXY_CACHE_TYPES,
    REPLICATION_ADAPTER_WHITELIST: REPLICATION_ADAPTERS,
    QUOTA_UPDATE_PROVIDER: 'db',
  };
}

/**
 * Harbor core: API, token service and the /v2/ proxy in front of the registry. Deployment
 * `<name>-core` behind Service `<name>-core` (80 → 8080). Config is env (inline, not the chart's
 * envFrom ConfigMap) plus app.conf; every secret is an explicit secretKeyRef or a one-key volume.
 */
export function buildCore(scope: Construct, ctx: HarborContext, options: CoreOptions): void {
  const name = componentName(ctx, 'core');
  const appConf = renderCoreAppConf();
  componentServiceAccount(scope, ctx, 'core');
  configFilesConfigMap(scope, ctx, 'core', { 'app.conf': appConf });
  componentService(scope, 'core-service', ctx, 'core', { name, ports: [{ name: 'http-web', port: SERVICE_PORTS.core, targetPort: PORTS.http }] });

  const s = options.secrets;
  const env: Wire<k8s.EnvVar>[] = [
    ...plainEnv(corePlainEnv(ctx, options.storageDriver)),
    secretEnv('CORE_SECRET', s.coreSecret),
    secretEnv('JOBSERVICE_SECRET', s.jobserviceSecret),
    secretEnv('CSRF_KEY', s.csrfKey),
    secretEnv('HARBOR_ADMIN_PASSWORD', s.adminPassword),
    secretEnv('POSTGRESQL_PASSWORD', s.databasePassword),
    secretEnv('REGISTRY_CREDENTIAL_PASSWORD', s.registryPassword),
    // Redis URLs last: an external password is expanded from the env var declared just before them.
    ...redisPasswordEnv(ctx),
    { name: '_REDIS_URL_CORE', value: redisUrl(ctx, REDIS_DB.core, true) },
    { name: '_REDIS_URL_REG', value: redisUrl(ctx, REDIS_DB.registry, true) },
  ];
  const probe = (extra: { initialDelaySeconds?: number; failureThreshold: number }): Wire<k8s.Probe> =>
    httpProbe('/api/v2.0/ping', PORTS.http, { periodSeconds: 10, ...extra });

  const labels = componentLabels(ctx, 'core');
  kube(k8s.KubeDeployment, scope, 'core', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: componentSelector(ctx, 'core') },
      template: {
        metadata: { labels, annotations: configChecksum(appConf) },
        spec: {
          ...podSpecBase(ctx, 'core', HARBOR_UID),
          terminationGracePeriodSeconds: 120,
          containers: [{
            name: 'core',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('http', PORTS.http)],
            // Core migrates the database schema at startup: up to an hour before liveness applies.
            startupProbe: probe({ initialDelaySeconds: 10, failureThreshold: 360 }),
            livenessProbe: probe({ failureThreshold: 2 }),
            readinessProbe: probe({ failureThreshold: 2 }),
            env,
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [
              { name: 'config', mountPath: CORE_APP_CONF_PATH, subPath: 'app.conf', readOnly: true },
              // 16 bytes, no newline: used raw as the AES key (src/lib/encrypt/keyprovider.go).
              { name: 'secret-key', mountPath: '/etc/core/key', subPath: 'key', readOnly: true },
              { name: 'token-service-private-key', mountPath: '/etc/core/private_key.pem', subPath: 'tls.key', readOnly: true },
              { name: 'psc', mountPath: '/etc/core/token' },
              // No /etc/core/ca (the chart's CA download with expose.tls): TLS ends at the Ingress
              // with the user's certificate, so there is no generated CA to offer.
            ],
          }],
          volumes: [
            configFileVolume('config', name, ['app.conf']),
            secretFileVolume('secret-key', s.secretKey, 'key'),
            secretFileVolume('token-service-private-key', s.tokenKey, 'tls.key'),
            emptyDirVolume('psc', '16Mi'),
          ],
        },
      },
    },
  });
}

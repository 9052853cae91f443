import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  claimTemplate, componentService, componentServiceAccount, containerPort, harborContainerSecurityContext, httpProbe, podSpecBase,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import {
  HARBOR_UID, HarborContext, PORTS, REDIS_DB, SERVICE_PORTS, componentLabels, componentName, componentSelector, plainEnv,
  redisPasswordEnv, redisUrl,
} from '../context';

/** Inputs of `buildTrivy`. */
export interface TrivyOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  /** Never download the vulnerability DBs: scan with what the cache holds. */
  readonly offline: boolean;
  readonly storageSize: string;
  readonly storageClassName?: string;
}

const CACHE_ROOT = '/home/scanner/.cache';

/** Trivy adapter env (goharbor/harbor-helm@v1.18.4:templates/trivy/trivy-sts.yaml defaults), Redis URLs excluded. */
export function trivyPlainEnv(ctx: HarborContext, offline: boolean): Record<string, string> {
  // SCANNER_TRIVY_GITHUB_TOKEN is left out: the chart's default is empty and the DBs come from OCI mirrors.
  return {
    SCANNER_LOG_LEVEL: ctx.logLevel,
    SCANNER_TRIVY_CACHE_DIR: `${CACHE_ROOT}/trivy`,
    SCANNER_TRIVY_REPORTS_DIR: `${CACHE_ROOT}/reports`,
    SCANNER_TRIVY_DEBUG_MODE: 'false',
    SCANNER_TRIVY_VULN_TYPE: 'os,library',
    SCANNER_TRIVY_TIMEOUT: '5m0s',
    SCANNER_TRIVY_SEVERITY: 'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
    SCANNER_TRIVY_IGNORE_UNFIXED: 'false',
    // Offline (air-gapped): no DB download; pre-seed the cache volume (goharbor/harbor-helm@v1.18.4:values.yaml, `trivy.offlineScan`).
    SCANNER_TRIVY_SKIP_UPDATE: String(offline),
    SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE: String(offline),
    SCANNER_TRIVY_DB_REPOSITORY: 'mirror.gcr.io/aquasec/trivy-db,ghcr.io/aquasecurity/trivy-db',
    SCANNER_TRIVY_JAVA_DB_REPOSITORY: 'mirror.gcr.io/aquasec/trivy-java-db,ghcr.io/aquasecurity/trivy-java-db',
    SCANNER_TRIVY_OFFLINE_SCAN: String(offline),
    SCANNER_TRIVY_SECURITY_CHECKS: 'vuln',
    SCANNER_TRIVY_INSECURE: 'false',
    SCANNER_API_SERVER_ADDR: `:${PORTS.http}`,
  };
}

/**
 * The Trivy scanner adapter: StatefulSet `<name>-trivy` (vulnerability DB cache on a claim) behind
 * Service `<name>-trivy` (8080). Core registers it at startup; scan jobs (jobservice) call it, and
 * it pulls the artifacts to scan through core's /v2/ with a short-lived robot token.
 */
export function buildTrivy(scope: Construct, ctx: HarborContext, options: TrivyOptions): void {
  const name = componentName(ctx, 'trivy');
  componentServiceAccount(scope, ctx, 'trivy');
  componentService(scope, 'trivy-service', ctx, 'trivy', { name, ports: [{ name: 'http-trivy', port: SERVICE_PORTS.trivy, targetPort: PORTS.http }] });
  const url = redisUrl(ctx, REDIS_DB.trivy, true);
  const env: Wire<k8s.EnvVar>[] = [
    ...plainEnv(trivyPlainEnv(ctx, options.offline)),
    ...redisPasswordEnv(ctx),
    // Plain values (the chart keeps them in a Secret because they may embed a password; ours expand it).
    ...['SCANNER_REDIS_URL', 'SCANNER_STORE_REDIS_URL', 'SCANNER_JOB_QUEUE_REDIS_URL'].map((n) => ({ name: n, value: url })),
  ];
  const labels = componentLabels(ctx, 'trivy');
  kube(k8s.KubeStatefulSet, scope, 'trivy', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: componentSelector(ctx, 'trivy') },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'trivy', HARBOR_UID),
          containers: [{
            name: 'trivy',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('api-server', PORTS.http)],
            livenessProbe: httpProbe('/probe/healthy', 'api-server', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 10 }),
            readinessProbe: httpProbe('/probe/ready', 'api-server', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
            env,
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [{ name: 'data', mountPath: CACHE_ROOT }],
          }],
        },
      },
      volumeClaimTemplates: [claimTemplate(ctx, 'trivy', 'data', options.storageSize, options.storageClassName)],
    },
  });
}

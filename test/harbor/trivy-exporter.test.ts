import { container, envMap, find, has, mounts, servicePorts, synth } from './helpers';

describe('trivy', () => {
  const { objects } = synth();
  const sts = find(objects, 'StatefulSet', 'harbor-trivy');
  const c = container(sts, 'trivy');

  test('StatefulSet, image, api-server port 8080, Service harbor-trivy, probes', () => {
    expect(sts.spec.serviceName).toBe('harbor-trivy');
    expect(c.image).toBe('docker.io/goharbor/trivy-adapter-photon:v2.14.4');
    expect(c.ports).toEqual([{ name: 'api-server', containerPort: 8080, protocol: 'TCP' }]);
    expect(servicePorts(find(objects, 'Service', 'harbor-trivy'))).toEqual(['http-trivy 8080->8080']);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/probe/healthy', port: 'api-server', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 10 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/probe/ready', port: 'api-server', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 });
  });

  test('cache claim (5Gi) at /home/scanner/.cache; the chart env; the chart resources', () => {
    expect(mounts(c)).toEqual({ '/home/scanner/.cache': 'data' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
    expect(envMap(c)).toEqual({
      SCANNER_LOG_LEVEL: 'info',
      SCANNER_TRIVY_CACHE_DIR: '/home/scanner/.cache/trivy',
      SCANNER_TRIVY_REPORTS_DIR: '/home/scanner/.cache/reports',
      SCANNER_TRIVY_DEBUG_MODE: 'false',
      SCANNER_TRIVY_VULN_TYPE: 'os,library',
      SCANNER_TRIVY_TIMEOUT: '5m0s',
      SCANNER_TRIVY_SEVERITY: 'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
      SCANNER_TRIVY_IGNORE_UNFIXED: 'false',
      SCANNER_TRIVY_SKIP_UPDATE: 'false',
      SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE: 'false',
      SCANNER_TRIVY_DB_REPOSITORY: 'mirror.gcr.io/aquasec/trivy-db,ghcr.io/aquasecurity/trivy-db',
      SCANNER_TRIVY_JAVA_DB_REPOSITORY: 'mirror.gcr.io/aquasec/trivy-java-db,ghcr.io/aquasecurity/trivy-java-db',
      SCANNER_TRIVY_OFFLINE_SCAN: 'false',
      SCANNER_TRIVY_SECURITY_CHECKS: 'vuln',
      SCANNER_TRIVY_INSECURE: 'false',
      SCANNER_API_SERVER_ADDR: ':8080',
      SCANNER_REDIS_URL: 'redis://harbor-redis:6379/5?idle_timeout_seconds=30',
      SCANNER_STORE_REDIS_URL: 'redis://harbor-redis:6379/5?idle_timeout_seconds=30',
      SCANNER_JOB_QUEUE_REDIS_URL: 'redis://harbor-redis:6379/5?idle_timeout_seconds=30',
    });
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });
  });

  test('offline: no DB updates, offline scans', () => {
    const env = envMap(container(find(synth({ trivyOffline: true }).objects, 'StatefulSet', 'harbor-trivy')));
    expect(env).toMatchObject({ SCANNER_TRIVY_SKIP_UPDATE: 'true', SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE: 'true', SCANNER_TRIVY_OFFLINE_SCAN: 'true' });
  });

  test('turned off: no trivy objects', () => {
    const { objects: o } = synth({ trivy: false });
    expect(has(o, 'StatefulSet', 'harbor-trivy')).toBe(false);
    expect(has(o, 'Service', 'harbor-trivy')).toBe(false);
    expect(has(o, 'NetworkPolicy', 'harbor-trivy')).toBe(false);
  });
});

describe('exporter', () => {
  test('off by default', () => {
    const { objects } = synth();
    expect(has(objects, 'Deployment', 'harbor-exporter')).toBe(false);
    expect(has(objects, 'Service', 'harbor-exporter')).toBe(false);
  });

  test('on: Deployment, port 8001, Service, probes, args, the chart env', () => {
    const { objects } = synth({ exporter: true });
    const c = container(find(objects, 'Deployment', 'harbor-exporter'), 'exporter');
    expect(c.image).toBe('docker.io/goharbor/harbor-exporter:v2.14.4');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8001]);
    expect(servicePorts(find(objects, 'Service', 'harbor-exporter'))).toEqual(['http-metrics 8001->8001']);
    expect(c.args).toEqual(['-log-level', 'info']);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/', port: 8001, scheme: 'HTTP' }, initialDelaySeconds: 300, periodSeconds: 10 });
    expect(c.readinessProbe.initialDelaySeconds).toBe(30);
    expect(envMap(c)).toEqual({
      LOG_LEVEL: 'info',
      HARBOR_EXPORTER_PORT: '8001',
      HARBOR_EXPORTER_METRICS_PATH: '/metrics',
      HARBOR_EXPORTER_METRICS_ENABLED: 'true',
      HARBOR_EXPORTER_CACHE_TIME: '23',
      HARBOR_EXPORTER_CACHE_CLEAN_INTERVAL: '14400',
      HARBOR_METRIC_NAMESPACE: 'harbor',
      HARBOR_METRIC_SUBSYSTEM: 'exporter',
      HARBOR_REDIS_NAMESPACE: 'harbor_job_service_namespace',
      HARBOR_REDIS_TIMEOUT: '3600',
      HARBOR_SERVICE_SCHEME: 'http',
      HARBOR_SERVICE_HOST: 'harbor-core',
      HARBOR_SERVICE_PORT: '80',
      HARBOR_DATABASE_HOST: 'harbor-database',
      HARBOR_DATABASE_PORT: '5432',
      HARBOR_DATABASE_USERNAME: 'postgres',
      HARBOR_DATABASE_DBNAME: 'registry',
      HARBOR_DATABASE_SSLMODE: 'disable',
      HARBOR_DATABASE_MAX_IDLE_CONNS: '100',
      HARBOR_DATABASE_MAX_OPEN_CONNS: '900',
      HARBOR_ADMIN_PASSWORD: 'secret:harbor-admin/HARBOR_ADMIN_PASSWORD',
      HARBOR_DATABASE_PASSWORD: 'secret:harbor-database/POSTGRES_PASSWORD',
      HARBOR_REDIS_URL: 'redis://harbor-redis:6379/1',
    });
  });
});

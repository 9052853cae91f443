import { container, envMap, find, mounts, servicePorts, synth, volume } from './helpers';

describe('core', () => {
  const { registry, objects } = synth();
  const core = find(objects, 'Deployment', 'harbor-core');
  const c = container(core, 'core');

  test('image, port, Service harbor-core 80 -> 8080', () => {
    expect(c.image).toBe('docker.io/goharbor/harbor-core:v2.14.4');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(servicePorts(find(objects, 'Service', 'harbor-core'))).toEqual(['http-web 80->8080']);
    expect(registry.coreServiceName).toBe('harbor-core');
    expect(registry.coreUrl).toBe('http://harbor-core.harbor.svc:80');
  });

  test('probes: GET /api/v2.0/ping on 8080; startup allows an hour for migrations', () => {
    const httpGet = { path: '/api/v2.0/ping', port: 8080, scheme: 'HTTP' };
    expect(c.startupProbe).toEqual({ httpGet, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 360 });
    expect(c.livenessProbe).toEqual({ httpGet, periodSeconds: 10, failureThreshold: 2 });
    expect(c.readinessProbe).toEqual({ httpGet, periodSeconds: 10, failureThreshold: 2 });
  });

  test('files: app.conf, the 16-byte key, the token signing key and the token emptyDir', () => {
    expect(mounts(c)).toEqual({
      '/etc/core/app.conf': 'config:app.conf',
      '/etc/core/key': 'secret-key:key',
      '/etc/core/private_key.pem': 'token-service-private-key:tls.key',
      '/etc/core/token': 'psc',
    });
    expect(volume(core, 'secret-key').secret).toEqual({ secretName: 'harbor-core', items: [{ key: 'secretKey', path: 'key' }], defaultMode: 0o440 });
    expect(volume(core, 'token-service-private-key').secret).toEqual({ secretName: 'harbor-core', items: [{ key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 });
    expect(volume(core, 'psc').emptyDir).toBeDefined();
    expect(volume(core, 'config').configMap.name).toBe('harbor-core');
    expect(find(objects, 'ConfigMap', 'harbor-core').data['app.conf']).toBe('appname = Harbor\nrunmode = prod\nenablegzip = true\n\n[prod]\nhttpport = 8080\n');
  });

  test('env: the chart ConfigMap keys plus explicit secretKeyRefs', () => {
    expect(envMap(c)).toEqual({
      PORT: '8080',
      CONFIG_PATH: '/etc/core/app.conf',
      LOG_LEVEL: 'info',
      DATABASE_TYPE: 'postgresql',
      POSTGRESQL_HOST: 'harbor-database',
      POSTGRESQL_PORT: '5432',
      POSTGRESQL_USERNAME: 'postgres',
      POSTGRESQL_DATABASE: 'registry',
      POSTGRESQL_SSLMODE: 'disable',
      POSTGRESQL_MAX_IDLE_CONNS: '100',
      POSTGRESQL_MAX_OPEN_CONNS: '900',
      EXT_ENDPOINT: 'http://harbor.harbor.svc',
      CORE_URL: 'http://harbor-core:80',
      JOBSERVICE_URL: 'http://harbor-jobservice',
      REGISTRY_URL: 'http://harbor-registry:5000',
      TOKEN_SERVICE_URL: 'http://harbor-core:80/service/token',
      CORE_LOCAL_URL: 'http://127.0.0.1:8080',
      PORTAL_URL: 'http://harbor-portal',
      REGISTRY_CONTROLLER_URL: 'http://harbor-registry:8080',
      WITH_TRIVY: 'true',
      TRIVY_ADAPTER_URL: 'http://harbor-trivy:8080',
      REGISTRY_STORAGE_PROVIDER_NAME: 'filesystem',
      CHART_CACHE_DRIVER: 'redis',
      REGISTRY_CREDENTIAL_USERNAME: 'harbor_registry_user',
      PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: 'docker-hub,harbor,azure-acr,ali-acr,aws-ecr,google-gcr,docker-registry,github-ghcr,jfrog-artifactory',
      REPLICATION_ADAPTER_WHITELIST: 'ali-acr,aws-ecr,azure-acr,docker-hub,docker-registry,github-ghcr,google-gcr,harbor,huawei-SWR,jfrog-artifactory,tencent-tcr,volcengine-cr',
      QUOTA_UPDATE_PROVIDER: 'db',
      CORE_SECRET: 'secret:harbor-core/secret',
      JOBSERVICE_SECRET: 'secret:harbor-jobservice/JOBSERVICE_SECRET',
      CSRF_KEY: 'secret:harbor-core/CSRF_KEY',
      HARBOR_ADMIN_PASSWORD: 'secret:harbor-admin/HARBOR_ADMIN_PASSWORD',
      POSTGRESQL_PASSWORD: 'secret:harbor-database/POSTGRES_PASSWORD',
      REGISTRY_CREDENTIAL_PASSWORD: 'secret:harbor-registry-credentials/REGISTRY_PASSWD',
      _REDIS_URL_CORE: 'redis://harbor-redis:6379/0?idle_timeout_seconds=30',
      _REDIS_URL_REG: 'redis://harbor-redis:6379/2?idle_timeout_seconds=30',
    });
    // No envFrom: every value is visible in the pod spec, every secret is one explicit key.
    expect(c.envFrom).toBeUndefined();
  });

  test('pod: chart uid 10000, no token, grace period 120, config checksum annotation', () => {
    const pod = core.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 10000, runAsGroup: 10000, fsGroup: 10000, runAsNonRoot: true });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('harbor-core');
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(core.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(registry.corePodLabels).toEqual(core.spec.selector.matchLabels);
  });

  test('trivy off: WITH_TRIVY=false', () => {
    const off = synth({ trivy: false });
    expect(envMap(container(find(off.objects, 'Deployment', 'harbor-core'))).WITH_TRIVY).toBe('false');
  });
});

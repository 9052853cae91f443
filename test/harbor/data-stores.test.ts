import { parse as parseYaml } from 'yaml';
import { bootstrapSpec, container, envMap, find, has, mounts, servicePorts, synth } from './helpers';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborDatabase, HarborRedis } from '../../src/harbor/external-services';

describe('internal database', () => {
  const { objects } = synth();
  const sts = find(objects, 'StatefulSet', 'harbor-database');
  const c = container(sts, 'database');

  test('StatefulSet with serviceName, image, port 5432, Service harbor-database', () => {
    expect(sts.spec.serviceName).toBe('harbor-database');
    expect(sts.spec.replicas).toBe(1);
    expect(c.image).toBe('docker.io/goharbor/harbor-db:v2.14.4');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([5432]);
    expect(servicePorts(find(objects, 'Service', 'harbor-database'))).toEqual(['postgres 5432->5432']);
  });

  test('probes exec /docker-healthcheck.sh (timeout 1 s), uid 999', () => {
    expect(c.livenessProbe).toEqual({ exec: { command: ['/docker-healthcheck.sh'] }, initialDelaySeconds: 300, periodSeconds: 10, timeoutSeconds: 1 });
    expect(c.readinessProbe.initialDelaySeconds).toBe(1);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
  });

  test('data claim at /var/lib/postgresql/data with PGDATA below it, /dev/shm in memory, permission init container', () => {
    expect(mounts(c)).toEqual({ '/var/lib/postgresql/data': 'database-data', '/dev/shm': 'shm-volume' });
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ metadata: { name: 'database-data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    expect(sts.spec.template.spec.volumes).toEqual([{ name: 'shm-volume', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } }]);
    const init = sts.spec.template.spec.initContainers[0];
    expect(init.name).toBe('data-permissions-ensurer');
    expect(init.image).toBe(c.image);
    expect(init.args).toEqual(['-c', 'chmod -R 700 /var/lib/postgresql/data/pgdata || true']);
    expect(envMap(c)).toEqual({ PGDATA: '/var/lib/postgresql/data/pgdata', POSTGRES_PASSWORD: 'secret:harbor-database/POSTGRES_PASSWORD' });
  });

  test('the password the database initializes with is the one core and the exporter send', () => {
    const { objects: o } = synth({ exporter: true });
    const dbPassword = envMap(container(find(o, 'StatefulSet', 'harbor-database'))).POSTGRES_PASSWORD;
    expect(envMap(container(find(o, 'Deployment', 'harbor-core'))).POSTGRESQL_PASSWORD).toBe(dbPassword);
    expect(envMap(container(find(o, 'Deployment', 'harbor-exporter'))).HARBOR_DATABASE_PASSWORD).toBe(dbPassword);
    expect(bootstrapSpec(o)).toContain('key POSTGRES_PASSWORD random 32');
  });
});

describe('internal redis', () => {
  const { objects } = synth();
  const sts = find(objects, 'StatefulSet', 'harbor-redis');
  const c = container(sts, 'redis');

  test('StatefulSet, image, port 6379, tcp probes, data claim at /var/lib/redis, uid 999', () => {
    expect(sts.spec.serviceName).toBe('harbor-redis');
    expect(c.image).toBe('docker.io/goharbor/redis-photon:v2.14.4');
    expect(servicePorts(find(objects, 'Service', 'harbor-redis'))).toEqual(['redis 6379->6379']);
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 6379 }, initialDelaySeconds: 300, periodSeconds: 10 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 6379 }, initialDelaySeconds: 1, periodSeconds: 10 });
    expect(mounts(c)).toEqual({ '/var/lib/redis': 'data' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
    expect(c.env).toBeUndefined();
  });

  test('the chart DB indexes: core 0, jobservice 1, registry 2, trivy 5 (exporter reads jobservice 1)', () => {
    const { objects: o } = synth({ exporter: true });
    const core = envMap(container(find(o, 'Deployment', 'harbor-core')));
    const dbOf = (url: string): string => /^redis:\/\/harbor-redis:6379\/(\d+)/.exec(url)![1];
    expect(dbOf(core._REDIS_URL_CORE)).toBe('0');
    expect(dbOf(core._REDIS_URL_REG)).toBe('2');
    expect(parseYaml(find(o, 'ConfigMap', 'harbor-registry').data['config.yml']).redis).toMatchObject({ addr: 'harbor-redis:6379', db: 2 });
    expect(dbOf(parseYaml(find(o, 'ConfigMap', 'harbor-jobservice').data['config.yml']).worker_pool.redis_pool.redis_url)).toBe('1');
    const trivy = envMap(container(find(o, 'StatefulSet', 'harbor-trivy')));
    for (const key of ['SCANNER_REDIS_URL', 'SCANNER_STORE_REDIS_URL', 'SCANNER_JOB_QUEUE_REDIS_URL']) expect(dbOf(trivy[key])).toBe('5');
    expect(dbOf(envMap(container(find(o, 'Deployment', 'harbor-exporter'))).HARBOR_REDIS_URL)).toBe('1');
  });
});

describe('external database and Redis', () => {
  const password = SecretKeyReference.fromSecret('pg-credentials', 'password');
  const redisPassword = SecretKeyReference.fromSecret('redis-credentials', 'redis-password');
  const { objects } = synth({
    exporter: true,
    database: HarborDatabase.external({ host: 'pg.databases.svc', port: 6432, username: 'harbor', database: 'harbor_core', sslMode: 'require', password }),
    redis: HarborRedis.external({ host: 'redis.example.com', port: 6380, password: redisPassword }),
  });
  const core = envMap(container(find(objects, 'Deployment', 'harbor-core')));

  test('no internal StatefulSets, Services or generated database Secret', () => {
    expect(has(objects, 'StatefulSet', 'harbor-database')).toBe(false);
    expect(has(objects, 'StatefulSet', 'harbor-redis')).toBe(false);
    expect(has(objects, 'Service', 'harbor-database')).toBe(false);
    expect(has(objects, 'Service', 'harbor-redis')).toBe(false);
    const spec = bootstrapSpec(objects);
    expect(spec).not.toContain('secret harbor-database Opaque');
    // The user's Secrets are checked for existence by the bootstrap Job.
    expect(spec).toContain('require pg-credentials password');
    expect(spec).toContain('require redis-credentials redis-password');
  });

  test('core and the exporter use the external database settings and the user\'s password', () => {
    expect(core).toMatchObject({
      POSTGRESQL_HOST: 'pg.databases.svc',
      POSTGRESQL_PORT: '6432',
      POSTGRESQL_USERNAME: 'harbor',
      POSTGRESQL_DATABASE: 'harbor_core',
      POSTGRESQL_SSLMODE: 'require',
      POSTGRESQL_PASSWORD: 'secret:pg-credentials/password',
    });
    expect(envMap(container(find(objects, 'Deployment', 'harbor-exporter')))).toMatchObject({
      HARBOR_DATABASE_HOST: 'pg.databases.svc',
      HARBOR_DATABASE_PORT: '6432',
      HARBOR_DATABASE_PASSWORD: 'secret:pg-credentials/password',
    });
  });

  test('a Redis password is spliced into URLs by the kubelet from an env var declared before them', () => {
    const env = container(find(objects, 'Deployment', 'harbor-core')).env.map((e: any) => e.name);
    expect(env.indexOf('HARBOR_REDIS_PASSWORD')).toBeLessThan(env.indexOf('_REDIS_URL_CORE'));
    expect(core.HARBOR_REDIS_PASSWORD).toBe('secret:redis-credentials/redis-password');
    expect(core._REDIS_URL_CORE).toBe('redis://:$(HARBOR_REDIS_PASSWORD)@redis.example.com:6380/0?idle_timeout_seconds=30');
    const jobservice = envMap(container(find(objects, 'Deployment', 'harbor-jobservice')));
    expect(jobservice.JOB_SERVICE_POOL_REDIS_URL).toBe('redis://:$(HARBOR_REDIS_PASSWORD)@redis.example.com:6380/1');
    const registry = envMap(container(find(objects, 'Deployment', 'harbor-registry'), 'registry'));
    expect(registry.REGISTRY_REDIS_PASSWORD).toBe('secret:redis-credentials/redis-password');
    const config = parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['config.yml']);
    expect(config.redis).toMatchObject({ addr: 'redis.example.com:6380', db: 2 });
    expect(config.redis.password).toBeUndefined();
    expect(envMap(container(find(objects, 'StatefulSet', 'harbor-trivy'))).SCANNER_REDIS_URL).toBe('redis://:$(HARBOR_REDIS_PASSWORD)@redis.example.com:6380/5?idle_timeout_seconds=30');
  });

  test('defaults of the external database: port 5432, user postgres, database registry, sslmode disable', () => {
    const { objects: o } = synth({ database: HarborDatabase.external({ host: '10.0.0.5', password }) });
    expect(envMap(container(find(o, 'Deployment', 'harbor-core')))).toMatchObject({
      POSTGRESQL_HOST: '10.0.0.5', POSTGRESQL_PORT: '5432', POSTGRESQL_USERNAME: 'postgres', POSTGRESQL_DATABASE: 'registry', POSTGRESQL_SSLMODE: 'disable',
    });
  });
});

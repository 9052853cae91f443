import { Construct } from 'constructs';
import { parse as parseYaml } from 'yaml';
import { container, envMap, find, has, mounts, servicePorts, synth, volume } from './helpers';
import { S3Bucket, S3Credentials } from '../../src/core/s3-bucket';
import { HarborRegistryStorage } from '../../src/harbor/storage';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';

/** SeaweedFS in the same chart with a bucket for Harbor's namespace. */
function withSeaweedBucket(chart: Construct): { registryStorage: HarborRegistryStorage } {
  const storage = new SeaweedFSStorage(chart, 'storage');
  return { registryStorage: HarborRegistryStorage.s3(storage.addBucket('harbor', { consumerNamespace: 'harbor', objectAcls: true })) };
}

describe('registry + registryctl (default: PersistentVolume)', () => {
  const { objects } = synth();
  const deployment = find(objects, 'Deployment', 'harbor-registry');
  const registry = container(deployment, 'registry');
  const ctl = container(deployment, 'registryctl');
  const config = parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['config.yml']);

  test('one pod, two containers, images, ports and Service harbor-registry (5000, 8080)', () => {
    expect(deployment.spec.template.spec.containers.map((x: any) => x.name)).toEqual(['registry', 'registryctl']);
    expect(registry.image).toBe('docker.io/goharbor/registry-photon:v2.14.4');
    expect(ctl.image).toBe('docker.io/goharbor/harbor-registryctl:v2.14.4');
    expect(registry.ports.map((p: any) => p.containerPort)).toEqual([5000, 5001]);
    expect(ctl.ports.map((p: any) => p.containerPort)).toEqual([8080]);
    expect(servicePorts(find(objects, 'Service', 'harbor-registry'))).toEqual(['http-registry 5000->5000', 'http-controller 8080->8080']);
  });

  test('probes: registry GET / :5000, registryctl GET /api/health :8080 (liveness 300 s, readiness 1 s)', () => {
    expect(registry.livenessProbe).toEqual({ httpGet: { path: '/', port: 5000, scheme: 'HTTP' }, initialDelaySeconds: 300, periodSeconds: 10 });
    expect(registry.readinessProbe).toEqual({ httpGet: { path: '/', port: 5000, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 10 });
    expect(ctl.livenessProbe.httpGet).toEqual({ path: '/api/health', port: 8080, scheme: 'HTTP' });
    expect(ctl.readinessProbe.initialDelaySeconds).toBe(1);
  });

  test('mounts: data at /storage, htpasswd file, config.yml in both, ctl-config.yml for registryctl', () => {
    expect(mounts(registry)).toEqual({
      '/storage': 'registry-data',
      '/etc/registry/passwd': 'registry-htpasswd:passwd',
      '/etc/registry/config.yml': 'registry-config:config.yml',
    });
    expect(mounts(ctl)).toEqual({
      '/storage': 'registry-data',
      '/etc/registry/config.yml': 'registry-config:config.yml',
      '/etc/registryctl/config.yml': 'registry-config:ctl-config.yml',
    });
    expect(volume(deployment, 'registry-htpasswd').secret).toEqual({
      secretName: 'harbor-registry-credentials', items: [{ key: 'REGISTRY_HTPASSWD', path: 'passwd' }], defaultMode: 0o440,
    });
    expect(parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['ctl-config.yml'])).toEqual({
      protocol: 'http', port: 8080, log_level: 'info', registry_config: '/etc/registry/config.yml',
    });
  });

  test('PVC mode: RWO claim harbor-registry 5Gi, Recreate strategy, filesystem driver, no S3 anywhere', () => {
    expect(volume(deployment, 'registry-data').persistentVolumeClaim).toEqual({ claimName: 'harbor-registry' });
    const pvc = find(objects, 'PersistentVolumeClaim', 'harbor-registry');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec.resources.requests.storage).toBe('5Gi');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(config.storage.filesystem).toEqual({ rootdirectory: '/storage' });
    expect(config.storage.s3).toBeUndefined();
    expect(config.storage.redirect).toEqual({ disable: false });
    for (const c of [registry, ctl]) expect(Object.keys(envMap(c)).filter((k) => k.includes('S3'))).toEqual([]);
  });

  test('config.yml: the chart keys (htpasswd auth, Redis DB 2, upload purging, schema1)', () => {
    expect(config).toEqual({
      version: '0.1',
      log: { level: 'info', fields: { service: 'registry' } },
      storage: {
        filesystem: { rootdirectory: '/storage' },
        cache: { layerinfo: 'redis' },
        maintenance: { uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false } },
        delete: { enabled: true },
        redirect: { disable: false },
      },
      redis: {
        addr: 'harbor-redis:6379',
        db: 2,
        readtimeout: '10s',
        writetimeout: '10s',
        dialtimeout: '10s',
        enableTLS: false,
        pool: { maxidle: 100, maxactive: 500, idletimeout: '60s' },
      },
      http: { addr: ':5000', relativeurls: false, debug: { addr: 'localhost:5001' } },
      auth: { htpasswd: { realm: 'harbor-registry-basic-realm', path: '/etc/registry/passwd' } },
      validation: { disabled: true },
      compatibility: { schema1: { enabled: true } },
    });
    expect(config.http.secret).toBeUndefined();
  });

  test('env: the HTTP secret in both containers; registryctl also gets the core and jobservice secrets', () => {
    expect(envMap(registry)).toEqual({ REGISTRY_HTTP_SECRET: 'secret:harbor-registry/REGISTRY_HTTP_SECRET' });
    expect(envMap(ctl)).toEqual({
      CORE_SECRET: 'secret:harbor-core/secret',
      JOBSERVICE_SECRET: 'secret:harbor-jobservice/JOBSERVICE_SECRET',
      REGISTRY_HTTP_SECRET: 'secret:harbor-registry/REGISTRY_HTTP_SECRET',
    });
  });

  test('log level mapping of the chart: warning -> warn, fatal -> error', () => {
    expect(parseYaml(find(synth({ logLevel: 'warning' }).objects, 'ConfigMap', 'harbor-registry').data['config.yml']).log.level).toBe('warn');
    expect(parseYaml(find(synth({ logLevel: 'fatal' }).objects, 'ConfigMap', 'harbor-registry').data['config.yml']).log.level).toBe('error');
  });

  test('size and storage class of the PVC', () => {
    const { objects: o } = synth({ registryStorage: HarborRegistryStorage.persistentVolume({ size: '200Gi', storageClassName: 'fast' }) });
    expect(find(o, 'PersistentVolumeClaim', 'harbor-registry').spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '200Gi' } } });
  });
});

describe('registry on S3 (SeaweedFS bucket)', () => {
  const { objects } = synth({}, withSeaweedBucket);
  const deployment = find(objects, 'Deployment', 'harbor-registry');
  const config = parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['config.yml']);

  test('storage.s3 carries the bucket reference, regionendpoint, secure per scheme, v4auth; redirects disabled', () => {
    expect(config.storage.s3).toEqual({
      region: 'us-east-1',
      bucket: 'harbor',
      regionendpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333',
      secure: false,
      v4auth: true,
    });
    expect(config.storage.filesystem).toBeUndefined();
    expect(config.storage.redirect).toEqual({ disable: true });
    // Keys are never in the file.
    expect(JSON.stringify(config)).not.toMatch(/accesskey|secretkey/i);
  });

  test('access and secret key env from the bucket Secret in both containers', () => {
    for (const name of ['registry', 'registryctl']) {
      expect(envMap(container(deployment, name))).toMatchObject({
        REGISTRY_STORAGE_S3_ACCESSKEY: 'secret:seaweedfs-bucket-harbor/AWS_ACCESS_KEY_ID',
        REGISTRY_STORAGE_S3_SECRETKEY: 'secret:seaweedfs-bucket-harbor/AWS_SECRET_ACCESS_KEY',
      });
    }
    expect(envMap(container(find(objects, 'Deployment', 'harbor-core'))).REGISTRY_STORAGE_PROVIDER_NAME).toBe('s3');
  });

  test('emptyDir at /storage, no registry PVC, RollingUpdate', () => {
    expect(volume(deployment, 'registry-data').emptyDir).toBeDefined();
    expect(mounts(container(deployment, 'registry'))['/storage']).toBe('registry-data');
    expect(has(objects, 'PersistentVolumeClaim', 'harbor-registry')).toBe(false);
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
  });

  test('an https endpoint gives secure: true', () => {
    const bucket = S3Bucket.fromAttributes({
      endpoint: 'https://s3.example.com',
      bucket: 'models',
      region: 'eu-west-1',
      credentials: S3Credentials.fromSecret('harbor', 's3-keys', { accessKeyIdKey: 'id', secretAccessKeyKey: 'key' }),
    });
    const { objects: o } = synth({ registryStorage: HarborRegistryStorage.s3(bucket) });
    expect(parseYaml(find(o, 'ConfigMap', 'harbor-registry').data['config.yml']).storage.s3).toEqual({
      region: 'eu-west-1', bucket: 'models', regionendpoint: 'https://s3.example.com', secure: true, v4auth: true,
    });
    expect(envMap(container(find(o, 'Deployment', 'harbor-registry'), 'registryctl'))).toMatchObject({
      REGISTRY_STORAGE_S3_ACCESSKEY: 'secret:s3-keys/id',
      REGISTRY_STORAGE_S3_SECRETKEY: 'secret:s3-keys/key',
    });
  });
});

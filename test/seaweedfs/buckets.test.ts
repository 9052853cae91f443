import { Testing } from 'cdk8s';
import { GeneratedValue } from '../../src/core/generated-value';
import { S3Bucket } from '../../src/core/s3-bucket';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { expectValidManifests } from '../validation';
import { container, envMap, find, synth } from './helpers';

const JOB = /^seaweedfs-buckets-[0-9a-f]{10}$/;

function jobOf(objects: any[]): any {
  return find(objects, 'Job', JOB);
}

function identitiesSpec(objects: any[]): string[][] {
  return find(objects, 'ConfigMap', 'seaweedfs-s3-identities').data['identities.conf']
    .split('\n').filter((l: string) => l && !l.startsWith('#')).map((l: string) => l.split(' '));
}

describe('SeaweedFSStorage.addBucket', () => {
  test('returns an S3Bucket with the in-cluster endpoint, path style, us-east-1 and the consumer Secret', () => {
    const { storage } = synth({}, [['velero', { consumerNamespace: 'velero' }]]);
    const [bucket] = storage.buckets;
    expect(bucket).toBeInstanceOf(S3Bucket);
    expect(bucket.endpoint).toBe('http://seaweedfs-s3.seaweedfs.svc:8333');
    expect(bucket.bucket).toBe('velero');
    expect(bucket.region).toBe('us-east-1');
    expect(bucket.forcePathStyle).toBe(true);
    expect(bucket.secure).toBe(false);
    expect(bucket.hostPort).toBe('seaweedfs-s3.seaweedfs.svc:8333');
    expect(bucket.seaweedFSVersion).toBe('3.73');
    const proxied = bucket.withEndpoint('https://s3.example.com');
    expect([proxied.endpoint, proxied.secure, proxied.bucket, proxied.credentials, proxied.seaweedFSVersion])
      .toEqual(['https://s3.example.com', true, 'velero', bucket.credentials, '3.73']);
    expect(bucket.credentials).toMatchObject({
      namespace: 'velero', secretName: 'seaweedfs-bucket-velero', accessKeyIdKey: 'AWS_ACCESS_KEY_ID', secretAccessKeyKey: 'AWS_SECRET_ACCESS_KEY',
    });
  });

  test('keys are declared on the SecretBootstrap: random 20/40 alphanumeric, consumer copy in its namespace', () => {
    const addSecret = jest.spyOn(SecretBootstrap.prototype, 'addSecret');
    const requireExisting = jest.spyOn(SecretBootstrap.prototype, 'requireExistingSecret');
    const randoms = jest.spyOn(GeneratedValue, 'randomAlphanumeric');
    try {
      synth({}, [['velero', { consumerNamespace: 'velero' }], ['internal', { consumerNamespace: 'seaweedfs' }]]);
      expect(addSecret.mock.calls.map(([name, options]) => [name, options.copyToNamespaces ?? [], Object.keys(options.keys)])).toEqual([
        ['seaweedfs-s3-admin', [], ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']],
        ['seaweedfs-bucket-velero', ['velero'], ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']],
        // The consumer lives in the storage namespace: no copy needed.
        ['seaweedfs-bucket-internal', [], ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']],
      ]);
      expect(randoms.mock.calls.map(([n]) => n)).toEqual([20, 40, 20, 40, 20, 40]);
      expect(requireExisting).not.toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
    }
  });

  test('an existing admin Secret is required instead of generated', () => {
    const addSecret = jest.spyOn(SecretBootstrap.prototype, 'addSecret');
    const requireExisting = jest.spyOn(SecretBootstrap.prototype, 'requireExistingSecret');
    try {
      const { storage, objects } = synth({ adminSecretName: 'my-admin-keys' }, [['velero', { consumerNamespace: 'velero' }]]);
      expect(requireExisting.mock.calls).toEqual([['my-admin-keys', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']]]);
      expect(addSecret.mock.calls.map(([name]) => name)).toEqual(['seaweedfs-bucket-velero']);
      expect(storage.adminSecretName).toBe('my-admin-keys');
      const sources = find(objects, 'Deployment', 'seaweedfs-s3').spec.template.spec.volumes.find((v: any) => v.name === 'credentials').projected.sources;
      expect(sources[0].secret.name).toBe('my-admin-keys');
    } finally {
      jest.restoreAllMocks();
    }
  });

  test('identities: admin has Admin/Read/Write/List/Tagging; each consumer only Read/Write/List on its bucket (+Tagging if asked)', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }], ['registry', { consumerNamespace: 'harbor', tagging: true }]]);
    expect(identitiesSpec(objects)).toEqual([
      ['admin', '/var/run/seaweedfs/credentials/admin', 'Admin,Read,Write,List,Tagging'],
      ['bucket-velero', '/var/run/seaweedfs/credentials/bucket-velero', 'Read:velero,Write:velero,List:velero'],
      ['bucket-registry', '/var/run/seaweedfs/credentials/bucket-registry', 'Read:registry,Write:registry,List:registry,Tagging:registry'],
    ]);
    for (const [name, , actions] of identitiesSpec(objects).slice(1)) {
      const bucket = name.replace('bucket-', '');
      for (const action of actions.split(',')) {
        expect(action).toMatch(new RegExp(`^(Read|Write|List|Tagging):${bucket}$`));
      }
    }
  });

  test('objectAcls adds WriteAcp on the bucket only, and the S3Bucket says so', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }], ['harbor', { consumerNamespace: 'harbor', objectAcls: true }]]);
    expect(identitiesSpec(objects).slice(1).map(([name, , actions]) => [name, actions])).toEqual([
      ['bucket-velero', 'Read:velero,Write:velero,List:velero'],
      ['bucket-harbor', 'Read:harbor,Write:harbor,List:harbor,WriteAcp:harbor'],
    ]);
    const chart = Testing.chart();
    const seaweed = new SeaweedFSStorage(chart, 'storage');
    expect(seaweed.addBucket('harbor', { consumerNamespace: 'harbor', objectAcls: true }).objectAcls).toBe(true);
    expect(seaweed.addBucket('velero', { consumerNamespace: 'velero' }).objectAcls).toBe(false);
  });

  test.each([['tagging', 'yes'], ['objectAcls', 1], ['objectAcls', null]])('addBucket refuses a %s that is not a boolean (%p)', (option, value) => {
    const storage = new SeaweedFSStorage(Testing.chart(), 'storage');
    expect(() => storage.addBucket('harbor', { consumerNamespace: 'harbor', [option]: value } as any))
      .toThrow(`SeaweedFSStorage 'addBucket("harbor").${option}': got ${value === 'yes' ? '"yes"' : String(value)}, expected true or false. Fix: pass true or false, or leave the prop out for false`);
  });

  test('the S3 pod projects each identity Secret into its own directory and assembles the JSON in an init container', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }]]);
    const spec = find(objects, 'Deployment', 'seaweedfs-s3').spec.template.spec;
    const credentials = spec.volumes.find((v: any) => v.name === 'credentials');
    expect(credentials.projected).toEqual({
      defaultMode: 0o440,
      sources: [
        { secret: { name: 'seaweedfs-s3-admin', optional: false, items: [{ key: 'AWS_ACCESS_KEY_ID', path: 'admin/AWS_ACCESS_KEY_ID' }, { key: 'AWS_SECRET_ACCESS_KEY', path: 'admin/AWS_SECRET_ACCESS_KEY' }] } },
        { secret: { name: 'seaweedfs-bucket-velero', optional: false, items: [{ key: 'AWS_ACCESS_KEY_ID', path: 'bucket-velero/AWS_ACCESS_KEY_ID' }, { key: 'AWS_SECRET_ACCESS_KEY', path: 'bucket-velero/AWS_SECRET_ACCESS_KEY' }] } },
      ],
    });
    const [init] = spec.initContainers;
    expect(init.name).toBe('identities');
    expect(init.command).toEqual(['/bin/sh', '/opt/seaweedfs/scripts/build-identities.sh', '/opt/seaweedfs/identities/identities.conf', '/var/run/seaweedfs/s3/identities.json']);
    expect(init.volumeMounts.map((m: any) => [m.name, m.readOnly ?? false])).toEqual([['scripts', true], ['identities-spec', true], ['credentials', true], ['s3-config', false]]);
    // The server itself never sees the raw Secrets.
    expect(container({ spec: { template: { spec } } }, 's3').volumeMounts.map((m: any) => m.name)).toEqual(['s3-config', 'tmp']);
    const scripts = find(objects, 'ConfigMap', 'seaweedfs-scripts');
    expect(Object.keys(scripts.data).sort()).toEqual(['build-identities.sh', 'create-buckets.sh']);
  });

  test('the bucket Job runs the create-buckets script against master and filer with the bucket list', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }], ['registry', { consumerNamespace: 'harbor' }]]);
    const job = jobOf(objects);
    const c = container(job);
    expect(c.command).toEqual(['/bin/sh', '/opt/seaweedfs/scripts/create-buckets.sh']);
    expect(envMap(c)).toMatchObject({
      SEAWEEDFS_MASTER: 'seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333',
      SEAWEEDFS_FILER: 'seaweedfs-filer-client.seaweedfs.svc:8888',
      BUCKETS: 'registry velero',
      WAIT_ATTEMPTS: '20',
      WAIT_INITIAL_SECONDS: '2',
      WAIT_MAX_SECONDS: '30',
      SHELL_TIMEOUT_SECONDS: '30',
    });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBe(3);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(c.volumeMounts).toEqual([{ name: 'scripts', mountPath: '/opt/seaweedfs/scripts', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }]);
  });

  test('the Job name changes with the bucket list and only with it', () => {
    const name = (buckets: string[]): string => jobOf(synth({}, buckets.map((b) => [b, { consumerNamespace: 'velero' }])).objects).metadata.name;
    expect(name(['velero'])).toBe(name(['velero']));
    expect(name(['velero', 'registry'])).toBe(name(['registry', 'velero']));
    expect(name(['velero'])).not.toBe(name(['velero', 'registry']));
    expect(name(['velero'])).toMatch(JOB);
  });

  test('buckets added after other objects exist still reach the Job, identities, policies and master flags (lazy at synth)', () => {
    const chart = Testing.chart();
    const storage = new SeaweedFSStorage(chart, 'storage', { volumeStorageSize: '10Gi' });
    storage.addBucket('velero', { consumerNamespace: 'velero' });
    const first = Testing.synth(chart);
    storage.addBucket('registry', { consumerNamespace: 'harbor' });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(envMap(container(jobOf(objects))).BUCKETS).toBe('registry velero');
    expect(jobOf(objects).metadata.name).not.toBe(jobOf(first).metadata.name);
    expect(identitiesSpec(objects).map(([n]) => n)).toEqual(['admin', 'bucket-velero', 'bucket-registry']);
    const s3Ingress = find(objects, 'NetworkPolicy', 'seaweedfs-s3').spec.ingress;
    expect(s3Ingress.flatMap((r: any) => r.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']))).toEqual(['harbor', 'velero']);
    const limit = (objs: any[]): string => container(find(objs, 'StatefulSet', 'seaweedfs-master')).args.find((a: string) => a.startsWith('-volumeSizeLimitMB='));
    expect(limit(first)).toBe('-volumeSizeLimitMB=614');
    expect(limit(objects)).toBe('-volumeSizeLimitMB=418');
    const annotation = (objs: any[]): string => find(objs, 'Deployment', 'seaweedfs-s3').spec.template.metadata.annotations['seaweedfs.cnai.io/identities-hash'];
    expect(annotation(objects)).not.toBe(annotation(first));
  });

  test('no bucket: no Job, no bucket ServiceAccount/policy, S3 reachable from nobody', () => {
    const { objects } = synth();
    expect(objects.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('seaweedfs-buckets'))).toEqual([]);
    expect(objects.filter((o) => o.metadata.name === 'seaweedfs-bucket-setup')).toEqual([]);
    expect(find(objects, 'NetworkPolicy', 'seaweedfs-s3').spec.ingress).toEqual([]);
    expect(identitiesSpec(objects).map(([n]) => n)).toEqual(['admin']);
  });
});

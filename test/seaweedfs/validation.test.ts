import { Testing } from 'cdk8s';
import { PropValidationError } from '../../src/core/errors';
import { SeaweedFSStorage, SeaweedFSStorageProps } from '../../src/seaweedfs/seaweedfs-storage';
import { expectPropError, propErrorOf } from '../prop-errors';
import { expectValidManifests } from '../validation';

function construct(props: SeaweedFSStorageProps): SeaweedFSStorage {
  return new SeaweedFSStorage(Testing.chart(), 'storage', props);
}


/** The message names SeaweedFSStorage, the prop and the received value, and says what to do. */
function expectNames(error: PropValidationError, prop: string, value: string): void {
  expectPropError(error, 'SeaweedFSStorage', prop, value);
}

describe('SeaweedFSStorage rejects bad props with a propError', () => {
  test('negative size', () => {
    expectNames(propErrorOf(() => construct({ volumeStorageSize: '-1Gi' })), 'volumeStorageSize', '"-1Gi"');
  });

  test('zero size', () => {
    expectNames(propErrorOf(() => construct({ masterStorageSize: '0Gi' })), 'masterStorageSize', '"0Gi"');
    expectNames(propErrorOf(() => construct({ filerStorageSize: '0' })), 'filerStorageSize', '"0"');
  });

  test('invalid bucket name (S3 rules)', () => {
    const storage = construct({});
    const error = propErrorOf(() => storage.addBucket('Velero_Backups', { consumerNamespace: 'velero' }));
    expectNames(error, 'addBucket.bucket', '"Velero_Backups"');
    expect(error.allowed).toContain('S3 bucket name');
    expectNames(propErrorOf(() => storage.addBucket('ab', { consumerNamespace: 'velero' })), 'addBucket.bucket', '"ab"');
    expectNames(propErrorOf(() => storage.addBucket('192.168.1.1', { consumerNamespace: 'velero' })), 'addBucket.bucket', '"192.168.1.1"');
    expect(storage.buckets).toEqual([]);
  });

  test('duplicate bucket', () => {
    const storage = construct({});
    storage.addBucket('velero', { consumerNamespace: 'velero' });
    const error = propErrorOf(() => storage.addBucket('velero', { consumerNamespace: 'other' }));
    expectNames(error, 'addBucket.bucket', '"velero"');
    expect(error.allowed).toContain('declared: velero');
    expect(storage.buckets).toHaveLength(1);
  });

  test.each(['0a1', '300', '00', '0001', 'abc', ''])('unknown replication string %p', (replication) => {
    const error = propErrorOf(() => construct({ replication }));
    expectNames(error, 'replication', JSON.stringify(replication));
    expect(error.allowed).toContain('three digits XYZ');
  });

  test('replication across racks or data centers cannot be satisfied (one rack, one data center)', () => {
    expectNames(propErrorOf(() => construct({ replication: '010', volumeServers: 3 })), 'replication', '"010"');
    expectNames(propErrorOf(() => construct({ replication: '100', volumeServers: 3 })), 'replication', '"100"');
  });

  test('empty storage class', () => {
    expectNames(propErrorOf(() => construct({ storageClassName: '' })), 'storageClassName', '""');
    expectNames(propErrorOf(() => construct({ storageClassName: 'Fast SSD' })), 'storageClassName', '"Fast SSD"');
  });

  test('replication needing more volume servers than declared', () => {
    const error = propErrorOf(() => construct({ replication: '001' }));
    expectNames(error, 'replication', '"001"');
    expect(error.fix).toContain('volumeServers to at least 2');
    expectNames(propErrorOf(() => construct({ replication: '002', volumeServers: 2 })), 'replication', '"002"');
    expect(() => construct({ replication: '001', volumeServers: 2 })).not.toThrow();
  });

  test('PVC too small for the declared buckets: the error names the minimum size and nothing is declared', () => {
    const storage = construct({ volumeStorageSize: '1Gi' });
    for (let i = 0; i < 7; i++) storage.addBucket(`bucket-${i}`, { consumerNamespace: 'velero' });
    const error = propErrorOf(() => storage.addBucket('one-too-many', { consumerNamespace: 'velero' }));
    expectNames(error, 'volumeStorageSize', '"1Gi"');
    expect(error.allowed).toMatch(/at least \d+Mi per volume server/);
    expect(error.fix).toMatch(/set volumeStorageSize to "\d+Mi" or more/);
    expect(storage.buckets).toHaveLength(7);
    // The construct is still consistent and synthesizes.
    expectValidManifests(Testing.synth(storage.node.scope as any));
  });

  test('PVC too small even without buckets', () => {
    const error = propErrorOf(() => construct({ volumeStorageSize: '100Mi' }));
    expectNames(error, 'volumeStorageSize', '"100Mi"');
  });

  test('other props', () => {
    expectNames(propErrorOf(() => construct({ masterReplicas: 2 })), 'masterReplicas', '2');
    expectNames(propErrorOf(() => construct({ volumeServers: 0 })), 'volumeServers', '0');
    expectNames(propErrorOf(() => construct({ namespace: 'Storage' })), 'namespace', '"Storage"');
    expectNames(propErrorOf(() => construct({ name: 'a-very-long-instance-name-over-30' })), 'name', '"a-very-long-instance-name-over-30"');
    expectNames(propErrorOf(() => construct({ volumeSizeLimitMB: 40000 })), 'volumeSizeLimitMB', '40000');
    expectNames(propErrorOf(() => construct({ version: ' ' })), 'version', '" "');
    expectNames(propErrorOf(() => construct({ s3ClientNamespaces: ['ok', 'Not_OK'] })), 's3ClientNamespaces[1]', '"Not_OK"');
    expectNames(propErrorOf(() => construct({ volumeResources: { memoryRequest: '1Gi', memoryLimit: '512Mi' } })), 'volumeResources.memoryRequest', '"1Gi"');
    expectNames(propErrorOf(() => construct({ s3Resources: { cpuRequest: 'fast' } })), 's3Resources.cpuRequest', '"fast"');
    expectNames(propErrorOf(() => construct({ adminSecretName: 'Admin Keys' })), 'adminSecretName', '"Admin Keys"');
    const storage = construct({});
    expectNames(propErrorOf(() => storage.addBucket('velero', { consumerNamespace: 'Velero' })), 'addBucket("velero").consumerNamespace', '"Velero"');
  });

  test('a moving image tag is refused as a version', () => {
    const error = propErrorOf(() => construct({ version: 'latest' }));
    expect([error.construct, error.prop]).toEqual(['SeaweedFSStorage', 'version']);
    expect(error.message).toContain('"latest"');
  });
});

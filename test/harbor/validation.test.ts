import { Testing } from 'cdk8s';
import { expectNames, propErrorOf } from './helpers';
import { S3Bucket, S3Credentials } from '../../src/core/s3-bucket';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborDatabase, HarborRedis } from '../../src/harbor/external-services';
import { HarborModelRegistry, HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { HarborRegistryStorage } from '../../src/harbor/storage';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';

function construct(props: HarborModelRegistryProps): HarborModelRegistry {
  return new HarborModelRegistry(Testing.chart(), 'harbor', props);
}

const password = SecretKeyReference.fromSecret('pg', 'password');

describe('HarborModelRegistry rejects bad props with a propError', () => {
  test('external database without host', () => {
    const error = propErrorOf(() => construct({ database: HarborDatabase.external({ password } as any) }));
    expectNames(error, 'database.host', 'undefined');
    expect(error.fix).toContain('host');
    expectNames(propErrorOf(() => construct({ database: HarborDatabase.external({ host: '', password }) })), 'database.host', '""');
  });

  test('external database without password, bad port, bad sslMode', () => {
    expectNames(propErrorOf(() => construct({ database: HarborDatabase.external({ host: 'pg' } as any) })), 'database.password', 'undefined');
    expectNames(propErrorOf(() => construct({ database: HarborDatabase.external({ host: 'pg', port: 0, password }) })), 'database.port', '0');
    expectNames(propErrorOf(() => construct({ database: HarborDatabase.external({ host: 'pg', sslMode: 'prefer-not', password }) })), 'database.sslMode', '"prefer-not"');
  });

  test('external Redis without host', () => {
    expectNames(propErrorOf(() => construct({ redis: HarborRedis.external({} as any) })), 'redis.host', 'undefined');
  });

  test('S3 bucket without credentials', () => {
    const bucket = S3Bucket.fromAttributes({ endpoint: 'http://minio.minio.svc:9000', bucket: 'harbor' });
    const error = propErrorOf(() => construct({ registryStorage: HarborRegistryStorage.s3(bucket) }));
    expectNames(error, 'registryStorage.bucket.credentials', '"harbor"');
    expect(error.fix).toContain("S3Credentials.fromSecret('harbor'");
  });

  test('S3 bucket whose credentials live in another namespace', () => {
    const chart = Testing.chart();
    const bucket = new SeaweedFSStorage(chart, 'storage').addBucket('harbor', { consumerNamespace: 'velero', objectAcls: true });
    const error = propErrorOf(() => new HarborModelRegistry(chart, 'harbor', { registryStorage: HarborRegistryStorage.s3(bucket) }));
    expectNames(error, 'registryStorage.bucket.credentials.namespace', '"velero"');
    expect(error.fix).toContain("consumerNamespace: 'harbor'");
    const other = S3Bucket.fromAttributes({ endpoint: 'https://s3.example.com', bucket: 'x-models', credentials: S3Credentials.fromSecret('default', 'keys') });
    expectNames(propErrorOf(() => construct({ namespace: 'registry', registryStorage: HarborRegistryStorage.s3(other) })), 'registryStorage.bucket.credentials.namespace', '"default"');
  });

  test('S3 bucket whose credentials may not set object ACLs (the S3 driver sends x-amz-acl on every upload)', () => {
    const chart = Testing.chart();
    const bucket = new SeaweedFSStorage(chart, 'storage').addBucket('harbor', { consumerNamespace: 'harbor' });
    const error = propErrorOf(() => new HarborModelRegistry(chart, 'harbor', { registryStorage: HarborRegistryStorage.s3(bucket) }));
    expectNames(error, 'registryStorage.bucket.objectAcls', 'false');
    expect(error.fix).toBe("declare the bucket with object ACLs, e.g. storage.addBucket('harbor', { consumerNamespace: 'harbor', objectAcls: true })");
    // Unknown (an external store): not checked.
    const external = S3Bucket.fromAttributes({ endpoint: 'https://s3.example.com', bucket: 'models', credentials: S3Credentials.fromSecret('harbor', 'keys') });
    expect(() => construct({ registryStorage: HarborRegistryStorage.s3(external) })).not.toThrow();
  });

  test.each([
    [{ registryStorage: HarborRegistryStorage.persistentVolume({ size: '0Gi' }) }, 'registryStorage.size', '"0Gi"'],
    [{ registryStorage: HarborRegistryStorage.persistentVolume({ size: '-5Gi' }) }, 'registryStorage.size', '"-5Gi"'],
    [{ database: HarborDatabase.internal({ storageSize: '0' }) }, 'database.storageSize', '"0"'],
    [{ redis: HarborRedis.internal({ storageSize: '-1Gi' }) }, 'redis.storageSize', '"-1Gi"'],
    [{ trivyStorageSize: '0Mi' }, 'trivyStorageSize', '"0Mi"'],
    [{ jobLogStorageSize: 'lots' }, 'jobLogStorageSize', '"lots"'],
  ] as Array<[HarborModelRegistryProps, string, string]>)('sizes must be positive: %#', (props, prop, value) => {
    expectNames(propErrorOf(() => construct(props)), prop, value);
  });

  test('names, version, log level, namespaces, CIDR, resources', () => {
    expectNames(propErrorOf(() => construct({ namespace: 'Harbor' })), 'namespace', '"Harbor"');
    expectNames(propErrorOf(() => construct({ name: 'a-very-long-harbor-instance-name-x' })), 'name', '"a-very-long-harbor-instance-name-x"');
    expect(() => construct({ version: 'latest' })).toThrow(/latest/);
    expectNames(propErrorOf(() => construct({ logLevel: 'verbose' })), 'logLevel', '"verbose"');
    expectNames(propErrorOf(() => construct({ clientNamespaces: ['ok', 'Not_OK'] })), 'clientNamespaces[1]', '"Not_OK"');
    expectNames(propErrorOf(() => construct({ externalEndpointsCidr: '10.0.0.0/33' })), 'externalEndpointsCidr', '"10.0.0.0/33"');
    expectNames(propErrorOf(() => construct({ resources: { core: { memoryRequest: '2Gi', memoryLimit: '1Gi' } } })), 'resources.core.memoryRequest', '"2Gi"');
  });

  test('nothing is created when validation fails', () => {
    const chart = Testing.chart();
    expect(() => new HarborModelRegistry(chart, 'harbor', { registryStorage: HarborRegistryStorage.persistentVolume({ size: '0' }) })).toThrow();
    expect(Testing.synth(chart)).toEqual([]);
  });
});

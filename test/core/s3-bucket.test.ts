import { S3Bucket, S3Credentials } from '../../src';

describe('S3Bucket', () => {
  test('defaults suit S3-compatible stores: us-east-1 and path style', () => {
    const bucket = S3Bucket.fromAttributes({ endpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333', bucket: 'velero' });
    expect(bucket.region).toBe('us-east-1');
    expect(bucket.forcePathStyle).toBe(true);
    expect(bucket.secure).toBe(false);
    expect(bucket.hostPort).toBe('seaweedfs-s3.seaweedfs.svc:8333');
    expect(bucket.credentials).toBeUndefined();
  });

  test('carries consumer credentials', () => {
    const credentials = S3Credentials.fromSecret('velero', 's3-velero-credentials');
    const bucket = S3Bucket.fromAttributes({ endpoint: 'https://s3.example.com', bucket: 'velero', credentials });
    expect(bucket.hostPort).toBe('s3.example.com:443');
    expect(bucket.credentials?.accessKeyIdKey).toBe('AWS_ACCESS_KEY_ID');
    expect(bucket.credentials?.secretAccessKeyKey).toBe('AWS_SECRET_ACCESS_KEY');
    expect(bucket.credentials?.namespace).toBe('velero');
  });

  test('objectAcls: unknown by default, kept by withEndpoint, and only true or false', () => {
    expect(S3Bucket.fromAttributes({ endpoint: 'http://s3:8333', bucket: 'harbor' }).objectAcls).toBeUndefined();
    const bucket = S3Bucket.fromAttributes({ endpoint: 'http://s3:8333', bucket: 'harbor', objectAcls: true });
    expect(bucket.withEndpoint('https://s3.example.com').objectAcls).toBe(true);
    expect(() => S3Bucket.fromAttributes({ endpoint: 'http://s3:8333', bucket: 'harbor', objectAcls: 'yes' as any }))
      .toThrow('S3Bucket \'objectAcls\': got "yes", expected true or false');
  });

  test.each([
    'http://seaweedfs-s3:8333/velero',
    'seaweedfs-s3:8333',
    'ftp://host',
    'http://host:8333/',
  ])('rejects endpoint %j', (endpoint) => {
    expect(() => S3Bucket.fromAttributes({ endpoint, bucket: 'velero' })).toThrow(/S3Bucket 'endpoint': got .*, expected an http\(s\) URL/);
  });

  test.each([
    ['ab', 'length must be 3-63'],
    ['Velero', 'only lowercase letters'],
    ['my_bucket', 'only lowercase letters'],
    ['-velero', 'only lowercase letters'],
    ['a..b', 'no two adjacent periods'],
    ['192.168.1.1', 'must not look like an IP address'],
    ['xn--bucket', 'reserved prefix'],
    ['data-s3alias', 'reserved suffix'],
    ['a'.repeat(64), 'length must be 3-63'],
  ])('rejects bucket name %j (%s)', (name, reason) => {
    expect(() => S3Bucket.fromAttributes({ endpoint: 'http://s3:8333', bucket: name })).toThrow(reason);
    expect(() => S3Bucket.validateBucketName('SeaweedFSStorage', 'addBucket(name)', name))
      .toThrow(/^SeaweedFSStorage 'addBucket\(name\)': got .*, expected an S3 bucket name/);
  });

  test('accepts valid bucket names', () => {
    for (const name of ['velero', 'harbor-registry', 'a.b.c', '123']) {
      expect(() => S3Bucket.validateBucketName('X', 'bucket', name)).not.toThrow();
    }
  });

  test('rejects invalid credential secret names and keys', () => {
    expect(() => S3Credentials.fromSecret('Velero', 's')).toThrow(/S3Credentials 'namespace': got "Velero"/);
    expect(() => S3Credentials.fromSecret('velero', 's', { accessKeyIdKey: 'bad key' })).toThrow(/S3Credentials 'accessKeyIdKey': got "bad key"/);
  });
});

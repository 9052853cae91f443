/**
 * Bad input: every error names the construct, the prop and the value received (and what is
 * allowed and how to fix it), in the library's one error format.
 */
import { Chart, Testing } from 'cdk8s';
import { build, bucketIn, propErrorOf } from './helpers';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { cronProblem } from '../../src/core/cron';
import { formatGoDuration, parseGoDuration } from '../../src/core/go-duration';
import { ImageCatalog } from '../../src/core/images';
import { S3Bucket } from '../../src/core/s3-bucket';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';

describe('bad input, one error each', () => {
  test('invalid cron', () => {
    const { velero } = build();
    const error = propErrorOf(() => velero.scheduleNamespace('ai-inference', { cron: '0 25 * * *' }));
    expect(error.construct).toBe('VeleroKopiaBackup');
    expect(error.prop).toBe('scheduleNamespace.cron');
    expect(error.message).toContain("VeleroKopiaBackup 'scheduleNamespace.cron': got \"0 25 * * *\"");
    expect(error.message).toContain('hour field "25"');
    expect(error.message).toContain('Fix: use e.g. "0 2 * * *"');
  });

  test('ttl that is not a duration', () => {
    const { velero } = build();
    const error = propErrorOf(() => velero.backupNamespace('ai-inference', { name: 'ai-backup', ttl: '3 days' }));
    expect(error.message).toContain("VeleroKopiaBackup 'backupNamespace.ttl': got \"3 days\", expected a positive Go duration");
    expect(error.message).toContain('"72h0m0s"');
  });

  test('unknown namespace in a restore mapping', () => {
    const { velero } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    const error = propErrorOf(() => velero.restore({ backupName: 'ai-backup', namespaceMapping: { 'ai-infrence': 'restored' } }));
    expect(error.prop).toBe('restore.namespaceMapping');
    expect(error.message).toContain("VeleroKopiaBackup 'restore.namespaceMapping': got {\"ai-infrence\":\"restored\"}");
    expect(error.message).toContain('unknown namespace in a restore mapping: "ai-infrence"');
    expect(error.message).toContain('map one of "ai-inference"');
  });

  test('bucket reference without credentials', () => {
    const bucket = S3Bucket.fromAttributes({ endpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333', bucket: 'velero' });
    const error = propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket }));
    expect(error.message).toContain("VeleroKopiaBackup 'bucket.credentials': got \"bucket \\\"velero\\\" at http://seaweedfs-s3.seaweedfs.svc:8333 without credentials\"");
    expect(error.message).toContain("consumerNamespace: 'velero'");
  });

  test('negative timeout', () => {
    const error = propErrorOf(() => build({ fsBackupTimeout: '-30m' }));
    expect(error.message).toContain("VeleroKopiaBackup 'fsBackupTimeout': got \"-30m\", expected a positive Go duration");
    expect(error.message).toContain('remove the minus sign');
  });
});

describe('more bad input', () => {
  test('credentials Secret in another namespace than Velero\'s', () => {
    const error = propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket: bucketIn('harbor') }));
    expect(error.message).toContain("VeleroKopiaBackup 'bucket.credentials.namespace': got \"harbor\", expected \"velero\"");
  });

  test('an endpoint with a path is refused (Kopia rejects `path is not expected in s3Url`)', () => {
    const withPath = { ...bucketIn(), endpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333/velero' } as unknown as S3Bucket;
    const error = propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket: withPath }));
    expect(error.message).toContain("VeleroKopiaBackup 'bucket.endpoint': got \"http://seaweedfs-s3.seaweedfs.svc:8333/velero\"");
  });

  test('a restore needs exactly one of backupName and scheduleName', () => {
    const { velero } = build();
    expect(propErrorOf(() => velero.restore({})).message).toContain('exactly one of backupName and scheduleName');
    expect(propErrorOf(() => velero.restore({ backupName: 'a', scheduleName: 'b' })).message).toContain('exactly one of backupName and scheduleName');
  });

  test('a mapping key outside includedNamespaces; a mapping with nothing to check against', () => {
    const { velero } = build();
    velero.scheduleNamespace('ai-inference', { cron: '@daily' });
    expect(propErrorOf(() => velero.restore({ scheduleName: 'ai-inference-schedule', includedNamespaces: ['other'], namespaceMapping: { 'ai-inference': 'x' } })).message)
      .toContain("not in the restore's includedNamespaces");
    const fresh = build().velero;
    expect(propErrorOf(() => fresh.restore({ backupName: 'cli-backup', namespaceMapping: { 'ai-inference': 'x' } })).message)
      .toContain('list the backup\'s namespaces in includedNamespaces');
  });

  test('duplicate names, bad names, bad enums and options', () => {
    const { velero } = build();
    velero.backupNamespace('ai-inference', { name: 'ai-backup' });
    expect(propErrorOf(() => velero.backupNamespace('ai-inference', { name: 'ai-backup' })).message).toContain('a Backup name not used yet');
    expect(propErrorOf(() => velero.backupNamespace('AI')).prop).toBe('backupNamespace.namespace');
    expect(propErrorOf(() => velero.scheduleNamespace('ai-inference', { cron: '@daily', name: 'x'.repeat(49) })).prop).toBe('scheduleNamespace.name');
    expect(propErrorOf(() => velero.restore({ backupName: 'ai-backup', existingResourcePolicy: 'replace' as any })).prop).toBe('restore.existingResourcePolicy');
    expect(propErrorOf(() => velero.backupNamespace('ai-inference', { name: 'b2', parallelFilesUpload: 0 })).prop).toBe('backupNamespace.parallelFilesUpload');
    expect(propErrorOf(() => velero.backupNamespace('ai-inference', { name: 'b3', labelSelector: {} })).prop).toBe('backupNamespace.labelSelector');
    expect(propErrorOf(() => velero.backupNamespace('ai-inference', { name: 'b4', extraSpec: [] as any })).prop).toBe('backupNamespace.extraSpec');
  });

  test('construct props', () => {
    expect(propErrorOf(() => build({ checksumAlgorithm: 'MD5' })).prop).toBe('checksumAlgorithm');
    expect(propErrorOf(() => build({ prefix: '/velero/' })).prop).toBe('prefix');
    expect(propErrorOf(() => build({ publicUrl: 'https://s3.example.com/path' })).prop).toBe('publicUrl');
    expect(propErrorOf(() => build({ features: ['a,b'] })).prop).toBe('features');
    expect(propErrorOf(() => build({ kubeletRootDir: 'var/lib/kubelet' })).prop).toBe('kubeletRootDir');
    expect(propErrorOf(() => build({ network: { apiServerCidrs: ['10.0.0.1/32'] } as any })).prop).toBe('network');
    expect(propErrorOf(() => build({ keepLatestMaintenanceJobs: 0 })).prop).toBe('keepLatestMaintenanceJobs');
    expect(propErrorOf(() => build({ serverResources: { memoryRequest: '2Gi' } })).prop).toBe('serverResources.memoryRequest');
    expect(propErrorOf(() => build({ fsBackupTimeout: '0s' })).prop).toBe('fsBackupTimeout');
    expect(propErrorOf(() => build({ logLevel: 'verbose' as any })).prop).toBe('logLevel');
  });

  test('resourcesChart must be another chart of the same App; the default sibling id must be free', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'install');
    expect(propErrorOf(() => new VeleroKopiaBackup(chart, 'a', { bucket: bucketIn(), resourcesChart: chart })).prop).toBe('resourcesChart');
    expect(propErrorOf(() => new VeleroKopiaBackup(chart, 'b', { bucket: bucketIn(), resourcesChart: Testing.chart() })).prop).toBe('resourcesChart');
    new Chart(app, 'c-resources');
    expect(propErrorOf(() => new VeleroKopiaBackup(chart, 'c', { bucket: bucketIn() })).message).toContain('give this construct another id or pass resourcesChart');
  });
});

describe('https to SeaweedFS before 3.85 with velero-plugin-for-aws v1.14.1/v1.14.2 (aws-chunked trailers stored inside objects)', () => {
  /** The SeaweedFSStorage bucket, reached through a TLS proxy in front of the gateway. */
  function seaweedBucket(version?: string, endpoint = 'https://s3.example.com'): S3Bucket {
    const storage = new SeaweedFSStorage(Testing.chart(), 'storage', version === undefined ? {} : { version });
    return storage.addBucket('velero', { consumerNamespace: 'velero' }).withEndpoint(endpoint);
  }

  test('is rejected at construction, naming the endpoint, the releases, why and the fix', () => {
    const error = propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket: seaweedBucket() }));
    expect(error.construct).toBe('VeleroKopiaBackup');
    expect(error.prop).toBe('bucket.endpoint');
    expect(error.value).toBe('https://s3.example.com');
    expect(error.message).toContain("VeleroKopiaBackup 'bucket.endpoint': got \"https://s3.example.com\", expected an http:// endpoint for a bucket on SeaweedFS 3.73 with velero-plugin-for-aws v1.14.2");
    expect(error.message).toContain('aws-chunked bodies with a checksum trailer, which SeaweedFS before 3.85 does not decode but stores inside the objects');
    expect(error.message).toContain("Fix: use the gateway's in-cluster http endpoint");
    expect(error.message).toContain('or run SeaweedFS 3.85 or later');
  });

  test('also when the bucket is declared by hand with its SeaweedFS release, and with plugin v1.14.1', () => {
    const bucket = S3Bucket.fromAttributes({ ...attributesOf(bucketIn()), endpoint: 'https://s3.example.com:8443', seaweedFSVersion: '3.84_large_disk' });
    expect(propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket })).message).toContain('SeaweedFS 3.84_large_disk with velero-plugin-for-aws v1.14.2');
    const images = new ImageCatalog({ overrides: { 'velero-plugin-for-aws': 'registry.local/velero-plugin-for-aws:v1.14.1' } });
    expect(propErrorOf(() => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket, images })).message).toContain('with velero-plugin-for-aws v1.14.1');
  });

  test('is accepted over http, with a SeaweedFS that decodes the trailers, an unknown store or a plugin without them', () => {
    const accepted = (bucket: S3Bucket, images?: ImageCatalog) => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket, images }).pluginImage;
    expect(accepted(seaweedBucket(undefined, 'http://seaweedfs-s3.seaweedfs.svc:8333'))).toBe('docker.io/velero/velero-plugin-for-aws:v1.14.2');
    expect(accepted(seaweedBucket('3.85'))).toBeDefined();
    expect(accepted(seaweedBucket('4.02'))).toBeDefined();
    expect(accepted(bucketIn('velero', 'https://s3.example.com'))).toBeDefined();
    const v1140 = new ImageCatalog({ overrides: { 'velero-plugin-for-aws': 'docker.io/velero/velero-plugin-for-aws:v1.14.0' } });
    expect(accepted(seaweedBucket(), v1140)).toBe('docker.io/velero/velero-plugin-for-aws:v1.14.0');
  });

  test('a SeaweedFS release that is not MAJOR.MINOR is refused where it is given', () => {
    expect(propErrorOf(() => S3Bucket.fromAttributes({ ...attributesOf(bucketIn()), seaweedFSVersion: 'v3' })).prop).toBe('seaweedFSVersion');
    expect(propErrorOf(() => new SeaweedFSStorage(Testing.chart(), 'storage', { version: 'trunk' })).prop).toBe('version');
  });
});

function attributesOf(b: S3Bucket) {
  return { endpoint: b.endpoint, bucket: b.bucket, region: b.region, forcePathStyle: b.forcePathStyle, credentials: b.credentials };
}

describe('cron expressions as robfig/cron ParseStandard reads them', () => {
  test.each([
    '0 2 * * *', '*/15 * * * *', '0 0 1 1 *', '0 3 * * MON-FRI', '0 3 * * sun', '5,35 1-5/2 ? JAN-MAR 0', '59 23 31 12 6',
    '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@every 6h', '@every 1h30m',
    'CRON_TZ=Europe/Berlin 0 2 * * *', 'TZ=UTC @daily',
  ])('accepts %s', (spec) => {
    expect(cronProblem(spec)).toBeUndefined();
  });

  test.each([
    ['', 'empty'],
    ['0 2 * *', 'expected exactly 5 fields, got 4'],
    ['0 0 2 * * *', 'expected exactly 5 fields, got 6'],
    ['60 * * * *', 'minute field "60"'],
    ['* * 0 * *', 'day of month field "0"'],
    ['* * * 13 *', 'month field "13"'],
    ['* * * * 7', 'day of week field "7"'],
    ['*/0 * * * *', 'step must be positive'],
    ['5-1 * * * *', 'range start 5 is after its end 1'],
    ['@fortnightly', 'unknown descriptor'],
    ['@every 1d', '"@every" needs a Go duration'],
    ['* * * FOO *', 'month field "FOO"'],
  ])('rejects %j (%s)', (spec, problem) => {
    expect(cronProblem(spec)).toContain(problem);
  });
});

describe('Go durations', () => {
  test.each([
    ['72h0m0s', 72n * 3600n * 10n ** 9n], ['720h', 720n * 3600n * 10n ** 9n], ['1h30m', 5400n * 10n ** 9n], ['1.5h', 5400n * 10n ** 9n],
    ['90s', 90n * 10n ** 9n], ['500ms', 5n * 10n ** 8n], ['0', 0n], ['-5m', -300n * 10n ** 9n], ['1µs', 1000n], ['2us', 2000n],
  ])('parses %s', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  test.each(['', '3 days', '1d', '10', 'h', '1h 30m', '.h', '5m-'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  test.each([
    ['240m', '4h0m0s'], ['6h', '6h0m0s'], ['90m', '1h30m0s'], ['45s', '45s'], ['1.5s', '1.5s'], ['500ms', '500ms'], ['2m', '2m0s'],
  ])('formats %s as Go prints it: %s', (text, printed) => {
    expect(formatGoDuration(parseGoDuration(text)!)).toBe(printed);
  });
});

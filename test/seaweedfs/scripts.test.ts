/**
 * Runs the real src/seaweedfs/scripts/*.sh in a PATH jail of the seaweedfs image (busybox sh and
 * only the applets the image declares), with stand-ins for `weed` and `sleep` (fixtures/bin).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { find, synth } from './helpers';
import { CREDENTIALS_DIR } from '../../src/seaweedfs/constants';
import { Jail, scriptJail } from '../jail';

const SCRIPTS = path.join(__dirname, '..', '..', 'src', 'seaweedfs', 'scripts');
const FIXTURE_BIN = path.join(__dirname, 'fixtures', 'bin');
const REAL_SLEEP = execFileSync('sh', ['-c', 'command -v sleep']).toString().trim();

// Both scripts run in the seaweedfs image; one jail serves them.
const { jail, skipReason } = scriptJail('create-buckets.sh', {
  standIns: { weed: path.join(FIXTURE_BIN, 'weed'), sleep: path.join(FIXTURE_BIN, 'sleep') },
});
const jailed = jail ? describe : describe.skip;
const inImage = skipReason ? ` (skipped: ${skipReason})` : ' in the seaweedfs image';
afterAll(() => jail?.remove());

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: string[], env: Record<string, string>): Run {
  const result = (jail as Jail).run(path.join(SCRIPTS, script), args, { env: { TMPDIR: os.tmpdir(), ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// 3.73: the version the library deploys (stand-in from its source); 4.53: the one the e2e tier runs
// (stand-in from observations). See the header of fixtures/bin/weed.
describe.each(['3.73', '4.53'])('weed %s', (version) => jailed(`create-buckets.sh${inImage} (against a fake \`weed shell\` ${version})`, () => {
  let state: string;
  const base = (): Record<string, string> => ({
    FAKE_WEED_STATE: state,
    FAKE_WEED_VERSION: version,
    REAL_SLEEP,
    SEAWEEDFS_MASTER: 'seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333',
    SEAWEEDFS_FILER: 'seaweedfs-filer-client.seaweedfs.svc:8888',
    BUCKETS: 'velero registry',
    WAIT_ATTEMPTS: '5',
    WAIT_INITIAL_SECONDS: '2',
    WAIT_MAX_SECONDS: '5',
    SHELL_TIMEOUT_SECONDS: '5',
  });
  const log = (): string[] => fs.readFileSync(path.join(state, 'log'), 'utf8').trim().split('\n');
  const stdins = (): string[] => log().filter((l) => l.startsWith('stdin: ')).map((l) => l.slice('stdin: '.length));
  const buckets = (): string[] => fs.readFileSync(path.join(state, 'buckets'), 'utf8').trim().split('\n').filter(Boolean);
  const sleeps = (): string[] => (fs.existsSync(path.join(state, 'sleeps')) ? fs.readFileSync(path.join(state, 'sleeps'), 'utf8').trim().split('\n') : []);

  beforeEach(() => {
    state = tempDir('fake-weed-');
  });

  test('creates only the missing buckets, through `weed shell` with explicit master and filer', () => {
    fs.writeFileSync(path.join(state, 'buckets'), 'registry\nother\n');
    const result = run('create-buckets.sh', [], base());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(stdins()).toEqual(['s3.bucket.list', 's3.bucket.create -name velero', 's3.bucket.list']);
    for (const line of log().filter((l) => l.startsWith('argv: '))) {
      expect(line).toBe('argv: shell -master=seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333 -filer=seaweedfs-filer-client.seaweedfs.svc:8888');
    }
    expect(buckets().sort()).toEqual(['other', 'registry', 'velero']);
    expect(result.stdout).toContain('bucket registry exists');
    expect(result.stdout).toContain('created bucket velero');
    expect(result.stdout).toContain('1 bucket(s) created');
  });

  test('a second run creates nothing', () => {
    expect(run('create-buckets.sh', [], base()).status).toBe(0);
    expect(stdins().filter((s) => s.startsWith('s3.bucket.create'))).toEqual(['s3.bucket.create -name velero', 's3.bucket.create -name registry']);
    fs.writeFileSync(path.join(state, 'log'), '');
    const second = run('create-buckets.sh', [], base());
    expect(second.status).toBe(0);
    expect(stdins()).toEqual(['s3.bucket.list', 's3.bucket.list']);
    expect(second.stdout).toContain('0 bucket(s) created');
    expect(buckets()).toEqual(['velero', 'registry']);
  });

  test('parses the listing (3.73: after liner\'s "> " prompt; 4.53: with a logical column)', () => {
    fs.writeFileSync(path.join(state, 'buckets'), 'velero\nregistry\n');
    const result = run('create-buckets.sh', [], base());
    expect(result.status).toBe(0);
    expect(stdins().filter((s) => s.startsWith('s3.bucket.create'))).toEqual([]);
    expect(result.stdout).toContain('bucket velero exists');
    expect(result.stdout).toContain('bucket registry exists');
  });

  test('waits with exponential backoff while the filer is not up, then proceeds', () => {
    const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_DOWN_CALLS: '3' });
    expect(result.status).toBe(0);
    expect(sleeps()).toEqual(['2', '4', '5']);
    expect(result.stdout).toMatch(/attempt 1\/5: error: read buckets/);
    expect(buckets()).toEqual(['velero', 'registry']);
  });

  test('a master that never answers (weed shell blocks) is cut by the shell timeout', () => {
    const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_DOWN_CALLS: '1', FAKE_WEED_DOWN_MODE: 'hang', SHELL_TIMEOUT_SECONDS: '1' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('did not finish within 1s (master unreachable?)');
    expect(sleeps()).toEqual(['2']);
  });

  test('gives up after the bounded number of attempts with a clear message', () => {
    const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_DOWN_CALLS: '100', WAIT_ATTEMPTS: '4' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('create-buckets: ERROR: SeaweedFS did not answer after 4 attempts (master seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333, filer seaweedfs-filer-client.seaweedfs.svc:8888)');
    expect(sleeps()).toEqual(['2', '4', '5']);
    expect(stdins()).toEqual(['s3.bucket.list', 's3.bucket.list', 's3.bucket.list', 's3.bucket.list']);
  });

  test('fails when a create prints an error (3.73 exits 0 anyway, 4.53 exits 1), naming the error', () => {
    const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_FAIL_CREATE: 'registry' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('creating bucket registry failed: error: rpc error: code = Unknown desc = permission denied');
  });

  if (version === '4.53') {
    test('a master that does not answer within weed\'s own 30 s: its message is in the log', () => {
      const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_DOWN_CALLS: '1', FAKE_WEED_DOWN_MODE: 'hang', FAKE_WEED_MASTER_WAIT: '0' });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('(attempt 1/5: cannot connect to master seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333 within 30s (weed shell exited with status 1)); retrying in 2s');
    });
  }

  test('fails when a created bucket does not show up in the final listing', () => {
    const result = run('create-buckets.sh', [], { ...base(), FAKE_WEED_LOSE_CREATE: 'velero' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bucket velero is still missing after s3.bucket.create');
  });

  test('refuses missing settings and malformed bucket names before calling weed', () => {
    expect(run('create-buckets.sh', [], { ...base(), SEAWEEDFS_MASTER: '' }).stderr).toContain('SEAWEEDFS_MASTER is not set');
    expect(run('create-buckets.sh', [], { ...base(), BUCKETS: '' }).stderr).toContain('BUCKETS is empty');
    expect(run('create-buckets.sh', [], { ...base(), BUCKETS: 'ok; rm -rf /' }).stderr).toContain("bucket name 'ok;' is not a valid S3 bucket name");
    expect(run('create-buckets.sh', [], { ...base(), BUCKETS: '*' }).stderr).toContain("bucket name '*' is not a valid S3 bucket name");
    expect(run('create-buckets.sh', [], { ...base(), WAIT_ATTEMPTS: 'x' }).stderr).toContain('WAIT_ATTEMPTS must be a non-negative integer');
    expect(fs.existsSync(path.join(state, 'log'))).toBe(false);
  });

  test('the Job runs this script with the env it expects', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }]]);
    const env = find(objects, 'Job', /^seaweedfs-buckets-/).spec.template.spec.containers[0].env.filter((e: any) => e.value !== undefined);
    const jobEnv = Object.fromEntries(env.map((e: any) => [e.name, e.value]));
    const result = run('create-buckets.sh', [], { ...jobEnv, FAKE_WEED_STATE: state, REAL_SLEEP });
    expect(result.status).toBe(0);
    expect(buckets()).toEqual(['velero']);
  });
}));

jailed(`build-identities.sh${inImage} (against fake mounted Secret files)`, () => {
  const ADMIN = { id: 'AKIAADMIN0000000000A', secret: 'adminSecret0000000000000000000000000000A' };
  const VELERO = { id: 'AKIAVELERO000000000B', secret: 'veleroSecret000000000000000000000000000B' };
  const REGISTRY = { id: 'AKIAREGISTRY0000000C', secret: 'registrySecret0000000000000000000000000C' };
  const ALL_VALUES = [ADMIN, VELERO, REGISTRY].flatMap((k) => [k.id, k.secret]);

  let root: string;

  /** The spec the construct renders, pointed at a temp credentials dir, and the projected files. */
  function setUp(keys: Record<string, { id: string; secret: string }>): { spec: string; out: string } {
    root = tempDir('identities-');
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }], ['registry', { consumerNamespace: 'harbor', tagging: true }]]);
    const spec = find(objects, 'ConfigMap', 'seaweedfs-s3-identities').data['identities.conf'].split(CREDENTIALS_DIR).join(path.join(root, 'credentials'));
    fs.writeFileSync(path.join(root, 'identities.conf'), spec);
    for (const [dir, key] of Object.entries(keys)) {
      fs.mkdirSync(path.join(root, 'credentials', dir), { recursive: true });
      fs.writeFileSync(path.join(root, 'credentials', dir, 'AWS_ACCESS_KEY_ID'), key.id);
      fs.writeFileSync(path.join(root, 'credentials', dir, 'AWS_SECRET_ACCESS_KEY'), key.secret);
    }
    return { spec: path.join(root, 'identities.conf'), out: path.join(root, 'identities.json') };
  }

  function expectNoKeyIn(result: Run): void {
    for (const value of ALL_VALUES) {
      expect(result.stdout).not.toContain(value);
      expect(result.stderr).not.toContain(value);
    }
  }

  test('writes valid JSON with the admin and least-privilege consumer identities, printing no key', () => {
    const { spec, out } = setUp({ 'admin': ADMIN, 'bucket-velero': VELERO, 'bucket-registry': REGISTRY });
    const result = run('build-identities.sh', [spec, out], {});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`build-identities: wrote 3 identities to ${out}\n`);
    expectNoKeyIn(result);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({
      identities: [
        { name: 'admin', credentials: [{ accessKey: ADMIN.id, secretKey: ADMIN.secret }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] },
        { name: 'bucket-velero', credentials: [{ accessKey: VELERO.id, secretKey: VELERO.secret }], actions: ['Read:velero', 'Write:velero', 'List:velero'] },
        {
          name: 'bucket-registry',
          credentials: [{ accessKey: REGISTRY.id, secretKey: REGISTRY.secret }],
          actions: ['Read:registry', 'Write:registry', 'List:registry', 'Tagging:registry'],
        },
      ],
    });
    // Only the owner may read it.
    expect((fs.statSync(out).mode % 0o1000).toString(8)).toBe('600');
    expect(fs.readdirSync(root).filter((f) => f.includes('.tmp.'))).toEqual([]);
  });

  test.each([
    ['a quote', 'veleroSecret"0000000000000000000000000B'],
    ['a backslash', 'veleroSecret\\0000000000000000000000000B'],
    ['a trailing newline', `${VELERO.secret}\n`],
    ['a space', 'veleroSecret 0000000000000000000000000B'],
  ])('a key with %s fails, names the file and prints no key', (_what, bad) => {
    const { spec, out } = setUp({ 'admin': ADMIN, 'bucket-velero': { id: VELERO.id, secret: bad }, 'bucket-registry': REGISTRY });
    const result = run('build-identities.sh', [spec, out], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`identity bucket-velero: secret access key in ${path.join(root, 'credentials', 'bucket-velero', 'AWS_SECRET_ACCESS_KEY')}`);
    expectNoKeyIn(result);
    expect(result.stderr).not.toContain(bad.trim());
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a missing Secret file or an empty key fails without output', () => {
    const missing = setUp({ 'admin': ADMIN, 'bucket-velero': VELERO });
    const result = run('build-identities.sh', [missing.spec, missing.out], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('identity bucket-registry: access key id file');
    expect(fs.existsSync(missing.out)).toBe(false);

    const empty = setUp({ 'admin': ADMIN, 'bucket-velero': { id: '', secret: VELERO.secret }, 'bucket-registry': REGISTRY });
    const emptyResult = run('build-identities.sh', [empty.spec, empty.out], {});
    expect(emptyResult.status).toBe(1);
    expect(emptyResult.stderr).toContain('identity bucket-velero: access key id');
    expect(emptyResult.stderr).toContain('is empty');
    expectNoKeyIn(emptyResult);
  });

  test('two identities with the same access key id fail', () => {
    const { spec, out } = setUp({ 'admin': ADMIN, 'bucket-velero': VELERO, 'bucket-registry': { id: VELERO.id, secret: REGISTRY.secret } });
    const result = run('build-identities.sh', [spec, out], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('identity bucket-registry: its access key id is already used by another identity');
    expectNoKeyIn(result);
  });

  test('malformed spec lines are refused', () => {
    root = tempDir('identities-');
    const spec = path.join(root, 'spec');
    const out = path.join(root, 'out.json');
    fs.writeFileSync(spec, 'admin /nowhere Admin,"Read"\n');
    expect(run('build-identities.sh', [spec, out], {}).stderr).toContain("actions 'Admin,\"Read\"' must be a comma-separated list");
    fs.writeFileSync(spec, 'ad"min /nowhere Admin\n');
    expect(run('build-identities.sh', [spec, out], {}).stderr).toContain('identity name \'ad"min\' may only contain');
    fs.writeFileSync(spec, '# nothing\n');
    expect(run('build-identities.sh', [spec, out], {}).stderr).toContain('declares no identity');
    expect(run('build-identities.sh', [spec], {}).stderr).toContain('usage:');
  });
});

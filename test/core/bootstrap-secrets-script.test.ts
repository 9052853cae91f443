/**
 * Runs the real src/core/scripts/bootstrap-secrets.sh and its API client kube-api.py (under sh and,
 * when present, bash) against a stand-in API server (fixtures/fake-kube-api.js, over TLS) whose
 * "cluster" is a temp directory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GeneratedValue } from '../../src/core/generated-value';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { FakeKubeApi, realPython3 } from '../fake-kube-api';
import { hostTool, testWithTools } from '../host-tools';
import { scriptJail } from '../jail';

jest.setTimeout(120_000);

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'bootstrap-secrets.sh');
const KUBE_API = path.join(path.dirname(SCRIPT), 'kube-api.py');
const NS = 'apps';

/** Shells the script must work under; bash (the prepare image's sh) only where it is installed. */
/** The Job's image: PATH holds exactly the executables goharbor/prepare declares (test/jail.ts). */
const PREPARE_JAIL = 'the prepare image (PATH jail)';
const { jail, skipReason } = scriptJail('bootstrap-secrets.sh');
const SHELLS = ['sh', ...(hostTool('bash') ? ['bash'] : []), ...(jail ? [PREPARE_JAIL] : [])];
if (skipReason) describe.skip(`bootstrap-secrets.sh in the prepare image (skipped: ${skipReason})`, () => test('not run', () => undefined));
afterAll(() => jail?.remove());

interface StoredSecret {
  readonly metadata: { name: string; namespace: string; labels?: Record<string, string> };
  readonly type: string;
  readonly data: Record<string, string>;
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** [method, path] of every API request of this run. */
  readonly calls: string[][];
}

const running: FakeKubeApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.stop()));
});

/** A fake cluster: namespaces and secrets as files behind a fake API server, plus a bin dir. */
class FakeCluster {
  public static async create(): Promise<FakeCluster> {
    const cluster = new FakeCluster();
    cluster.api = await FakeKubeApi.start(cluster.dir);
    running.push(cluster.api);
    return cluster;
  }

  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-bootstrap-'));
  private readonly bin = path.join(this.dir, 'bin');
  public readonly workDir = path.join(this.dir, 'work');
  private api!: FakeKubeApi;

  private constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.workDir);
    this.addNamespace(NS);
    fs.symlinkSync(realPython3(), path.join(this.bin, 'python3'));
  }

  public addNamespace(ns: string): void {
    fs.mkdirSync(path.join(this.dir, 'ns', ns), { recursive: true });
  }

  /** The namespace appears after `calls` API requests that touch it. */
  public addPendingNamespace(ns: string, calls: number): void {
    fs.mkdirSync(path.join(this.dir, 'pending'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'pending', ns), String(calls));
  }

  public seed(ns: string, name: string, values: Record<string, string>, dir = path.join(this.dir, 'ns', ns)): void {
    const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ metadata: { name, namespace: ns }, type: 'Opaque', data }));
  }

  /** A Secret that a concurrent run creates just before this run's create call. */
  public seedRace(ns: string, name: string, values: Record<string, string>): void {
    this.seed(ns, name, values, path.join(this.dir, 'race', ns));
  }

  public failGet(ns: string, name: string): void {
    fs.writeFileSync(path.join(this.dir, 'fail-get'), `${ns}/${name}`);
  }

  public secret(ns: string, name: string): StoredSecret | undefined {
    const file = path.join(this.dir, 'ns', ns, `${name}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  /** Decoded values of a stored secret. */
  public values(ns: string, name: string): Record<string, string> {
    const secret = this.secret(ns, name);
    if (!secret) throw new Error(`secret ${ns}/${name} was not created`);
    return Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  /** Every value stored anywhere in the cluster, decoded and base64, for leak checks. */
  public allValues(): string[] {
    const values: string[] = [];
    const root = path.join(this.dir, 'ns');
    for (const ns of fs.readdirSync(root)) {
      for (const file of fs.readdirSync(path.join(root, ns))) {
        const secret = JSON.parse(fs.readFileSync(path.join(root, ns, file), 'utf8')) as StoredSecret;
        for (const b64 of Object.values(secret.data)) {
          values.push(b64, Buffer.from(b64, 'base64').toString('utf8'));
        }
      }
    }
    return values.filter((v) => v.length > 0);
  }


  public run(shell: string, spec: string, env: Record<string, string> = {}, script = SCRIPT): RunResult {
    const specFile = path.join(this.dir, 'spec');
    fs.writeFileSync(specFile, spec);
    this.api.resetCalls();
    // The Job mounts the client next to the script.
    if (path.dirname(script) !== path.dirname(KUBE_API)) fs.copyFileSync(KUBE_API, path.join(path.dirname(script), 'kube-api.py'));
    const scriptEnv = {
      HOME: this.dir,
      ...this.api.env(),
      BOOTSTRAP_NAMESPACE: NS,
      BOOTSTRAP_WORK_DIR: this.workDir,
      BOOTSTRAP_POLL_SECONDS: '0',
      ...env,
    };
    const result = shell === PREPARE_JAIL
      ? jail!.run(script, [specFile], { env: scriptEnv })
      : spawnSync(shell, [script, specFile], { encoding: 'utf8', env: { PATH: `${this.bin}:${process.env.PATH}`, ...scriptEnv } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: this.api.calls() };
  }

}

function createCalls(result: RunResult): string[][] {
  return result.calls.filter(([method]) => method === 'POST');
}

/** No stored value (decoded or base64) appears in the output, in request paths or in htpasswd's argv. */
function expectNoValueLeak(cluster: FakeCluster, ...results: RunResult[]): void {
  const values = cluster.allValues();
  // Check the long values, and every line of PEM blocks: a short value (or a PEM header line) could
  // match by chance.
  const needles = values.flatMap((v) => [v, ...v.split('\n')]).filter((v) => v.length >= 12 && !v.startsWith('-----'));
  const haystacks = [
    ...results.flatMap((r) => [r.stdout, r.stderr, ...r.calls.map((argv) => argv.join(' '))]),
  ];
  for (const needle of needles) {
    for (const haystack of haystacks) {
      if (haystack.includes(needle)) throw new Error(`a secret value leaked into: ${haystack.slice(0, 200)}`);
    }
  }
}

function expectWorkDirEmpty(cluster: FakeCluster): void {
  expect(fs.readdirSync(cluster.workDir)).toEqual([]);
}

const RANDOM_SPEC = [
  '# comment lines and empty lines are skipped',
  '',
  'secret app-credentials Opaque',
  'key username random 20',
  'key password random 40',
  'secret other Opaque',
  'key token random 64',
].join('\n');

describe.each(SHELLS)('bootstrap-secrets.sh under %s', (shell) => {
  test('creates missing secrets with every key, of the right length and charset, labelled', async () => {
    const cluster = await FakeCluster.create();
    const result = cluster.run(shell, `${RANDOM_SPEC}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const creds = cluster.values(NS, 'app-credentials');
    expect(Object.keys(creds).sort()).toEqual(['password', 'username']);
    expect(creds.username).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(creds.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(creds.username).not.toEqual(creds.password.slice(0, 20));
    expect(cluster.values(NS, 'other').token).toMatch(/^[A-Za-z0-9]{64}$/);

    const stored = cluster.secret(NS, 'app-credentials')!;
    expect(stored.type).toBe('Opaque');
    expect(stored.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'cnai-model-platform-secret-bootstrap',
      'app.kubernetes.io/part-of': 'cnai-model-platform',
    });
    expect(result.stdout).toContain(`secret ${NS}/app-credentials created (keys: username password)`);
    expect(result.stdout).toContain(`secret ${NS}/other created`);
    expect(result.stdout).toContain('done: 2 created, 0 copied, 0 left untouched, 0 missing');
    expect(createCalls(result)).toHaveLength(2);
    expectNoValueLeak(cluster, result);
    expectWorkDirEmpty(cluster);
  });

  test('password values always hold an uppercase letter, a lowercase letter and a digit', async () => {
    // Without redrawing, about 27% of 8-character values lack a class: 300 keys would all pass by
    // chance with probability 0.73^300 (about 1e-41).
    const cluster = await FakeCluster.create();
    const keys = Array.from({ length: 300 }, (_, i) => `key k${i} password 8`);
    const result = cluster.run(shell, ['secret passwords Opaque', ...keys, 'secret long Opaque', 'key password password 128', ''].join('\n'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const values = Object.values(cluster.values(NS, 'passwords'));
    expect(values).toHaveLength(300);
    for (const value of values) {
      expect(value).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(value).toMatch(/[A-Z]/);
      expect(value).toMatch(/[a-z]/);
      expect(value).toMatch(/[0-9]/);
    }
    expect(new Set(values).size).toBe(300);
    expect(cluster.values(NS, 'long').password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])[A-Za-z0-9]{128}$/);
    expectNoValueLeak(cluster, result);
    expectWorkDirEmpty(cluster);
  });

  test('password redraws are bounded: a random source without digits fails clearly', async () => {
    const cluster = await FakeCluster.create();
    const source = path.join(cluster.dir, 'no-digits');
    fs.writeFileSync(source, 'aB'.repeat(4096));
    const result = cluster.run(shell, 'secret robot Opaque\nkey password password 32\n', { BOOTSTRAP_RANDOM_SOURCE: source });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no password with an uppercase letter, a lowercase letter and a digit after 100 draws');
    expect(cluster.secret(NS, 'robot')).toBeUndefined();
    expect(createCalls(result)).toEqual([]);
    expectWorkDirEmpty(cluster);
  });

  test('two runs never generate the same value', async () => {
    const a = await FakeCluster.create();
    const b = await FakeCluster.create();
    expect(a.run(shell, RANDOM_SPEC).status).toBe(0);
    expect(b.run(shell, RANDOM_SPEC).status).toBe(0);
    expect(a.values(NS, 'app-credentials').password).not.toEqual(b.values(NS, 'app-credentials').password);
    expect(a.values(NS, 'other').token).not.toEqual(b.values(NS, 'other').token);
  });

  test('leaves an existing secret untouched and warns about a declared key it lacks', async () => {
    const cluster = await FakeCluster.create();
    cluster.seed(NS, 'app-credentials', { username: 'user-chosen-name', other: 'user-chosen-value-123' });
    const result = cluster.run(shell, RANDOM_SPEC);
    expect(result.status).toBe(0);
    expect(cluster.values(NS, 'app-credentials')).toEqual({ username: 'user-chosen-name', other: 'user-chosen-value-123' });
    expect(result.stdout).toContain(`secret ${NS}/app-credentials exists, leaving it untouched`);
    expect(result.stdout).toContain(`WARNING: secret ${NS}/app-credentials has no key password`);
    // Only `other` was created.
    expect(createCalls(result)).toHaveLength(1);
    expectNoValueLeak(cluster, result);
  });

  test('a second run creates nothing and changes nothing (idempotent)', async () => {
    const cluster = await FakeCluster.create();
    cluster.addNamespace('velero');
    const spec = `${RANDOM_SPEC}\ncopy velero\n`;
    const first = cluster.run(shell, spec);
    expect(first.status).toBe(0);
    const before = { a: cluster.values(NS, 'app-credentials'), o: cluster.values(NS, 'other'), c: cluster.values('velero', 'other') };
    const second = cluster.run(shell, spec);
    expect(second.status).toBe(0);
    expect(createCalls(second)).toEqual([]);
    expect(second.calls.filter(([method]) => method !== 'GET')).toEqual([]);
    expect({ a: cluster.values(NS, 'app-credentials'), o: cluster.values(NS, 'other'), c: cluster.values('velero', 'other') }).toEqual(before);
    expect(second.stdout).toContain('done: 0 created, 0 copied, 3 left untouched, 0 missing');
    expectNoValueLeak(cluster, first, second);
  });

  test('copies a secret into other namespaces with identical values', async () => {
    const cluster = await FakeCluster.create();
    cluster.addNamespace('velero');
    cluster.addNamespace('harbor');
    const spec = 'secret s3 Opaque\nkey AWS_ACCESS_KEY_ID random 20\nkey AWS_SECRET_ACCESS_KEY random 40\ncopy velero\ncopy harbor\n';
    const result = cluster.run(shell, spec);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const primary = cluster.values(NS, 's3');
    expect(cluster.values('velero', 's3')).toEqual(primary);
    expect(cluster.values('harbor', 's3')).toEqual(primary);
    expect(cluster.secret('velero', 's3')!.metadata.labels!['app.kubernetes.io/managed-by']).toBe('cnai-model-platform-secret-bootstrap');
    expect(result.stdout).toContain(`secret velero/s3 copied from ${NS}/s3`);
    expectNoValueLeak(cluster, result);
    expectWorkDirEmpty(cluster);
  });

  test('copies an existing primary and leaves an existing copy untouched', async () => {
    const cluster = await FakeCluster.create();
    cluster.addNamespace('velero');
    cluster.addNamespace('harbor');
    cluster.seed(NS, 's3', { AWS_ACCESS_KEY_ID: 'existing-access-key', AWS_SECRET_ACCESS_KEY: 'existing-secret-key-value' });
    cluster.seed('harbor', 's3', { AWS_ACCESS_KEY_ID: 'old-copy-access-key', AWS_SECRET_ACCESS_KEY: 'old-copy-secret-key' });
    const spec = 'secret s3 Opaque\nkey AWS_ACCESS_KEY_ID random 20\nkey AWS_SECRET_ACCESS_KEY random 40\ncopy velero\ncopy harbor\n';
    const result = cluster.run(shell, spec);
    expect(result.status).toBe(0);
    expect(cluster.values('velero', 's3')).toEqual(cluster.values(NS, 's3'));
    expect(cluster.values('harbor', 's3').AWS_ACCESS_KEY_ID).toBe('old-copy-access-key');
    expect(result.stdout).toContain('secret harbor/s3 exists, leaving it untouched');
    expectNoValueLeak(cluster, result);
  });

  test('waits for a copy namespace that appears later', async () => {
    const cluster = await FakeCluster.create();
    cluster.addPendingNamespace('velero', 3);
    const result = cluster.run(shell, 'secret s3 Opaque\nkey key random 32\ncopy velero\n', { BOOTSTRAP_WAIT_TIMEOUT_SECONDS: '60' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('waiting up to 60s for namespace velero');
    expect(cluster.values('velero', 's3')).toEqual(cluster.values(NS, 's3'));
  });

  test('fails clearly when a copy namespace never appears', async () => {
    const cluster = await FakeCluster.create();
    const result = cluster.run(shell, 'secret s3 Opaque\nkey key random 32\ncopy velero\n', { BOOTSTRAP_WAIT_TIMEOUT_SECONDS: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('namespace velero not ready after 1s');
    expect(result.stderr).toContain('Forbidden');
    // The primary was created all the same; a retry of the Job copies it later.
    expect(cluster.secret(NS, 's3')).toBeDefined();
    expectNoValueLeak(cluster, result);
    expectWorkDirEmpty(cluster);
  });

  test('fails clearly when a required secret or key is missing, after creating the rest', async () => {
    const cluster = await FakeCluster.create();
    cluster.seed(NS, 'partial', { present: 'some-user-value-1', empty: '' });
    cluster.seed(NS, 'complete', { a: 'user-value-aaaaaa', b: 'user-value-bbbbbb' });
    const spec = 'secret generated Opaque\nkey k random 16\nrequire absent username,password\nrequire partial present,missing,empty\nrequire complete a,b\n';
    const result = cluster.run(shell, spec);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`required secret ${NS}/absent is missing: create it (kubectl create secret generic absent -n ${NS} --from-file=username=./username --from-file=password=./password)`);
    expect(result.stderr).toContain(`required secret ${NS}/partial is missing key missing: create it (kubectl create secret generic partial -n ${NS}`);
    expect(result.stderr).toContain(`required secret ${NS}/partial is missing key empty`);
    expect(result.stderr).not.toContain('partial is missing key present');
    expect(result.stderr).not.toContain('complete is missing');
    expect(result.stdout).toContain(`required secret ${NS}/complete is present with keys a,b`);
    expect(result.stderr).toContain('3 required secret(s) or key(s) missing');
    expect(cluster.secret(NS, 'generated')).toBeDefined();
    expect(cluster.values(NS, 'partial')).toEqual({ present: 'some-user-value-1', empty: '' });
    expectNoValueLeak(cluster, result);
  });

  test('an API error is a failure, never taken for an absent secret', async () => {
    const cluster = await FakeCluster.create();
    cluster.failGet(NS, 'app-credentials');
    const result = cluster.run(shell, RANDOM_SPEC);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot reach the API server');
    expect(result.stderr).toContain(`cannot check whether secret ${NS}/app-credentials exists`);
    expect(createCalls(result)).toEqual([]);
    expectWorkDirEmpty(cluster);
  });

  test('a concurrent run that created the secret first wins, and its values are copied', async () => {
    const cluster = await FakeCluster.create();
    cluster.addNamespace('velero');
    cluster.seedRace(NS, 's3', { key: 'value-of-the-winning-run' });
    const result = cluster.run(shell, 'secret s3 Opaque\nkey key random 32\ncopy velero\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`secret ${NS}/s3 was created by a concurrent run, leaving it untouched`);
    expect(cluster.values(NS, 's3')).toEqual({ key: 'value-of-the-winning-run' });
    expect(cluster.values('velero', 's3')).toEqual({ key: 'value-of-the-winning-run' });
  });

  test('rejects a malformed spec before creating anything', async () => {
    for (const spec of ['secret x Opaque\nkey k random abc\n', 'secret x Opaque\nkey k bogus 1\n', 'key k random 3\n', 'frobnicate x\n', 'secret x Opaque\nkey k htpasswd user missing\n']) {
      const cluster = await FakeCluster.create();
      const result = cluster.run(shell, spec);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/spec line \d+: /);
      expect(createCalls(result)).toEqual([]);
      expectWorkDirEmpty(cluster);
    }
  });

  testWithTools({ htpasswd: 'apache2-utils' })('runs the spec and script that SecretBootstrap synthesizes', async () => {
    const chart = Testing.chart();
    const b = new SecretBootstrap(chart, 'bootstrap', { namespace: NS, name: 'e2e' });
    b.addSecret('s3', { keys: { AWS_ACCESS_KEY_ID: GeneratedValue.randomAlphanumeric(20), AWS_SECRET_ACCESS_KEY: GeneratedValue.randomAlphanumeric(40) }, copyToNamespaces: ['velero'] });
    b.addSecret('registry', { keys: { htpasswd: GeneratedValue.bcryptHtpasswd('harbor_registry_user', 'password'), password: GeneratedValue.randomAlphanumeric(32) } });
    b.requireExistingSecret('user-provided', ['token']);
    const configMap = Testing.synth(chart).find((o) => o.kind === 'ConfigMap');
    const cluster = await FakeCluster.create();
    cluster.addNamespace('velero');
    cluster.seed(NS, 'user-provided', { token: 'user-provided-token-value' });
    // The Job runs the ConfigMap's copy of the script: run exactly that.
    const script = path.join(cluster.dir, 'bootstrap-secrets.sh');
    fs.writeFileSync(script, configMap.data['bootstrap-secrets.sh']);
    const result = cluster.run(shell, configMap.data['secrets.spec'], {}, script);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(cluster.values(NS, 's3')).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(cluster.values('velero', 's3')).toEqual(cluster.values(NS, 's3'));
    expect(cluster.values(NS, 'registry').htpasswd).toMatch(/^harbor_registry_user:\$2y\$10\$/);
    expect(result.stdout).toContain(`required secret ${NS}/user-provided is present with keys token`);
    expectNoValueLeak(cluster, result);
  });

  testWithTools({ htpasswd: 'apache2-utils' })('real htpasswd writes a bcrypt line that verifies', async () => {
    const cluster = await FakeCluster.create();
    const result = cluster.run(shell, 'secret registry Opaque\nkey password random 32\nkey htpasswd htpasswd harbor_registry_user password\n');
    expect(result.status).toBe(0);
    const values = cluster.values(NS, 'registry');
    expect(values.htpasswd).toMatch(/^harbor_registry_user:\$2y\$10\$[./A-Za-z0-9]{53}$/);
    const file = path.join(cluster.dir, 'htpasswd');
    fs.writeFileSync(file, `${values.htpasswd}\n`);
    const verify = (password: string) => spawnSync(hostTool('htpasswd')!, ['-v', '-i', file, 'harbor_registry_user'], { input: password, encoding: 'utf8' }).status;
    expect(verify(values.password)).toBe(0);
    expect(verify(`${values.password}x`)).not.toBe(0);
    expectNoValueLeak(cluster, result);
  });

  testWithTools({ openssl: 'openssl' })('openssl writes a PKCS#1 key and a self-signed certificate for it', async () => {
    const cluster = await FakeCluster.create();
    const spec = 'secret token-service kubernetes.io/tls\nkey tls.key rsa 2048\nkey tls.crt cert tls.key harbor-token 30\n';
    const result = cluster.run(shell, spec);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const values = cluster.values(NS, 'token-service');
    expect(cluster.secret(NS, 'token-service')!.type).toBe('kubernetes.io/tls');
    expect(values['tls.key']).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(values['tls.crt']).toMatch(/^-----BEGIN CERTIFICATE-----\n/);

    const keyFile = path.join(cluster.dir, 'tls.key');
    const crtFile = path.join(cluster.dir, 'tls.crt');
    fs.writeFileSync(keyFile, values['tls.key']);
    fs.writeFileSync(crtFile, values['tls.crt']);
    const openssl = (...args: string[]) => {
      const r = spawnSync(hostTool('openssl')!, args, { encoding: 'utf8' });
      expect(r.status).toBe(0);
      return r.stdout.trim();
    };
    expect(openssl('rsa', '-in', keyFile, '-noout', '-text')).toContain('Private-Key: (2048 bit');
    expect(openssl('x509', '-in', crtFile, '-noout', '-modulus')).toBe(openssl('rsa', '-in', keyFile, '-noout', '-modulus'));
    expect(openssl('x509', '-in', crtFile, '-noout', '-subject', '-nameopt', 'RFC2253')).toBe('subject=CN=harbor-token');
    const notAfter = new Date(openssl('x509', '-in', crtFile, '-noout', '-enddate').replace('notAfter=', ''));
    const days = (notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
    expectNoValueLeak(cluster, result);
    expectWorkDirEmpty(cluster);
  });
});

testWithTools({ shellcheck: 'shellcheck' })('the script passes shellcheck', () => {
  for (const dialect of ['sh', 'bash']) {
    const result = spawnSync(hostTool('shellcheck')!, ['-s', dialect, SCRIPT], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }
});

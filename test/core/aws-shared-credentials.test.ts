/**
 * GeneratedValue.awsSharedCredentials: the bootstrap renders an AWS shared-credentials file from
 * two keys of another Secret of its namespace. The real bootstrap-secrets.sh and its API client run
 * against the stand-in API server of fixtures/fake-kube-api.js (a "cluster" in a temp directory).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { PropValidationError } from '../../src/core/errors';
import { GeneratedValue } from '../../src/core/generated-value';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { FakeKubeApi, realPython3 } from '../fake-kube-api';

jest.setTimeout(60_000);

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'bootstrap-secrets.sh');
const KUBE_API = path.join(path.dirname(SCRIPT), 'kube-api.py');
const NS = 'velero';
const SPEC = 'secret cloud-credentials Opaque\nkey cloud awscreds s3-keys AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY\n';
const ACCESS_KEY = 'AKIAEXAMPLEKEY123456';
const SECRET_KEY = 'wJalrXUtnFEMIexampleSecretKeyValue0123456';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[][];
}

const running: FakeKubeApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.stop()));
});

/** A fake cluster directory behind the stand-in API server. */
class Cluster {
  public static async create(): Promise<Cluster> {
    const cluster = new Cluster();
    cluster.api = await FakeKubeApi.start(cluster.dir);
    running.push(cluster.api);
    return cluster;
  }

  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-creds-'));
  private readonly bin = path.join(this.dir, 'bin');
  private api!: FakeKubeApi;

  private constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(path.join(this.dir, 'work'));
    fs.mkdirSync(path.join(this.dir, 'ns', NS), { recursive: true });
    fs.symlinkSync(realPython3(), path.join(this.bin, 'python3'));
  }

  public seed(name: string, values: Record<string, string>): void {
    const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    fs.writeFileSync(path.join(this.dir, 'ns', NS, `${name}.json`), JSON.stringify({ metadata: { name, namespace: NS }, type: 'Opaque', data }));
  }

  public value(name: string, key: string): string | undefined {
    const file = path.join(this.dir, 'ns', NS, `${name}.json`);
    if (!fs.existsSync(file)) return undefined;
    const b64 = JSON.parse(fs.readFileSync(file, 'utf8')).data[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  }

  public env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH}`,
      HOME: this.dir,
      KUBE_API_CLIENT: KUBE_API,
      ...this.api.env(),
      BOOTSTRAP_NAMESPACE: NS,
      BOOTSTRAP_WORK_DIR: path.join(this.dir, 'work'),
      BOOTSTRAP_POLL_SECONDS: '0',
      ...extra,
    };
  }

  public specFile(spec: string): string {
    const file = path.join(this.dir, 'spec');
    fs.writeFileSync(file, spec);
    return file;
  }

  public run(spec: string, extra: Record<string, string> = {}, script = SCRIPT): Run {
    this.api.resetCalls();
    const result = spawnSync('sh', [script, this.specFile(spec)], { encoding: 'utf8', env: this.env(extra) });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: this.calls() };
  }

  /** [method, path] of every API request since the last run started. */
  public calls(): string[][] {
    return this.api.calls();
  }
}

/** Neither secret value appears in output or request paths. */
function expectNoLeak(run: Run): void {
  for (const value of [ACCESS_KEY, SECRET_KEY]) {
    expect(run.stdout).not.toContain(value);
    expect(run.stderr).not.toContain(value);
    for (const argv of run.calls) expect(argv.join(' ')).not.toContain(value);
  }
}

describe('awsSharedCredentials in bootstrap-secrets.sh', () => {
  test('renders the [default] profile from the source secret, reading it by name only', async () => {
    const cluster = await Cluster.create();
    cluster.seed('s3-keys', { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY });
    const result = cluster.run(SPEC);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(cluster.value('cloud-credentials', 'cloud')).toBe(`[default]\naws_access_key_id=${ACCESS_KEY}\naws_secret_access_key=${SECRET_KEY}\n`);
    // Only GETs of the source Secret by name touch it.
    const sourceCalls = result.calls.filter(([, url]) => url.includes('s3-keys'));
    expect(sourceCalls.length).toBeGreaterThan(0);
    for (const call of sourceCalls) expect(call).toEqual(['GET', `/api/v1/namespaces/${NS}/secrets/s3-keys`]);
    expect(result.stdout).toContain(`secret ${NS}/cloud-credentials created (keys: cloud)`);
    expectNoLeak(result);
    expect(fs.readdirSync(path.join(cluster.dir, 'work'))).toEqual([]);
  });

  test('drops line breaks that a hand-made source secret often carries', async () => {
    const cluster = await Cluster.create();
    cluster.seed('s3-keys', { AWS_ACCESS_KEY_ID: `${ACCESS_KEY}\n`, AWS_SECRET_ACCESS_KEY: `${SECRET_KEY}\r\n` });
    const result = cluster.run(SPEC);
    expect(result.status).toBe(0);
    expect(cluster.value('cloud-credentials', 'cloud')).toBe(`[default]\naws_access_key_id=${ACCESS_KEY}\naws_secret_access_key=${SECRET_KEY}\n`);
  });

  test('waits for a source secret that appears later', async () => {
    const cluster = await Cluster.create();
    const child = spawn('sh', [SCRIPT, cluster.specFile(SPEC)], { env: cluster.env({ BOOTSTRAP_POLL_SECONDS: '0.2', BOOTSTRAP_WAIT_TIMEOUT_SECONDS: '30' }) });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Seed the source only once the script has looked for it and found nothing.
    const deadline = Date.now() + 20_000;
    while (!cluster.calls().some(([, url]) => url.endsWith('/secrets/s3-keys')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(cluster.value('cloud-credentials', 'cloud')).toBeUndefined();
    cluster.seed('s3-keys', { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY });
    expect(await exited).toBe(0);
    expect(stdout).toContain(`waiting up to 30s for source secret ${NS}/s3-keys`);
    expect(cluster.value('cloud-credentials', 'cloud')).toContain(`aws_access_key_id=${ACCESS_KEY}\n`);
  });

  test('fails, bounded, when the source secret never appears', async () => {
    const cluster = await Cluster.create();
    const started = Date.now();
    const result = cluster.run(SPEC, { BOOTSTRAP_WAIT_TIMEOUT_SECONDS: '1', BOOTSTRAP_POLL_SECONDS: '0.2' });
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toContain(`source secret ${NS}/s3-keys did not appear within 1s`);
    expect(cluster.value('cloud-credentials', 'cloud')).toBeUndefined();
  });

  test('fails when the source lacks a key, naming it and no value', async () => {
    const cluster = await Cluster.create();
    cluster.seed('s3-keys', { AWS_ACCESS_KEY_ID: ACCESS_KEY });
    const result = cluster.run(SPEC);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`secret ${NS}/s3-keys has no value for key AWS_SECRET_ACCESS_KEY`);
    expect(cluster.value('cloud-credentials', 'cloud')).toBeUndefined();
    expectNoLeak(result);
  });

  test('never touches an existing credentials secret, nor reads the source then', async () => {
    const cluster = await Cluster.create();
    cluster.seed('cloud-credentials', { cloud: '[default]\naws_access_key_id=user-chosen\n' });
    const result = cluster.run(SPEC);
    expect(result.status).toBe(0);
    expect(cluster.value('cloud-credentials', 'cloud')).toBe('[default]\naws_access_key_id=user-chosen\n');
    expect(result.calls.filter(([, url]) => url.includes('s3-keys'))).toEqual([]);
  });

  test('rejects a malformed or self-referencing spec line before creating anything', async () => {
    for (const spec of [
      'secret cloud-credentials Opaque\nkey cloud awscreds s3-keys AWS_ACCESS_KEY_ID\n',
      'secret cloud-credentials Opaque\nkey cloud awscreds cloud-credentials a b\n',
      'secret cloud-credentials Opaque\nkey cloud awscreds S3_KEYS a b\n',
    ]) {
      const cluster = await Cluster.create();
      const result = cluster.run(spec);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/spec line 2: /);
      expect(result.calls.filter(([method]) => method === 'POST')).toEqual([]);
    }
  });

  test('runs the spec and script that SecretBootstrap synthesizes', async () => {
    const chart = Testing.chart();
    const bootstrap = new SecretBootstrap(chart, 'bootstrap', { namespace: NS, name: 'velero' });
    bootstrap.addSecret('cloud-credentials', { keys: { cloud: GeneratedValue.awsSharedCredentials('s3-keys', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY') } });
    const objects = Testing.synth(chart);
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    expect(configMap.data['secrets.spec']).toContain('key cloud awscreds s3-keys AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY\n');
    const cluster = await Cluster.create();
    cluster.seed('s3-keys', { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY });
    const script = path.join(cluster.dir, 'bootstrap-secrets.sh');
    fs.writeFileSync(script, configMap.data['bootstrap-secrets.sh']);
    const result = cluster.run(configMap.data['secrets.spec'], {}, script);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(cluster.value('cloud-credentials', 'cloud')).toBe(`[default]\naws_access_key_id=${ACCESS_KEY}\naws_secret_access_key=${SECRET_KEY}\n`);
  });
});

describe('GeneratedValue.awsSharedCredentials in SecretBootstrap', () => {
  function synth(configure: (b: SecretBootstrap) => void): any[] {
    const chart = Testing.chart();
    configure(new SecretBootstrap(chart, 'bootstrap', { namespace: NS, name: 'velero' }));
    return Testing.synth(chart);
  }

  test('the Role may get the source secret by name, and nothing else new', async () => {
    const objects = synth((b) => b.addSecret('cloud-credentials', { keys: { cloud: GeneratedValue.awsSharedCredentials('s3-keys', 'id', 'secret') } }));
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === NS);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['cloud-credentials', 's3-keys'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    // One container in Harbor's prepare image (shell and python3), no init container.
    const job = objects.find((o) => o.kind === 'Job');
    expect(job.spec.template.spec.initContainers).toBeUndefined();
    expect(job.spec.template.spec.containers[0].image).toMatch(/^docker\.io\/goharbor\/prepare:/);
  });

  test('describes itself without values', async () => {
    expect(GeneratedValue.awsSharedCredentials('s3-keys', 'id', 'secret').toString()).toBe('awsSharedCredentials(s3-keys, id, secret)');
  });

  test('rejects bad input with the construct, prop and value', async () => {
    const attempt = (f: () => unknown): PropValidationError => {
      try {
        f();
      } catch (e) {
        return e as PropValidationError;
      }
      throw new Error('expected an error');
    };
    const badName = attempt(() => GeneratedValue.awsSharedCredentials('S3_Keys', 'id', 'secret'));
    expect(badName.message).toContain("GeneratedValue 'awsSharedCredentials.sourceSecretName': got \"S3_Keys\"");
    const sameKeys = attempt(() => GeneratedValue.awsSharedCredentials('s3-keys', 'id', 'id'));
    expect(sameKeys.message).toContain("GeneratedValue 'awsSharedCredentials.secretAccessKeyKey': got \"id\"");
    const self = attempt(() => synth((b) => b.addSecret('s3-keys', { keys: { cloud: GeneratedValue.awsSharedCredentials('s3-keys', 'id', 'secret') } })));
    expect(self).toBeInstanceOf(PropValidationError);
    expect(self.message).toContain("SecretBootstrap(velero) 'secrets.s3-keys.keys.cloud': got \"s3-keys\"");
  });
});

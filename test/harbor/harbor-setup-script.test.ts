/**
 * Runs the real src/harbor/scripts/harbor-setup.sh (under sh and, when present, bash) against a
 * stand-in Harbor (fixtures/fake-harbor.ts, a local HTTP server), a stand-in API server
 * (../core/fixtures/fake-kube-api.js over a temp-directory "cluster", reached through the script's
 * own client kube-api.py) and the real curl behind a wrapper that
 * records its argv. The spec comes from a synthesized HarborSetup, so the request bodies the
 * construct renders are the ones checked here.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { FakeHarbor } from './fixtures/fake-harbor';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { VulnerabilitySeverity } from '../../src/harbor/project';
import { TagRetention } from '../../src/harbor/retention';
import { RobotPermission } from '../../src/harbor/robot-account';
import { HarborSetup } from '../../src/harbor/setup-job';
import { FakeKubeApi, realPython3 } from '../fake-kube-api';
import { describeWithTools, hostTool, testWithTools } from '../host-tools';
import { scriptJail } from '../jail';

jest.setTimeout(180_000);

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'harbor', 'scripts', 'harbor-setup.sh');
const RECORDING_CURL = path.join(__dirname, 'fixtures', 'recording-curl.js');
const HARBOR_NS = 'harbor';
const REGISTRY = 'harbor.example.com:8443';
/** Quotes, a backslash and a dollar exercise the curl config quoting. */
const ADMIN_PASSWORD = 'Adm1n"pa\\ss$word';
const PULLER_SECRET = 'harbor-robot-ml-models-puller';
const PUSHER_SECRET = 'harbor-robot-ml-models-pusher';

const CURL = hostTool('curl');
/** The Job's image: PATH holds exactly the executables goharbor/prepare declares (test/jail.ts). */
const PREPARE_JAIL = 'the prepare image (PATH jail)';
const probe = scriptJail('harbor-setup.sh');
probe.jail?.remove();
const SHELLS = ['sh', ...(hostTool('bash') ? ['bash'] : []), ...(probe.jail ? [PREPARE_JAIL] : [])];
if (probe.skipReason) describe.skip(`harbor-setup.sh in the prepare image (skipped: ${probe.skipReason})`, () => test('not run', () => undefined));
/** The Job mounts the API client next to the script; here it is read from its source. */
const KUBE_API = path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'kube-api.py');

/** A robot secret as the bootstrap's randomPassword(32) makes them. */
function robotPassword(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const body = Array.from({ length: 29 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
  return `Q${body}z7`;
}

/** The spec a HarborSetup synthesizes for the platform's usual declarations. */
function standardSpec(extra?: (setup: HarborSetup) => void): string {
  const chart = Testing.chart();
  const secrets = new SecretBootstrap(chart, 'secrets', { namespace: HARBOR_NS, name: 'harbor' });
  const setup = new HarborSetup(chart, 'setup', {
    namespace: HARBOR_NS,
    name: 'harbor',
    coreUrl: 'http://harbor-core.harbor.svc:80',
    registryHost: REGISTRY,
    adminPassword: SecretKeyReference.fromSecret('harbor-admin', 'password'),
    secrets,
    corePodLabels: { 'app.kubernetes.io/component': 'core' },
  });
  const models = setup.addProject('ml-models', {
    storageQuota: '100Gi',
    immutableTags: ['v*'],
    retention: TagRetention.keepLatestPushed(10, { tagPattern: 'v*', cron: '0 0 3 * * *' }),
  });
  models.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference', 'ml-jobs'] });
  models.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['ml-import'], description: 'imports "models"' });
  setup.addProject('scratch_space', { publicRead: true, autoScan: false, preventVulnerable: true, severity: VulnerabilitySeverity.CRITICAL });
  extra?.(setup);
  const cm = Testing.synth(chart).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'harbor-setup');
  return cm.data['setup.spec'];
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** [method, path] of every Kubernetes API request of this run. */
  readonly kube: string[][];
  /** argv of every curl call of this run. */
  readonly curl: string[][];
}

/** A fake cluster and Harbor, plus a bin dir with python3 and the recording curl. */
class Rig {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbor-setup-'));
  public readonly harbor = new FakeHarbor(ADMIN_PASSWORD);
  public readonly workDir = path.join(this.dir, 'work');
  public readonly passwords: Record<string, string> = { [PULLER_SECRET]: robotPassword(), [PUSHER_SECRET]: robotPassword() };
  private readonly bin = path.join(this.dir, 'bin');
  private readonly adminFile = path.join(this.dir, 'admin-password');
  private api!: FakeKubeApi;

  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.workDir);
    // With a trailing newline, as `echo ... > file` writes it; the script must drop it.
    fs.writeFileSync(this.adminFile, `${ADMIN_PASSWORD}\n`);
    for (const ns of [HARBOR_NS, 'ai-inference', 'ml-jobs', 'ml-import']) this.addNamespace(ns);
    for (const [name, password] of Object.entries(this.passwords)) this.seed(HARBOR_NS, name, { password });
    fs.symlinkSync(realPython3(), path.join(this.bin, 'python3'));
    this.wrapper('curl', RECORDING_CURL);
  }

  public async start(): Promise<this> {
    await this.harbor.start();
    this.api = await FakeKubeApi.start(this.dir);
    return this;
  }

  public async stop(): Promise<void> {
    await this.harbor.stop();
    await this.api.stop();
  }

  public addNamespace(ns: string): void {
    fs.mkdirSync(path.join(this.dir, 'ns', ns), { recursive: true });
  }

  public seed(ns: string, name: string, values: Record<string, string>, type = 'Opaque', dir = path.join(this.dir, 'ns', ns)): void {
    const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ metadata: { name, namespace: ns }, type, data }));
  }

  /** A Secret that appears after `calls` more `get` calls for it (the bootstrap creating it). */
  public seedLater(ns: string, name: string, values: Record<string, string>, calls: number): void {
    const dir = path.join(this.dir, 'pending-secret', ns);
    fs.rmSync(path.join(this.dir, 'ns', ns, `${name}.json`), { force: true });
    this.seed(ns, name, values, 'Opaque', dir);
    fs.writeFileSync(path.join(dir, `${name}.count`), String(calls));
  }

  public secret(ns: string, name: string): any {
    const file = path.join(this.dir, 'ns', ns, `${name}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  public values(ns: string, name: string): Record<string, string> {
    const secret = this.secret(ns, name);
    if (!secret) throw new Error(`secret ${ns}/${name} was not created`);
    return Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  public async run(shell: string, spec: string, env: Record<string, string> = {}): Promise<RunResult> {
    const specFile = path.join(this.dir, 'setup.spec');
    fs.writeFileSync(specFile, spec);
    const curlLog = path.join(this.dir, 'curl.log');
    this.api.resetCalls();
    fs.rmSync(curlLog, { force: true });
    // In the jail, the recording curl stands in for the image's curl (it calls the real one).
    const jail = shell === PREPARE_JAIL ? scriptJail('harbor-setup.sh', { standIns: { curl: path.join(this.bin, 'curl') } }).jail! : undefined;
    const child = spawn(jail ? jail.shell : shell, [SCRIPT, specFile], {
      env: {
        PATH: jail ? jail.dir : `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        ...this.api.env(),
        KUBE_API_CLIENT: KUBE_API,
        CURL_LOG: curlLog,
        REAL_CURL: CURL!,
        HARBOR_URL: `${this.harbor.url}/`,
        HARBOR_REGISTRY_HOST: REGISTRY,
        HARBOR_NAMESPACE: HARBOR_NS,
        HARBOR_ADMIN_PASSWORD_FILE: this.adminFile,
        HARBOR_SETUP_WORK_DIR: this.workDir,
        HARBOR_SETUP_WAIT_SECONDS: '30',
        HARBOR_SETUP_POLL_SECONDS: '0',
        HARBOR_SETUP_RETRY_DELAY_SECONDS: '0',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The stand-in Harbor lives in this process: wait without blocking its event loop.
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    jail?.remove();
    const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as string[]) : []);
    return { status, stdout, stderr, kube: this.api.calls(), curl: lines(curlLog) };
  }

  /** Every secret this test knows of, and the encodings that would reveal them. */
  public secrets(): string[] {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const robots = [['robot$ml-models+puller', this.passwords[PULLER_SECRET]], ['robot$ml-models+pusher', this.passwords[PUSHER_SECRET]]];
    return [
      ADMIN_PASSWORD,
      b64(`admin:${ADMIN_PASSWORD}`),
      ...Object.values(this.passwords).flatMap((p) => [p, b64(p)]),
      ...robots.map(([user, pw]) => b64(`${user}:${pw}`)),
      ...this.harbor.generatedSecrets,
    ];
  }

  private wrapper(tool: string, script: string): void {
    const file = path.join(this.bin, tool);
    fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
    fs.chmodSync(file, 0o755);
  }
}

/** No secret in the output, in any API request path or curl argv; no credentials or cookie options for curl. */
function expectNoLeak(rig: Rig, ...results: RunResult[]): void {
  const haystacks = results.flatMap((r) => [r.stdout, r.stderr, ...r.kube.map((a) => a.join(' ')), ...r.curl.map((a) => a.join(' '))]);
  for (const needle of rig.secrets()) {
    for (const haystack of haystacks) {
      if (haystack.includes(needle)) throw new Error(`a secret leaked into: ${haystack.slice(0, 300)}`);
    }
  }
  for (const argv of results.flatMap((r) => r.curl)) {
    for (const flag of ['-u', '--user', '-b', '--cookie', '-c', '--cookie-jar', '-H', '--header']) {
      if (flag === '-H' || flag === '--header') {
        const values = argv.filter((_, i) => argv[i - 1] === flag);
        expect(values.filter((v) => /^authorization:/i.test(v))).toEqual([]);
      } else {
        expect(argv).not.toContain(flag);
      }
    }
  }
  expect(rig.harbor.violations).toEqual([]);
  expect(fs.readdirSync(rig.workDir)).toEqual([]);
}

function kubeWrites(result: RunResult): string[][] {
  return result.kube.filter(([method]) => method !== 'GET');
}

describeWithTools({ curl: 'curl' }).each(SHELLS)('harbor-setup.sh under %s', (shell) => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await new Rig().start();
  });
  afterEach(async () => {
    await rig.stop();
  });

  test('a first run creates projects, quota, rules, retention, robots and pull secrets; a second run changes nothing', async () => {
    const spec = standardSpec();
    const first = await rig.run(shell, spec);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);

    // Projects: metadata values are strings, storage_limit is bytes (-1: unlimited).
    const creates = rig.harbor.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2.0/projects').map((r) => r.body);
    expect(creates).toEqual([
      { project_name: 'ml-models', metadata: { public: 'false', auto_scan: 'true', prevent_vul: 'false', severity: 'high' }, storage_limit: 107374182400 },
      { project_name: 'scratch_space', metadata: { public: 'true', auto_scan: 'false', prevent_vul: 'true', severity: 'critical' }, storage_limit: -1 },
    ]);
    const models = rig.harbor.projects.get('ml-models')!;
    expect(models.quota.hard).toBe(100 * 2 ** 30);
    expect(models.immutableRules.map((r) => r.tag_selectors)).toEqual([[{ decoration: 'matches', kind: 'doublestar', pattern: 'v*' }]]);
    expect(models.retention).toMatchObject({
      algorithm: 'or',
      scope: { level: 'project', ref: models.id },
      trigger: { kind: 'Schedule', settings: { cron: '0 0 3 * * *' } },
      rules: [{ action: 'retain', template: 'latestPushedK', params: { latestPushedK: 10 }, tag_selectors: [{ pattern: 'v*', decoration: 'matches' }] }],
    });
    expect(models.metadata.retention_id).toBeDefined();

    // Robots: one permission entry for the project, push implies pull, the bootstrap's secret pinned.
    const robotCreates = rig.harbor.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2.0/robots').map((r) => r.body);
    expect(robotCreates.map((b) => [b.name, b.permissions])).toEqual([
      ['puller', [{ kind: 'project', namespace: 'ml-models', access: [{ resource: 'repository', action: 'pull' }] }]],
      ['pusher', [{ kind: 'project', namespace: 'ml-models', access: [{ resource: 'repository', action: 'pull' }, { resource: 'repository', action: 'push' }] }]],
    ]);
    const patches = rig.harbor.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.body)).toEqual([{ secret: rig.passwords[PULLER_SECRET] }, { secret: rig.passwords[PUSHER_SECRET] }]);
    expect(rig.harbor.robots.map((r) => [r.name, r.secret])).toEqual([
      ['robot$ml-models+puller', rig.passwords[PULLER_SECRET]],
      ['robot$ml-models+pusher', rig.passwords[PUSHER_SECRET]],
    ]);
    // Robot lookups use Harbor's q syntax (checked by the stand-in) with the project's id.
    const lookups = rig.harbor.requests.filter((r) => r.method === 'GET' && r.path === '/api/v2.0/robots');
    expect(lookups.map((r) => r.query.q)).toEqual([`Level=project,ProjectID=${models.id},name=~puller`, `Level=project,ProjectID=${models.id},name=~pusher`]);

    // Pull secrets in every declared namespace, decoded.
    for (const [ns, user, secret] of [
      ['ai-inference', 'robot$ml-models+puller', PULLER_SECRET],
      ['ml-jobs', 'robot$ml-models+puller', PULLER_SECRET],
      ['ml-import', 'robot$ml-models+pusher', PUSHER_SECRET],
    ]) {
      const name = secret.replace('harbor-robot-', 'harbor-') + '-dockerconfig';
      const stored = rig.secret(ns, name);
      expect(stored.type).toBe('kubernetes.io/dockerconfigjson');
      expect(stored.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cnai-model-platform-harbor-setup', 'app.kubernetes.io/part-of': 'cnai-model-platform' });
      const values = rig.values(ns, name);
      const password = rig.passwords[secret];
      expect(Object.keys(values).sort()).toEqual(['.dockerconfigjson', 'password', 'username']);
      expect(values.username).toBe(user);
      expect(values.password).toBe(password);
      expect(JSON.parse(values['.dockerconfigjson'])).toEqual({
        auths: { [REGISTRY]: { username: user, password, auth: Buffer.from(`${user}:${password}`).toString('base64') } },
      });
    }
    expect(first.stdout).toContain('done: 9 created, 0 updated, 1 unchanged, 0 warning(s)');

    const before = rig.harbor.requests.length;
    const second = await rig.run(shell, spec);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(rig.harbor.writes(before)).toEqual([]);
    expect(kubeWrites(second)).toEqual([]);
    expect(second.stdout).toContain('done: 0 created, 0 updated, 10 unchanged, 0 warning(s)');
    expect(second.stdout).toContain('robot robot$ml-models+puller exists and accepts the secret of harbor/harbor-robot-ml-models-puller');
    expectNoLeak(rig, first, second);
  });

  test('waits for /ping while Harbor answers 503, within bounds', async () => {
    rig.harbor.pingFailures = 3;
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`waiting up to 30s for Harbor at ${rig.harbor.url} (503)`);
    expect(result.curl.filter((a) => a[a.length - 1].endsWith('/api/v2.0/ping'))).toHaveLength(4);
    expectNoLeak(rig, result);
  });

  test('gives up clearly when Harbor never answers Pong', async () => {
    rig.harbor.pingFailures = Number.MAX_SAFE_INTEGER;
    const result = await rig.run(shell, standardSpec(), { HARBOR_SETUP_WAIT_SECONDS: '1', HARBOR_SETUP_POLL_SECONDS: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Harbor at ${rig.harbor.url} did not answer GET /api/v2.0/ping with Pong within 1s (last: 503)`);
    expect(rig.harbor.requests.filter((r) => r.path !== '/api/v2.0/ping')).toEqual([]);
    expectNoLeak(rig, result);
  });

  test('a 4xx answer fails with method, path, status and Harbor\'s message', async () => {
    rig.harbor.rejections.set('POST /api/v2.0/projects', { status: 403, message: 'forbidden by policy' });
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('harbor-setup: ERROR: POST /api/v2.0/projects answered HTTP 403 (expected 201): forbidden by policy');
    // No retry of a client error.
    expect(rig.harbor.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expectNoLeak(rig, result);
  });

  test('retries 5xx answers with backoff, then succeeds', async () => {
    rig.harbor.serverErrors.set('POST /api/v2.0/robots', 2);
    rig.harbor.serverErrors.set('GET /api/v2.0/quotas', 1);
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('POST /api/v2.0/robots: HTTP 500; attempt 1 of 6, retrying in 0s');
    expect(result.stdout).toContain('POST /api/v2.0/robots: HTTP 500; attempt 2 of 6');
    expect(rig.harbor.robots).toHaveLength(2);
    expectNoLeak(rig, result);
  });

  test('fails after the last attempt when 5xx persists', async () => {
    rig.harbor.serverErrors.set('GET /api/v2.0/projects/ml-models', 10);
    const result = await rig.run(shell, standardSpec(), { HARBOR_SETUP_ATTEMPTS: '3' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GET /api/v2.0/projects/ml-models failed after 3 attempts (HTTP 500)');
    expectNoLeak(rig, result);
  });

  test('an existing project keeps its settings, gets its declared quota and only the missing rules', async () => {
    const existing = rig.harbor.addProject('ml-models', { public: 'true', auto_scan: 'false' }, 5 * 2 ** 30);
    existing.immutableRules.push({
      action: 'immutable',
      disabled: false,
      id: 90,
      priority: 0,
      scope_selectors: { repository: [{ decoration: 'repoMatches', kind: 'doublestar', pattern: '**' }] },
      tag_selectors: [{ decoration: 'matches', kind: 'doublestar', pattern: 'v*' }],
      template: 'immutable_template',
    });
    existing.retention = { id: 4 };
    existing.metadata.retention_id = '4';
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(0);
    expect(rig.harbor.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2.0/projects').map((r) => r.body.project_name)).toEqual(['scratch_space']);
    const quotaUpdates = rig.harbor.requests.filter((r) => r.method === 'PUT');
    expect(quotaUpdates.map((r) => [r.path, r.body])).toEqual([[`/api/v2.0/quotas/${existing.quota.id}`, { hard: { storage: 107374182400 } }]]);
    expect(existing.quota.hard).toBe(107374182400);
    expect(existing.metadata).toEqual({ public: 'true', auto_scan: 'false', retention_id: '4' });
    expect(existing.immutableRules).toHaveLength(1);
    expect(rig.harbor.requests.filter((r) => r.path === '/api/v2.0/retentions')).toEqual([]);
    expect(result.stdout).toContain('quota of project ml-models set to 107374182400 bytes');
    expect(result.stdout).toContain("immutable tag rule 'v*' of project ml-models exists");
    expect(result.stdout).toContain('project ml-models has a retention policy; it is left as it is');
    expectNoLeak(rig, result);
  });

  test('a robot left with another secret (e.g. a run killed before PATCH) gets the declared one pinned', async () => {
    const project = rig.harbor.addProject('ml-models');
    // Many robots whose names contain "puller": the right one is on the second page of results.
    for (let i = 0; i < 120; i++) rig.harbor.addRobot(project, `puller-${i}`, 'Other0Secret');
    rig.harbor.addRobot(project, 'puller', 'Generated0ByHarbor');
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(0);
    const puller = rig.harbor.robots.find((r) => r.name === 'robot$ml-models+puller')!;
    expect(puller.secret).toBe(rig.passwords[PULLER_SECRET]);
    expect(rig.harbor.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2.0/robots').map((r) => r.body.name)).toEqual(['pusher']);
    expect(rig.harbor.requests.filter((r) => r.method === 'GET' && r.path === '/api/v2.0/robots' && r.query.q.endsWith('~puller')).map((r) => r.query.page)).toEqual(['1', '2']);
    expect(result.stdout).toContain('robot robot$ml-models+puller existed with another secret; pinned the secret of harbor/harbor-robot-ml-models-puller');
    expectNoLeak(rig, result);
  });

  test('waits for the robot password Secret the bootstrap creates, and fails clearly without it', async () => {
    rig.seedLater(HARBOR_NS, PULLER_SECRET, { password: rig.passwords[PULLER_SECRET] }, 3);
    const waited = await rig.run(shell, standardSpec());
    expect(waited.status).toBe(0);
    expect(waited.stdout).toContain(`waiting up to 30s for secret ${HARBOR_NS}/${PULLER_SECRET} (created by the secret bootstrap)`);

    fs.rmSync(path.join(rig.dir, 'ns', HARBOR_NS, `${PUSHER_SECRET}.json`));
    const missing = await rig.run(shell, standardSpec(), { HARBOR_SETUP_WAIT_SECONDS: '1', HARBOR_SETUP_POLL_SECONDS: '1' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`secret ${HARBOR_NS}/${PUSHER_SECRET} does not exist after 1s; the secret bootstrap Job of namespace ${HARBOR_NS} creates it`);
    expectNoLeak(rig, waited, missing);
  });

  test('a robot password Harbor would refuse fails before any robot call, without showing it', async () => {
    rig.seed(HARBOR_NS, PULLER_SECRET, { password: 'alllowercase-and-dash' });
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`key password of secret ${HARBOR_NS}/${PULLER_SECRET} is not a valid robot secret`);
    expect(result.stdout + result.stderr).not.toContain('alllowercase-and-dash');
    expect(rig.harbor.requests.filter((r) => r.path.startsWith('/api/v2.0/robots'))).toEqual([]);
  });

  test('an existing pull secret is left untouched, with a warning when it holds other credentials', async () => {
    rig.seed('ai-inference', 'harbor-ml-models-puller-dockerconfig', { password: 'stale', username: 'robot$ml-models+puller' }, 'kubernetes.io/dockerconfigjson');
    const result = await rig.run(shell, standardSpec());
    expect(result.status).toBe(0);
    expect(rig.values('ai-inference', 'harbor-ml-models-puller-dockerconfig').password).toBe('stale');
    expect(result.stdout).toContain('WARNING: secret ai-inference/harbor-ml-models-puller-dockerconfig exists but does not hold the current secret of robot$ml-models+puller');
    expect(rig.values('ml-jobs', 'harbor-ml-models-puller-dockerconfig').password).toBe(rig.passwords[PULLER_SECRET]);
    expectNoLeak(rig, result);
  });
});

testWithTools({ shellcheck: 'shellcheck' })('the script passes shellcheck', () => {
  for (const dialect of ['sh', 'bash']) {
    const result = spawnSync(hostTool('shellcheck')!, ['-s', dialect, SCRIPT], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }
});

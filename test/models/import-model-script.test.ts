/**
 * Runs the real src/models/scripts/import-model.sh with stand-ins for `oras` (fixtures/bin/oras,
 * a registry in a temp directory that records every call), `wget` (serves local files) and `sleep`
 * (records, returns at once): in a PATH jail of the ORAS image (busybox sh and only the applets the
 * image declares), and under the host's sh and bash with the stand-ins first on PATH. The spec,
 * config blob and annotation file come from a synthesized ModelArtifact, so what the construct
 * renders is what is pushed here.
 */
import { spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { find, platform } from './helpers';
import { HarborExposure } from '../../src/harbor/exposure';
import { HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { ModelArtifact } from '../../src/models/model-artifact';
import { ModelFormat, Quantization } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';
import { hostTool } from '../host-tools';
import { Jail, scriptJail } from '../jail';

jest.setTimeout(120_000);

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'models', 'scripts', 'import-model.sh');
const FIXTURE_BIN = path.join(__dirname, 'fixtures', 'bin');
const ROBOT_USER = 'robot$ml-models+pusher';
/** Quotes, a backslash, a dollar and a colon exercise the credentials path. */
const ROBOT_PASSWORD = 'Qx7"pa\\ss$word:9zZ';
const WEIGHT_URL = 'https://models.example.com/files/tiny-model.gguf';
const README_URL = 'https://models.example.com/files/README.md';
const REFERENCE = 'harbor.harbor.svc/ml-models/tiny:v1';
const ARTIFACT_TYPE = 'application/vnd.cnai.model.manifest.v1+json';

interface Shell {
  readonly name: string;
  readonly argv: string[];
  /** Run in this PATH jail instead of the host PATH. */
  readonly jail?: Jail;
}

const { jail: ORAS_JAIL, skipReason } = scriptJail('import-model.sh', {
  standIns: Object.fromEntries(['oras', 'wget', 'sleep'].map((tool) => [tool, path.join(FIXTURE_BIN, tool)])),
});
const SHELLS: Shell[] = [
  { name: 'sh', argv: ['sh'] },
  ...(hostTool('bash') ? [{ name: 'bash', argv: ['bash'] }] : []),
  ...(ORAS_JAIL ? [{ name: 'the ORAS image (busybox sh, declared applets only)', argv: [], jail: ORAS_JAIL }] : []),
];
if (skipReason) describe.skip(`import-model.sh in the ORAS image (skipped: ${skipReason})`, () => test('not run', () => undefined));

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A small GGUF-looking weight file: magic, version 3, no tensors, no metadata, then noise. */
function weightFile(): Buffer {
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'ascii');
  header.writeUInt32LE(3, 4);
  return Buffer.concat([header, randomBytes(4096 + Math.floor(Math.random() * 512))]);
}

interface Fixture {
  readonly root: string;
  readonly importDir: string;
  readonly scratch: string;
  readonly secretRoot: string;
  readonly credentials: string;
  readonly orasDir: string;
  readonly wgetDir: string;
  readonly sleepLog: string;
  readonly weight: Buffer;
  readonly readme: Buffer;
  readonly data: Record<string, string>;
}

interface Options {
  /** The sha256 the artifact declares for the weight (default: the real one). */
  readonly declaredWeightSha?: string;
  readonly harbor?: HarborModelRegistryProps;
  /** Serve a sparse weight file of this many bytes (all zeros, no disk use) instead of a small random one. */
  readonly sparseWeightBytes?: number;
}

function setUp(options: Options = {}): Fixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'import-model-'));
  const dirs = ['import', 'scratch', 'secret', 'credentials', 'oras', 'wget', 'wget/files'].map((d) => path.join(root, d));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const weight = weightFile();
  const readme = Buffer.from('# tiny\n\nA test model.\n');
  const weightPath = path.join(root, 'wget', 'files', 'tiny-model.gguf');
  if (options.sparseWeightBytes === undefined) {
    fs.writeFileSync(weightPath, weight);
  } else {
    fs.writeFileSync(weightPath, '');
    fs.truncateSync(weightPath, options.sparseWeightBytes);
  }
  const weightBytes = options.sparseWeightBytes ?? weight.length;
  fs.writeFileSync(path.join(root, 'wget', 'files', 'README.md'), readme);
  fs.writeFileSync(path.join(root, 'credentials', 'username'), ROBOT_USER);
  fs.writeFileSync(path.join(root, 'credentials', 'password'), `${ROBOT_PASSWORD}\n`);

  const p = platform(options.harbor);
  new ModelArtifact(p.chart, 'tiny', {
    project: p.project,
    repository: 'tiny',
    tag: 'v1',
    source: ModelSource.fromUrl(WEIGHT_URL, { sha256: options.declaredWeightSha ?? sha256(weight), sizeBytes: weightBytes }),
    extraFiles: [ModelSource.fromUrl(README_URL, { sha256: sha256(readme), sizeBytes: readme.length })],
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '1M',
    quantization: Quantization.Q8_0,
    description: 'tiny test model',
    pushRobot: p.pusher,
  });
  const data = find(Testing.synth(p.chart), 'ConfigMap', 'tiny-v1').data as Record<string, string>;
  for (const key of ['import.spec', 'model-config.json', 'annotations.json']) fs.writeFileSync(path.join(root, 'import', key), data[key]);
  return {
    root,
    importDir: path.join(root, 'import'),
    scratch: path.join(root, 'scratch'),
    secretRoot: path.join(root, 'secret'),
    credentials: path.join(root, 'credentials'),
    orasDir: path.join(root, 'oras'),
    wgetDir: path.join(root, 'wget'),
    sleepLog: path.join(root, 'sleeps'),
    weight,
    readme,
    data,
  };
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(shell: Shell, f: Fixture, env: Record<string, string> = {}): Run {
  const args = [path.join(f.importDir, 'import.spec'), path.join(f.importDir, 'model-config.json'), path.join(f.importDir, 'annotations.json')];
  const scriptEnv: Record<string, string> = {
    FAKE_ORAS_DIR: f.orasDir,
    FAKE_ORAS_CREDENTIALS: `${ROBOT_USER}:${ROBOT_PASSWORD}`,
    FAKE_ORAS_PLAIN_HTTP: 'true',
    FAKE_WGET_DIR: f.wgetDir,
    FAKE_SLEEP_LOG: f.sleepLog,
    REGISTRY_CREDENTIALS_DIR: f.credentials,
    IMPORT_SCRATCH_DIR: f.scratch,
    IMPORT_SECRET_DIR: f.secretRoot,
    IMPORT_ATTEMPTS: '4',
    IMPORT_RETRY_DELAY_SECONDS: '2',
    ...env,
  };
  if (shell.jail) {
    const jailed = shell.jail.run(SCRIPT, args, { env: scriptEnv, cwd: f.root });
    return { status: jailed.status, stdout: jailed.stdout, stderr: jailed.stderr };
  }
  const result = spawnSync(shell.argv[0], [...shell.argv.slice(1), SCRIPT, ...args], {
    env: {
      PATH: [FIXTURE_BIN, path.dirname(process.execPath), process.env.PATH].join(':'),
      ...scriptEnv,
    },
    cwd: f.root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface OrasCall {
  readonly argv: string[];
  readonly stdin: string;
  readonly cwd: string;
}

function orasCalls(f: Fixture): OrasCall[] {
  const file = path.join(f.orasDir, 'calls.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

function wgetCalls(f: Fixture): string[] {
  const file = path.join(f.wgetDir, 'calls');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

function sleeps(f: Fixture): string[] {
  return fs.existsSync(f.sleepLog) ? fs.readFileSync(f.sleepLog, 'utf8').trim().split('\n') : [];
}

function stored(f: Fixture, ref = REFERENCE): any {
  return JSON.parse(fs.readFileSync(path.join(f.orasDir, 'manifests', `${encodeURIComponent(ref)}.json`), 'utf8'));
}

function subcommands(f: Fixture): string[] {
  return orasCalls(f).map((c) => (c.argv[0] === 'manifest' ? 'manifest fetch' : c.argv[0]));
}

/** Files and directories left under `dir`, recursively. */
function leftovers(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String);
}

beforeAll(() => {
  // Git may drop the executable bit; PATH lookup needs it.
  for (const file of fs.readdirSync(FIXTURE_BIN)) fs.chmodSync(path.join(FIXTURE_BIN, file), 0o755);
});

afterAll(() => ORAS_JAIL?.remove());

test('the ConfigMap carries the script file unchanged', () => {
  expect(setUp().data['import-model.sh']).toBe(fs.readFileSync(SCRIPT, 'utf8'));
});

describe.each(SHELLS.map((shell) => [shell.name, shell] as const))('import-model.sh under %s', (_name, shell) => {
  let f: Fixture;
  afterEach(() => fs.rmSync(f.root, { recursive: true, force: true }));

  test('a sha256 mismatch fails with a clear line naming file, expected and actual digest, and pushes nothing', () => {
    const wrong = 'ab'.repeat(32);
    f = setUp({ declaredWeightSha: wrong });
    const result = run(shell, f);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `import-model: ERROR: sha256 mismatch for tiny-model.gguf (downloaded from ${WEIGHT_URL}): expected sha256:${wrong}, got sha256:${sha256(f.weight)}\n`);
    expect(subcommands(f)).toEqual(['manifest fetch']);
    expect(fs.existsSync(path.join(f.orasDir, 'manifests'))).toBe(false);
    // Nothing left behind: no download, no registry config with the credentials.
    expect(leftovers(f.scratch)).toEqual([]);
    expect(leftovers(f.secretRoot)).toEqual([]);
  });

  test('a first run downloads, verifies and pushes once with the exact ORAS arguments', () => {
    f = setUp();
    const result = run(shell, f);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(wgetCalls(f)).toEqual([
      `-q -c -T 60 -O ${f.scratch}/partial/tiny-model.gguf ${WEIGHT_URL}`,
      `-q -c -T 60 -O ${f.scratch}/partial/README.md ${README_URL}`,
    ]);
    const calls = orasCalls(f);
    expect(subcommands(f)).toEqual(['manifest fetch', 'push', 'manifest fetch']);
    const registryConfig = expect.stringMatching(new RegExp(`^${f.secretRoot}/model-import\\.[^/]+/registry-config\\.json$`));
    expect(calls[0].argv).toEqual(['manifest', 'fetch', '--registry-config', registryConfig, '--plain-http', REFERENCE]);
    expect(calls[1].argv).toEqual([
      'push',
      '--registry-config', registryConfig,
      '--plain-http',
      '--artifact-type', ARTIFACT_TYPE,
      '--config', `${f.importDir}/model-config.json:application/vnd.cnai.model.config.v1+json`,
      '--annotation-file', `${f.importDir}/annotations.json`,
      REFERENCE,
      'tiny-model.gguf:application/vnd.cnai.model.weight.v1.raw',
      'README.md:application/vnd.cnai.model.doc.v1.raw',
    ]);
    // Relative file names, so each layer's title is the bare file name.
    expect(calls[1].cwd).toBe(`${f.scratch}/files`);
    expect(calls.every((c) => c.stdin === '')).toBe(true);

    const manifest = stored(f);
    expect(manifest.artifactType).toBe(ARTIFACT_TYPE);
    expect(manifest.config).toEqual({
      mediaType: 'application/vnd.cnai.model.config.v1+json',
      digest: `sha256:${sha256(f.data['model-config.json'])}`,
      size: Buffer.byteLength(f.data['model-config.json']),
    });
    expect(manifest.layers).toEqual([
      {
        mediaType: 'application/vnd.cnai.model.weight.v1.raw',
        digest: `sha256:${sha256(f.weight)}`,
        size: f.weight.length,
        annotations: { 'org.opencontainers.image.title': 'tiny-model.gguf', 'org.cnai.model.filepath': 'tiny-model.gguf' },
      },
      {
        mediaType: 'application/vnd.cnai.model.doc.v1.raw',
        digest: `sha256:${sha256(f.readme)}`,
        size: f.readme.length,
        annotations: { 'org.opencontainers.image.title': 'README.md', 'org.cnai.model.filepath': 'README.md' },
      },
    ]);
    expect(manifest.annotations).toEqual({
      'org.cnai.model.format': 'gguf',
      'org.cnai.model.architecture': 'llama',
      'org.cnai.model.param.size': '1M',
      'org.cnai.model.quantization': 'Q8_0',
      'org.cnai.model.description': 'tiny test model',
      'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
    });
    expect(result.stdout).toContain(`import-model: ${REFERENCE} does not exist yet\n`);
    expect(result.stdout).toContain(`import-model: verified tiny-model.gguf: sha256:${sha256(f.weight)}, ${f.weight.length} bytes\n`);
    expect(result.stdout).toContain(`import-model: oras: Pushed [registry] ${REFERENCE}\n`);
    expect(result.stdout).toContain(`import-model: imported ${REFERENCE}: artifactType ${ARTIFACT_TYPE}, config sha256:${sha256(f.data['model-config.json'])}, 2 layer(s)\n`);
    expect(leftovers(f.scratch)).toEqual([]);
    expect(leftovers(f.secretRoot)).toEqual([]);
  });

  test('a second run finds the model in the registry and downloads and pushes nothing', () => {
    f = setUp();
    expect(run(shell, f).status).toBe(0);
    const firstManifest = fs.readFileSync(path.join(f.orasDir, 'manifests', `${encodeURIComponent(REFERENCE)}.json`), 'utf8');
    fs.rmSync(path.join(f.orasDir, 'calls.jsonl'));
    fs.rmSync(path.join(f.wgetDir, 'calls'));

    const second = run(shell, f);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(subcommands(f)).toEqual(['manifest fetch']);
    expect(wgetCalls(f)).toEqual([]);
    expect(second.stdout).toBe(`import-model: ${REFERENCE} already holds this model (2 file(s), artifactType ${ARTIFACT_TYPE}): nothing to download or push\n`);
    expect(fs.readFileSync(path.join(f.orasDir, 'manifests', `${encodeURIComponent(REFERENCE)}.json`), 'utf8')).toBe(firstManifest);
  });

  test('credentials never appear in command arguments, stdin, environment or output', () => {
    f = setUp();
    const first = run(shell, f);
    const second = run(shell, f);
    expect([first.status, second.status]).toEqual([0, 0]);
    const encoded = Buffer.from(`${ROBOT_USER}:${ROBOT_PASSWORD}`).toString('base64');
    const seen = [
      first.stdout, first.stderr, second.stdout, second.stderr,
      ...orasCalls(f).flatMap((c) => [...c.argv, c.stdin]),
      ...wgetCalls(f),
    ].join('\n');
    for (const secret of [ROBOT_PASSWORD, 'pa\\ss$word', encoded, ROBOT_USER]) expect(seen).not.toContain(secret);
    // The stand-in authenticated every call with the registry config the script wrote.
    expect(orasCalls(f)).toHaveLength(4);
    expect(leftovers(f.secretRoot)).toEqual([]);
  });

  test('waits while the registry is not reachable, with doubling pauses', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_ORAS_UNAVAILABLE: '2' });
    expect(result.status).toBe(0);
    expect(sleeps(f)).toEqual(['2', '4']);
    expect(result.stdout).toContain(`import-model: attempt 1/4: cannot read ${REFERENCE} (Error: failed to fetch the content of "${REFERENCE}": Get "http://harbor.harbor.svc/v2/ml-models/tiny/manifests/v1": dial tcp 10.96.0.10:80: connect: connection refused); retrying in 2s\n`);
    expect(subcommands(f)).toEqual(['manifest fetch', 'manifest fetch', 'manifest fetch', 'push', 'manifest fetch']);
  });

  test('gives up on an unreachable registry after the bounded attempts, before downloading', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_ORAS_UNAVAILABLE: '100' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`import-model: ERROR: cannot read ${REFERENCE} after 4 attempts: Error: failed to fetch the content of "${REFERENCE}": Get "http://harbor.harbor.svc/v2/ml-models/tiny/manifests/v1": dial tcp 10.96.0.10:80: connect: connection refused\n`);
    expect(wgetCalls(f)).toEqual([]);
  });

  test('wrong credentials are retried (the robot may not exist yet), then fail without a secret in the log', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_ORAS_CREDENTIALS: 'robot$ml-models+pusher:other' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`import-model: ERROR: cannot read ${REFERENCE} after 4 attempts: Error response from registry: unauthorized: authentication required: [map[Action:pull Class: Name:ml-models/tiny Type:repository]]\n`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(ROBOT_PASSWORD);
  });

  test('resumes an interrupted download and verifies the whole file', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_WGET_BREAK_CALLS: '1' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(wgetCalls(f)).toHaveLength(3);
    expect(result.stdout).toContain('import-model: attempt 1/4: download of tiny-model.gguf failed (wget: read error: Connection reset by peer); retrying in 2s\n');
    expect(stored(f).layers[0].digest).toBe(`sha256:${sha256(f.weight)}`);
  });

  test('a resume the server ignores: wget starts over by itself and the import succeeds', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_WGET_BREAK_CALLS: '1', FAKE_WGET_NO_RANGE: '1' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(wgetCalls(f)).toHaveLength(3);
    expect(result.stdout).not.toContain('grew');
    expect(stored(f).layers[0].digest).toBe(`sha256:${sha256(f.weight)}`);
  });

  test('a resumed download that grows past the declared size (the file changed on the server) is fetched once more from scratch, then fails as an integrity error', () => {
    f = setUp();
    fs.writeFileSync(path.join(f.wgetDir, 'files', 'tiny-model.gguf'), Buffer.concat([f.weight, Buffer.from('extra')]));
    const result = run(shell, f, { FAKE_WGET_BREAK_CALLS: '1' });
    expect(result.status).toBe(3);
    expect(result.stdout).toContain(`import-model: attempt 2/4: download of tiny-model.gguf failed (resumed download grew to ${f.weight.length + 5} bytes); retrying in 4s\n`);
    expect(result.stderr).toContain(`import-model: ERROR: size mismatch for tiny-model.gguf (downloaded from ${WEIGHT_URL}): expected ${f.weight.length} bytes, got ${f.weight.length + 5}\n`);
    expect(wgetCalls(f)).toHaveLength(3);
  });

  test('a download of the wrong size that is not a resume fails as an integrity error', () => {
    f = setUp();
    fs.writeFileSync(path.join(f.wgetDir, 'files', 'tiny-model.gguf'), Buffer.concat([f.weight, Buffer.from('extra')]));
    const result = run(shell, f);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`import-model: ERROR: size mismatch for tiny-model.gguf (downloaded from ${WEIGHT_URL}): expected ${f.weight.length} bytes, got ${f.weight.length + 5}\n`);
    expect(subcommands(f)).toEqual(['manifest fetch']);
  });

  test('a missing file (404) is retried, then fails naming file and URL', () => {
    f = setUp();
    fs.rmSync(path.join(f.wgetDir, 'files', 'README.md'));
    const result = run(shell, f);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`import-model: ERROR: download of README.md from ${README_URL} failed after 4 attempts: wget: server returned error: HTTP/1.1 404 Not Found\n`);
    expect(subcommands(f)).toEqual(['manifest fetch']);
    expect(leftovers(f.scratch)).toEqual([]);
  });

  test('a failed push is retried', () => {
    f = setUp();
    const result = run(shell, f, { FAKE_ORAS_PUSH_FAILURES: '1' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`import-model: attempt 1/4: push of ${REFERENCE} failed (Error: Put "http://harbor.harbor.svc/v2/ml-models/tiny/blobs/uploads/4f2d8f3e-upload?digest=sha256%3A${sha256(f.weight)}": read tcp 10.0.0.5:51234->10.96.0.10:80: read: connection reset by peer); retrying in 2s\n`);
    expect(subcommands(f)).toEqual(['manifest fetch', 'push', 'push', 'manifest fetch']);
  });

  test('a tag that holds other content (another artifact type or other weights) is replaced', () => {
    f = setUp();
    const other = { schemaVersion: 2, artifactType: 'application/vnd.unknown.artifact.v1', layers: [{ digest: `sha256:${sha256(f.weight)}` }, { digest: `sha256:${sha256(f.readme)}` }] };
    fs.mkdirSync(path.join(f.orasDir, 'manifests'));
    fs.writeFileSync(path.join(f.orasDir, 'manifests', `${encodeURIComponent(REFERENCE)}.json`), JSON.stringify(other));
    const result = run(shell, f);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`import-model: ${REFERENCE} holds another artifact; it will be replaced\n`);
    expect(subcommands(f)).toEqual(['manifest fetch', 'push', 'manifest fetch']);
    expect(stored(f).artifactType).toBe(ARTIFACT_TYPE);
  });

  test('a tag with the same files but other metadata is kept, with a note', () => {
    f = setUp();
    expect(run(shell, f).status).toBe(0);
    const manifest = stored(f);
    manifest.config.digest = `sha256:${'0'.repeat(64)}`;
    fs.writeFileSync(path.join(f.orasDir, 'manifests', `${encodeURIComponent(REFERENCE)}.json`), JSON.stringify(manifest, null, 2));
    fs.rmSync(path.join(f.orasDir, 'calls.jsonl'));
    const result = run(shell, f);
    expect(result.status).toBe(0);
    expect(subcommands(f)).toEqual(['manifest fetch']);
    expect(result.stdout).toContain('note: its config blob is not the declared one');
  });

  test('bad input exits 2 (the Job fails at once): unreadable credentials, a broken spec', () => {
    f = setUp();
    const noCredentials = run(shell, f, { REGISTRY_CREDENTIALS_DIR: path.join(f.root, 'missing') });
    expect(noCredentials.status).toBe(2);
    expect(noCredentials.stderr).toContain('cannot read the files username and password');
    fs.writeFileSync(path.join(f.importDir, 'import.spec'), f.data['import.spec'].replace('plain-http true', 'plain-http maybe'));
    const badSpec = run(shell, f);
    expect(badSpec.status).toBe(2);
    expect(badSpec.stderr).toBe("import-model: ERROR: spec: plain-http must be true or false, got 'maybe'\n");
    expect(orasCalls(f)).toEqual([]);
  });
});

describe('import-model.sh against an https Harbor', () => {
  test('no --plain-http when Harbor is exposed over https', () => {
    const f = setUp({ harbor: { exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }) } });
    try {
      const result = run(SHELLS[0], f, { FAKE_ORAS_PLAIN_HTTP: 'false' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const calls = orasCalls(f);
      expect(calls.map((c) => c.argv.includes('--plain-http'))).toEqual([false, false, false]);
      expect(calls[1].argv).toContain('harbor.example.com/ml-models/tiny:v1');
    } finally {
      fs.rmSync(f.root, { recursive: true, force: true });
    }
  });
});

/** 5 GiB: past the 32-bit count of busybox `wc -c` built without FEATURE_WC_LARGE (as in Alpine and Debian). */
const BIG_BYTES = 5 * 2 ** 30;

(ORAS_JAIL ? describe : describe.skip)('import-model.sh with a 5 GiB file in the ORAS image (busybox applets)', () => {
  test('the downloaded size is measured with busybox stat: the size check passes at once and the full size is pushed', () => {
    // The weight is a sparse file of zeros (no disk use); the wget stand-in copies it sparsely.
    // Hashing it would take a minute, so sha256sum (for that file only) and the ORAS stand-in use a
    // fixed digest. The sizes are measured for real, by busybox stat. A wc stand-in fails and
    // records the call: busybox wc would read all 5 GiB and, counting in 32 bits, print 1 GiB.
    const bigSha = 'b1'.repeat(32);
    const f = setUp({ sparseWeightBytes: BIG_BYTES, declaredWeightSha: bigSha });
    const stubs = path.join(f.root, 'stubs');
    const wcLog = path.join(f.root, 'wc-calls');
    fs.mkdirSync(stubs);
    fs.writeFileSync(path.join(stubs, 'wc'), [
      '#!/bin/sh',
      `printf '%s\\n' "$*" >>'${wcLog}'`,
      'echo "wc stand-in: file sizes must not be counted with wc" >&2',
      'exit 1',
      '',
    ].join('\n'), { mode: 0o755 });
    fs.writeFileSync(path.join(stubs, 'sha256sum'), [
      '#!/bin/sh',
      `case $1 in */tiny-model.gguf) printf '%s  %s\\n' '${bigSha}' "$1" ;; *) exec '${hostTool('busybox')}' sha256sum "$@" ;; esac`,
      '',
    ].join('\n'), { mode: 0o755 });
    try {
      // The image's own wc and sha256sum are replaced by the stand-ins; everything else is busybox.
      const { jail } = scriptJail('import-model.sh', {
        standIns: {
          ...Object.fromEntries(['oras', 'wget', 'sleep'].map((tool) => [tool, path.join(FIXTURE_BIN, tool)])),
          wc: path.join(stubs, 'wc'),
          sha256sum: path.join(stubs, 'sha256sum'),
        },
      });
      const result = run({ name: 'ORAS image, wc and sha256sum stand-ins', argv: [], jail }, f, {
        FAKE_WGET_SPARSE: 'tiny-model.gguf',
        FAKE_ORAS_KNOWN_DIGESTS: `tiny-model.gguf=sha256:${bigSha}`,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.existsSync(wcLog)).toBe(false);
      // One wget per file and no pause: the first download was taken as complete.
      expect(wgetCalls(f)).toHaveLength(2);
      expect(sleeps(f)).toEqual([]);
      expect(result.stdout).toContain(`import-model: verified tiny-model.gguf: sha256:${bigSha}, ${BIG_BYTES} bytes\n`);
      expect(result.stdout).toContain(`import-model: pushing ${REFERENCE} (2 file(s), ${BIG_BYTES + f.readme.length} bytes)\n`);
      expect(stored(f).layers[0]).toMatchObject({ digest: `sha256:${bigSha}`, size: BIG_BYTES });
      expect(leftovers(f.scratch)).toEqual([]);
    } finally {
      fs.rmSync(f.root, { recursive: true, force: true });
    }
  });
});

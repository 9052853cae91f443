/**
 * Runs the real src/models/scripts/download-model.sh with the real curl (the host's, as the curl
 * image's own program) in a PATH jail of the curl image (busybox sh and only the applets the image
 * declares), against test/models/fixtures/gated-file-server.js: a gated host on 127.0.0.1 that
 * redirects to its CDN on 127.0.0.2, both over TLS from a test CA. `sleep` only records. A thin
 * recorder in front of curl keeps its argument lists, to show the token never appears in them.
 *
 * The last test runs the Job's two containers in order on a synthesized ModelArtifact: this script
 * as the init container, then import-model.sh in the ORAS image's jail (ORAS and wget stand-ins of
 * import-model-script.test.ts), which must push the file without downloading it again.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { find, platform } from './helpers';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { TOKENS_DIR } from '../../src/models/import-job';
import { ModelArtifact } from '../../src/models/model-artifact';
import { ModelFormat } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';
import { describeWithTools, testWithTools } from '../host-tools';
import { Jail, scriptJail } from '../jail';
import { testPki } from '../test-pki';

jest.setTimeout(120_000);

const SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'models', 'scripts', 'download-model.sh');
const IMPORT_SCRIPT = path.resolve(__dirname, '..', '..', 'src', 'models', 'scripts', 'import-model.sh');
const SERVER = path.join(__dirname, 'fixtures', 'gated-file-server.js');
const FIXTURE_BIN = path.join(__dirname, 'fixtures', 'bin');
/** An RFC 6750 token with every punctuation character it may have. */
const TOKEN = 'hf_Tok3n-._~+/=';

interface Server {
  readonly dir: string;
  readonly hub: string;
  readonly child: ChildProcess;
}

interface Logged {
  readonly server: string;
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly range: string | null;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function startServer(): Promise<Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gated-files-'));
  const pki = testPki(['127.0.0.1', '127.0.0.2']);
  fs.copyFileSync(pki.key, path.join(dir, 'tls.key'));
  fs.copyFileSync(pki.crt, path.join(dir, 'tls.crt'));
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  fs.mkdirSync(path.join(dir, 'files'));
  const child = spawn(process.execPath, [SERVER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const hubPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+) (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`gated-file-server exited with ${code}`)));
  });
  return { dir, hub: `https://127.0.0.1:${hubPort}`, child };
}

function requests(server: Server): Logged[] {
  const log = path.join(server.dir, 'requests.log');
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** Writes curl's arguments to $CURL_ARGV_LOG, then runs the host's real curl. */
function curlRecorder(dir: string): string {
  const file = path.join(dir, 'curl');
  fs.writeFileSync(file, '#!/bin/sh\nprintf \'%s\\n\' "$*" >>"$CURL_ARGV_LOG"\nexec /usr/bin/curl "$@"\n', { mode: 0o755 });
  return file;
}

interface Fixture {
  readonly root: string;
  readonly scratch: string;
  readonly tokenFile: string;
  readonly spec: string;
  readonly argvLog: string;
  readonly sleepLog: string;
}

function fixture(): Fixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'download-model-'));
  for (const d of ['scratch', 'secret', 'tokens/0']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const tokenFile = path.join(root, 'tokens', '0', 'token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  return {
    root,
    scratch: path.join(root, 'scratch'),
    tokenFile,
    spec: path.join(root, 'download.spec'),
    argvLog: path.join(root, 'curl-argv'),
    sleepLog: path.join(root, 'sleeps'),
  };
}

testWithTools({ shellcheck: 'shellcheck' })('download-model.sh, import-model.sh and the import-lib.sh they source pass shellcheck', () => {
  for (const dialect of ['sh', 'dash', 'bash']) {
    const result = spawnSync('shellcheck', ['-x', '-s', dialect, SCRIPT, IMPORT_SCRIPT], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
    expect(`${dialect}: ${result.stdout}${result.stderr}`).toBe(`${dialect}: `);
    expect(result.status).toBe(0);
  }
});

describeWithTools({ curl: 'curl', openssl: 'openssl', busybox: 'busybox' })('download-model.sh in the curl image with the real curl', () => {
  let server: Server;
  let jail: Jail;
  let recorderDir: string;
  let f: Fixture;

  beforeAll(async () => {
    server = await startServer();
    fs.chmodSync(path.join(FIXTURE_BIN, 'sleep'), 0o755);
    recorderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'curl-recorder-'));
    const made = scriptJail('download-model.sh', { standIns: { curl: curlRecorder(recorderDir), sleep: path.join(FIXTURE_BIN, 'sleep') } });
    if (!made.jail) throw new Error(`no curl image jail: ${made.skipReason}`);
    jail = made.jail;
  });
  afterAll(() => {
    server.child.kill('SIGTERM');
    jail.remove();
    fs.rmSync(recorderDir, { recursive: true, force: true });
    fs.rmSync(server.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    f = fixture();
    fs.rmSync(path.join(server.dir, 'requests.log'), { force: true });
  });
  afterEach(() => fs.rmSync(f.root, { recursive: true, force: true }));

  /** Serves `bytes` as NAME and writes a spec line for it (`route` gated or downgrade). */
  function serve(name: string, bytes: Buffer, options: { route?: string; sha?: string } = {}): string {
    fs.writeFileSync(path.join(server.dir, 'files', name), bytes);
    return `file ${name} ${bytes.length} ${options.sha ?? sha256(bytes)} ${f.tokenFile} ${server.hub}/${options.route ?? 'gated'}/${name}`;
  }

  function run(specLines: string[]) {
    fs.writeFileSync(f.spec, ['# test spec', ...specLines, ''].join('\n'));
    return jail.run(SCRIPT, [f.spec], {
      cwd: f.root,
      env: {
        IMPORT_SCRATCH_DIR: f.scratch,
        IMPORT_SECRET_DIR: path.join(f.root, 'secret'),
        IMPORT_ATTEMPTS: '3',
        IMPORT_RETRY_DELAY_SECONDS: '2',
        IMPORT_READ_TIMEOUT_SECONDS: '10',
        CURL_CA_BUNDLE: testPki(['127.0.0.1', '127.0.0.2']).caCrt,
        CURL_ARGV_LOG: f.argvLog,
        FAKE_SLEEP_LOG: f.sleepLog,
      },
    });
  }

  const argvLines = () => (fs.existsSync(f.argvLog) ? fs.readFileSync(f.argvLog, 'utf8').trim().split('\n') : []);
  const sleeps = () => (fs.existsSync(f.sleepLog) ? fs.readFileSync(f.sleepLog, 'utf8').trim().split('\n') : []);

  test('a gated file: the token goes to its host only, never to the CDN it redirects to, nor into arguments or logs', () => {
    const weight = randomBytes(300_000);
    const readme = Buffer.from('# gated\n');
    const result = run([serve('gated.gguf', weight), serve('README.md', readme)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(f.scratch, 'partial', 'gated.gguf')).equals(weight)).toBe(true);
    expect(fs.readFileSync(path.join(f.scratch, 'partial', 'README.md')).equals(readme)).toBe(true);
    expect(result.stdout).toContain(`verified gated.gguf: sha256:${sha256(weight)}, ${weight.length} bytes`);

    const seen = requests(server);
    expect(seen.map((r) => `${r.server} ${r.path.replace(/\?.*/, '')}`)).toEqual([
      'hub /gated/gated.gguf', 'cdn /blob/gated.gguf', 'hub /gated/README.md', 'cdn /blob/README.md',
    ]);
    expect(seen.filter((r) => r.server === 'hub').map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(seen.filter((r) => r.server === 'cdn').map((r) => r.authorization)).toEqual([null, null]);
    expect(argvLines()).toHaveLength(2);
    for (const text of [...argvLines(), result.stdout, result.stderr]) expect(text).not.toContain(TOKEN);
    // The curl config with the token lived in IMPORT_SECRET_DIR only while curl ran.
    expect(fs.readdirSync(path.join(f.root, 'secret'))).toEqual([]);
  });

  test('a download cut halfway resumes with a Range request and is verified', () => {
    const weight = randomBytes(400_000);
    const line = serve('cut.gguf', weight);
    fs.writeFileSync(path.join(server.dir, 'cut-once'), 'cut.gguf');
    const result = run([line]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/attempt 1\/3: download of cut\.gguf failed \(curl exit \d+, HTTP 200/);
    expect(sleeps()).toEqual(['2']);
    const cdn = requests(server).filter((r) => r.server === 'cdn');
    expect(cdn).toHaveLength(2);
    expect(cdn[0].range).toBeNull();
    expect(cdn[1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(fs.readFileSync(path.join(f.scratch, 'partial', 'cut.gguf')).equals(weight)).toBe(true);
  });

  test('a refused token fails at once with exit 2, naming the file and the token file, not the token', () => {
    fs.writeFileSync(f.tokenFile, 'hf_wrong\n');
    const result = run([serve('gated.gguf', randomBytes(1000))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`the server refused the token for gated.gguf (HTTP 401 from ${server.hub}/gated/gated.gguf): check the token in ${f.tokenFile}`);
    expect(result.stderr).not.toContain('hf_wrong');
    expect(sleeps()).toEqual([]);
    expect(fs.existsSync(path.join(f.scratch, 'partial', 'gated.gguf'))).toBe(false);
  });

  test.each([
    ['a quote', 'hf_a"b'],
    ['a space', 'hf_a b'],
    ['two lines', 'hf_a\nhf_b'],
    ['nothing', ''],
  ])('a token with %s is refused before any request (exit 2), without printing it', (_what, token) => {
    fs.writeFileSync(f.tokenFile, token);
    const result = run([serve('gated.gguf', randomBytes(1000))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`the token in ${f.tokenFile} is empty or has characters a bearer token cannot have`);
    if (token !== '') expect(result.stderr).not.toContain(token);
    expect(requests(server)).toEqual([]);
  });

  test('a redirect to plain http is not followed: the CDN is never asked', () => {
    const result = run([serve('gated.gguf', randomBytes(1000), { route: 'downgrade' })]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('refused to follow a redirect');
    expect(requests(server).map((r) => r.server)).toEqual(['hub']);
  });

  test('a file that is not the declared one fails with exit 3 and is removed', () => {
    const weight = randomBytes(1000);
    const result = run([serve('gated.gguf', weight, { sha: '0'.repeat(64) })]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`sha256 mismatch for gated.gguf (downloaded from ${server.hub}/gated/gated.gguf): expected sha256:${'0'.repeat(64)}, got sha256:${sha256(weight)}`);
    expect(fs.existsSync(path.join(f.scratch, 'partial', 'gated.gguf'))).toBe(false);
  });

  test.each([
    ['an http URL', (l: string) => l.replace('https://', 'http://'), "bad URL 'http://"],
    ['a relative token file', (l: string) => l.replace(f.tokenFile, 'token'), "bad token file 'token'"],
    ['a sha256 of the wrong length', (l: string) => l.replace(/ [0-9a-f]{64} /, ' abc '), "bad sha256 'abc'"],
  ])('a spec line with %s is refused before any request (exit 2)', (_what, edit, message) => {
    const result = run([edit(serve('gated.gguf', randomBytes(10)))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(requests(server)).toEqual([]);
  });

  test("the Job's containers in order: the init container downloads with the token, import-model.sh pushes without downloading again", () => {
    const weight = randomBytes(200_000);
    fs.writeFileSync(path.join(server.dir, 'files', 'gated.gguf'), weight);
    const p = platform();
    new ModelArtifact(p.chart, 'gated', {
      project: p.project,
      repository: 'gated',
      tag: 'v1',
      source: ModelSource.fromUrl(`${server.hub}/gated/gated.gguf`, {
        sha256: sha256(weight),
        sizeBytes: weight.length,
        token: SecretKeyReference.fromSecret('model-server-token', 'token'),
      }),
      format: ModelFormat.GGUF,
      architecture: 'llama',
      paramSize: '1M',
      pushRobot: p.pusher,
    });
    const data = find(Testing.synth(p.chart), 'ConfigMap', 'gated-v1').data as Record<string, string>;
    expect(data['download-model.sh']).toBe(fs.readFileSync(SCRIPT, 'utf8'));
    expect(data['import-lib.sh']).toBe(fs.readFileSync(path.join(path.dirname(SCRIPT), 'import-lib.sh'), 'utf8'));
    // The Secret key is mounted at <TOKENS_DIR>/0/token in the pod; here it is a file of the fixture.
    const spec = data['download.spec'].split(`${TOKENS_DIR}/0/token`).join(f.tokenFile);
    const downloaded = run(spec.split('\n').filter((l) => l.startsWith('file ')));
    expect(downloaded.status).toBe(0);

    const importDir = path.join(f.root, 'import');
    const wgetDir = path.join(f.root, 'wget');
    const orasDir = path.join(f.root, 'oras');
    const credentials = path.join(f.root, 'credentials');
    for (const d of [importDir, wgetDir, orasDir, credentials]) fs.mkdirSync(d);
    for (const key of ['import.spec', 'model-config.json', 'annotations.json']) fs.writeFileSync(path.join(importDir, key), data[key]);
    fs.writeFileSync(path.join(credentials, 'username'), 'robot$ml-models+pusher');
    fs.writeFileSync(path.join(credentials, 'password'), 'pw');
    const standIns = Object.fromEntries(['oras', 'wget', 'sleep'].map((tool) => [tool, path.join(FIXTURE_BIN, tool)]));
    const oras = scriptJail('import-model.sh', { standIns });
    if (!oras.jail) throw new Error(`no ORAS image jail: ${oras.skipReason}`);
    try {
      const imported = oras.jail.run(IMPORT_SCRIPT, ['import.spec', 'model-config.json', 'annotations.json'].map((k) => path.join(importDir, k)), {
        cwd: f.root,
        env: {
          FAKE_ORAS_DIR: orasDir,
          FAKE_ORAS_CREDENTIALS: 'robot$ml-models+pusher:pw',
          FAKE_ORAS_PLAIN_HTTP: 'true',
          FAKE_WGET_DIR: wgetDir,
          FAKE_SLEEP_LOG: f.sleepLog,
          REGISTRY_CREDENTIALS_DIR: credentials,
          IMPORT_SCRATCH_DIR: f.scratch,
          IMPORT_SECRET_DIR: path.join(f.root, 'secret'),
        },
      });
      expect(imported.stderr).toBe('');
      expect(imported.status).toBe(0);
      expect(imported.stdout).toContain(`verified gated.gguf: sha256:${sha256(weight)}`);
      expect(fs.existsSync(path.join(wgetDir, 'calls'))).toBe(false);
      const manifest = JSON.parse(fs.readFileSync(path.join(orasDir, 'manifests', `${encodeURIComponent('harbor.harbor.svc/ml-models/gated:v1')}.json`), 'utf8'));
      expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual([`sha256:${sha256(weight)}`]);
    } finally {
      oras.jail.remove();
    }
  });
});

/**
 * The platform's data path as the tests drive it: a registry behind a counting proxy, the model
 * import Job's script and the real oras as a client. Each runs what `synthesizeE2ePlatform` writes,
 * with only hosts and mount paths remapped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RunOptions, ScriptRun, imagePath, orasImagePath, runProgram, runScript, start, tempDir, tool, waitUntil } from './harness';
import { ModelHub } from './hub';
import { E2ePlatformOptions, ExtraFile, TEST_MODEL, findObject, plainEnv, synthesizeE2ePlatform, writeConfigMap } from './platform';
import { CountingProxy, Registry, htpasswdLine, startRegistry } from './registry';
import { testPki } from '../test/test-pki';

/** One robot for push and pull: the registry here has no projects or robots of its own. */
export const ROBOT = 'robot$ml-models+model-import';
export const ROBOT_PASSWORD = 'Pu5h-Robot"pass$word';

/** A registry and the counting proxy every client reaches it through. */
export interface Target {
  readonly registry: Registry;
  readonly proxy: CountingProxy;
}

export async function startTarget(name: string): Promise<Target> {
  const registry = await startRegistry({ htpasswdLine: htpasswdLine(ROBOT, ROBOT_PASSWORD), name });
  return { registry, proxy: await CountingProxy.start(registry.host) };
}

/** The gated Hub of the unit tests' download-model.sh test, served here over the test model. */
const GATED_HUB_SERVER = path.join(__dirname, '..', 'test', 'models', 'fixtures', 'gated-file-server.js');

let orasImageBin: string | undefined;

/** PATH of the ORAS image: the real oras and busybox 1.37's applets. */
export function orasImageBinDir(): string {
  orasImageBin = orasImageBin ?? orasImagePath();
  return orasImageBin;
}

let curlImageBin: string | undefined;

/**
 * PATH of the curl image: curl and busybox 1.37's applets. curl is the host's (Debian's 7.88; the
 * image has 8.21.0, built from source): both send a custom Authorization header to the first host
 * only (curl 7.58+) and support --proto-redir, -C - and --write-out as download-model.sh uses them.
 */
export function curlImageBinDir(): string {
  curlImageBin = curlImageBin ?? imagePath({ curl: '/usr/bin/curl' });
  return curlImageBin;
}

/** A Secret volume with the robot's `username` and `password`. */
export function robotCredentials(): string {
  const dir = tempDir('robot');
  fs.writeFileSync(path.join(dir, 'username'), ROBOT);
  fs.writeFileSync(path.join(dir, 'password'), ROBOT_PASSWORD);
  return dir;
}

/** Serves the test model (and the extra file, if any) from the Hub stand-in. */
export function serveModel(hub: ModelHub, options: E2ePlatformOptions = {}): void {
  hub.add(TEST_MODEL.repository, TEST_MODEL.revision, TEST_MODEL.file, tool('model'));
  if (options.extraFile) {
    const file = path.join(tempDir('hub-file'), options.extraFile.name);
    fs.writeFileSync(file, options.extraFile.content);
    hub.add(TEST_MODEL.repository, TEST_MODEL.revision, options.extraFile.name, file);
  }
}

/**
 * A gated copy of the Hub for the curl init container: `origin` is the Hub (token required), which
 * redirects to its CDN on another host (see test/models/fixtures/gated-file-server.js).
 */
export interface GatedHub {
  /** `https://127.0.0.1:<port>`; files at `/gated/<name>`. */
  readonly origin: string;
  /** The token file the init container reads (the Secret key's mount). */
  readonly tokenFile: string;
  /** CA bundle for curl (CURL_CA_BUNDLE, as the curl image sets it). */
  readonly caFile: string;
}

/** A request the gated Hub saw (JSON lines of its requests.log). */
export interface GatedRequest {
  readonly server: 'hub' | 'cdn' | 'plain-cdn';
  readonly path: string;
  readonly authorization: string | null;
  readonly range: string | null;
}

/** Starts the gated Hub stand-in serving the test model (and `extra`) with `token` required. */
export async function startGatedHub(token: string, extra?: ExtraFile): Promise<GatedHub & { requests(): GatedRequest[] }> {
  const dir = tempDir('gated-hub');
  const pki = testPki(['127.0.0.1', '127.0.0.2']);
  fs.copyFileSync(pki.key, path.join(dir, 'tls.key'));
  fs.copyFileSync(pki.crt, path.join(dir, 'tls.crt'));
  fs.writeFileSync(path.join(dir, 'token'), token);
  fs.mkdirSync(path.join(dir, 'files'));
  fs.symlinkSync(tool('model'), path.join(dir, 'files', TEST_MODEL.file));
  if (extra) fs.writeFileSync(path.join(dir, 'files', extra.name), extra.content);
  const server = start('gated-hub', process.execPath, [GATED_HUB_SERVER, dir]);
  let port = 0;
  await waitUntil('the gated Hub to listen', () => {
    port = Number(/listening (\d+) \d+/.exec(server.output)?.[1] ?? 0);
    if (!server.running) throw new Error(server.tail());
    return port > 0;
  }, 10_000);
  const tokenFile = path.join(tempDir('hf-token'), 'token');
  fs.writeFileSync(tokenFile, `${token}\n`);
  const log = path.join(dir, 'requests.log');
  return {
    origin: `https://127.0.0.1:${port}`,
    tokenFile,
    caFile: pki.caCrt,
    requests: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
  };
}

/** Runs the import Job's containers with their env against `to`: the init container (if any) downloading from `gated`, the import container from `hub`. */
export async function runImport(
  to: Target, hub: ModelHub, options: E2ePlatformOptions = {}, gated?: GatedHub,
): Promise<ScriptRun & { reference: string; download?: ScriptRun }> {
  const objects = synthesizeE2ePlatform(options);
  const job = findObject(objects, 'Job', (o) => o.metadata.namespace === 'model-import');
  const container = job.spec.template.spec.containers[0];
  const configMapName = job.spec.template.spec.volumes.find((v: any) => v.configMap).configMap.name;
  const root = tempDir('import-job');
  const mount = path.join(root, 'opt-model-import');
  writeConfigMap(findObject(objects, 'ConfigMap', (o) => o.metadata.name === configMapName && o.metadata.namespace === 'model-import'), mount);
  const spec = fs.readFileSync(path.join(mount, 'import.spec'), 'utf8');
  const reference = /^reference (\S+)$/m.exec(spec)![1];
  const remapped = spec
    .replace(/^reference [^/]+\//m, `reference ${to.proxy.host}/`)
    .split('https://huggingface.co/').join(`${hub.origin}/`);
  fs.writeFileSync(path.join(mount, 'import.spec'), remapped);

  const dirs: Record<string, string> = { REGISTRY_CREDENTIALS_DIR: robotCredentials() };
  for (const key of ['IMPORT_SCRATCH_DIR', 'IMPORT_SECRET_DIR', 'HOME', 'TMPDIR']) {
    dirs[key] = path.join(root, key.toLowerCase());
    fs.mkdirSync(dirs[key]);
  }
  const local = (p: string) => path.join(mount, path.basename(p));
  // Each script is its container's command[1]; its arguments are mount paths of the ConfigMap.
  const command = (c: any): { script: string; args: string[] } => {
    const [shell, script, ...args] = c.command as string[];
    if (shell !== '/bin/sh') throw new Error(`container ${c.name} runs ${shell}, not /bin/sh`);
    return { script: local(script), args: args.map(local) };
  };
  let download: ScriptRun | undefined;
  for (const init of job.spec.template.spec.initContainers ?? []) {
    if (!gated) throw new Error(`the import Job has the init container ${init.name}: pass a gated Hub`);
    const specFile = path.join(mount, 'download.spec');
    const remappedSpec = fs.readFileSync(specFile, 'utf8').split('\n').map((line) => {
      const fields = line.split(' ');
      if (fields[0] !== 'file') return line;
      // file NAME SIZE SHA256 TOKEN_FILE URL: the Secret's mount and the Hub are local here.
      return [...fields.slice(0, 4), gated.tokenFile, `${gated.origin}/gated/${fields[1]}`].join(' ');
    }).join('\n');
    fs.writeFileSync(specFile, remappedSpec);
    const { script, args } = command(init);
    const env = { ...plainEnv(init), ...dirs, CURL_CA_BUNDLE: gated.caFile, PATH: curlImageBinDir() };
    download = await runScript(script, args, env, { timeoutMs: 300_000 });
    if (download.status !== 0) return { ...download, reference, download };
  }
  const { script, args } = command(container);
  const run = await runScript(script, args, { ...plainEnv(container), ...dirs, PATH: orasImageBinDir() }, { timeoutMs: 300_000 });
  return { ...run, reference: `${to.proxy.host}/${reference.split('/').slice(1).join('/')}`, download };
}

/** Imports and throws with the script's output when it fails. */
export async function importModel(to: Target, hub: ModelHub, options: E2ePlatformOptions = {}): Promise<ScriptRun & { reference: string }> {
  const run = await runImport(to, hub, options);
  if (run.status !== 0) throw new Error(`import failed (${run.status}):\n${run.stdout}\n${run.stderr}\n${to.registry.process.tail()}`);
  return run;
}

/** The real oras as a client, logged in as the robot; the reference is its last argument. */
export async function oras(...args: string[]): Promise<ScriptRun> {
  return orasAs({ name: ROBOT, password: ROBOT_PASSWORD }, args[args.length - 1].split('/')[0], args);
}

/** The real oras logged in to `host` as `user` (a fresh client config), plain HTTP. */
export async function orasAs(
  user: { name: string; password: string }, host: string, args: string[], options: { timeoutMs?: number; cwd?: string } = {},
): Promise<ScriptRun> {
  const config = path.join(tempDir('oras-client'), 'config.json');
  const login = await runProgram(tool('oras'), ['login', '--plain-http', '--registry-config', config, '-u', user.name, '--password-stdin', host], { input: user.password, timeoutMs: 30_000 });
  if (login.status !== 0) throw new Error(`oras login ${host} failed: ${login.stderr}`);
  return runProgram(tool('oras'), [...args, '--plain-http', '--registry-config', config], { timeoutMs: options.timeoutMs ?? 60_000, cwd: options.cwd });
}

/** The model-cache init container of the inference Deployment, with its script's ConfigMap. */
export function modelCacheContainer(objects: any[]): { container: any; deployment: any; script: string } {
  const deployment = findObject(objects, 'Deployment', (o) => o.metadata.namespace === 'ai-inference');
  const container = deployment.spec.template.spec.initContainers.find((c: any) => c.command?.some((w: string) => w.endsWith('/model-cache.sh')));
  if (!container) throw new Error('the inference Deployment has no model-cache init container');
  const scriptMount = container.volumeMounts.find((m: any) => container.command.some((w: string) => w.startsWith(`${m.mountPath}/`)));
  const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === scriptMount.name);
  const configMap = findObject(objects, 'ConfigMap', (o) => o.metadata.name === volume.configMap.name && o.metadata.namespace === 'ai-inference');
  return { container, deployment, script: configMap.data['model-cache.sh'] };
}

export interface CacheRunOptions extends E2ePlatformOptions {
  /** Called with the running script (started in its own process group). */
  readonly onStart?: RunOptions['onStart'];
}

/**
 * Runs the inference Deployment's model-cache init container (command and env as synthesized)
 * against `from` with `cacheDir` as the cache volume.
 */
export async function runModelCache(from: Target, cacheDir: string, options: CacheRunOptions = {}): Promise<ScriptRun> {
  const { container, script } = modelCacheContainer(synthesizeE2ePlatform(options));
  const [shell, scriptPath] = container.command as string[];
  if (shell !== '/bin/sh' || container.command.length !== 2) throw new Error(`unexpected init container command ${container.command.join(' ')}`);
  const scriptFile = path.join(tempDir('model-cache-script'), path.basename(scriptPath));
  fs.writeFileSync(scriptFile, script);
  const work = tempDir('model-cache-work');
  const env = {
    ...plainEnv(container),
    CACHE_DIR: cacheDir,
    MODEL_REGISTRY: from.proxy.host,
    REGISTRY_CREDENTIALS_DIR: robotCredentials(),
    WORK_DIR: work,
    HOME: work,
    PATH: orasImageBinDir(),
  };
  return runScript(scriptFile, [], env, { timeoutMs: 600_000, onStart: options.onStart, detached: true });
}

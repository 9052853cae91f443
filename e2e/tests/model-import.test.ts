/**
 * Scenario "model import" of the end-to-end tier: the synthesized ModelArtifact Job's script,
 * spec, config blob and annotation file, run under busybox sh with the real oras (v1.3.3) against
 * a real distribution registry (v3.0.0, htpasswd with a bcrypt line), downloading from a local
 * stand-in of the Hugging Face Hub. Remapped: the registry host, the Hub origin (http on loopback)
 * and the Job's mount paths; nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { modelPackValidator, MODELPACK_SCHEMA_DIR } from '../../test/models/modelpack-schema';
import { CountingProxy, Registry, htpasswdLine, orasImagePath, removeTempDirs, runProgram, runScript, startRegistry, stopAll, tempDir, tool, ScriptRun } from '../harness';
import { ModelHub } from '../hub';
import { TEST_MODEL, findObject, plainEnv, synthesizeE2ePlatform, testModelFacts, writeConfigMap } from '../platform';

jest.setTimeout(600_000);

const ROBOT = 'robot$ml-models+model-import';
const ROBOT_PASSWORD = 'Pu5h-Robot"pass$word';
const MODEL_CONFIG_TYPE = 'application/vnd.cnai.model.config.v1+json';

let hub: ModelHub;
let bin: string;
afterAll(async () => {
  await hub?.close();
  await stopAll();
  removeTempDirs();
});

beforeAll(async () => {
  hub = await ModelHub.start();
  hub.add(TEST_MODEL.repository, TEST_MODEL.revision, TEST_MODEL.file, tool('model'));
  bin = orasImagePath();
});

interface Target {
  readonly registry: Registry;
  readonly proxy: CountingProxy;
}

async function target(name: string): Promise<Target> {
  const registry = await startRegistry({ htpasswdLine: htpasswdLine(ROBOT, ROBOT_PASSWORD), name });
  return { registry, proxy: await CountingProxy.start(registry.host) };
}

/** Runs the import Job's container command with its env against `to`. */
async function runImport(to: Target, tag?: string): Promise<ScriptRun & { reference: string }> {
  const objects = synthesizeE2ePlatform({ tag });
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

  const env = plainEnv(container);
  const dirs: Record<string, string> = {};
  for (const key of ['REGISTRY_CREDENTIALS_DIR', 'IMPORT_SCRATCH_DIR', 'IMPORT_SECRET_DIR', 'HOME', 'TMPDIR']) {
    dirs[key] = path.join(root, key.toLowerCase());
    fs.mkdirSync(dirs[key]);
  }
  fs.writeFileSync(path.join(dirs.REGISTRY_CREDENTIALS_DIR, 'username'), ROBOT);
  fs.writeFileSync(path.join(dirs.REGISTRY_CREDENTIALS_DIR, 'password'), ROBOT_PASSWORD);
  // The script is the container's command[1]; its arguments are mount paths of the ConfigMap.
  const [shell, script, ...args] = container.command as string[];
  expect(shell).toBe('/bin/sh');
  const local = (p: string) => path.join(mount, path.basename(p));
  const run = await runScript(local(script), args.map(local), { ...env, ...dirs, PATH: bin }, { timeoutMs: 300_000 });
  return { ...run, reference: `${to.proxy.host}/${reference.split('/').slice(1).join('/')}` };
}

/** The real oras as a client, logged in as the robot; the reference is its last argument. */
async function oras(...args: string[]): Promise<ScriptRun> {
  const config = path.join(tempDir('oras-client'), 'config.json');
  const host = args[args.length - 1].split('/')[0];
  const login = await runProgram(tool('oras'), ['login', '--plain-http', '--registry-config', config, '-u', ROBOT, '--password-stdin', host], { input: ROBOT_PASSWORD, timeoutMs: 30_000 });
  expect(login.stderr).toBe('');
  return runProgram(tool('oras'), [...args.slice(0, -1), '--plain-http', '--registry-config', config, args[args.length - 1]], { timeoutMs: 60_000 });
}

const writes = (proxy: CountingProxy) => proxy.requests.filter((r) => /^(PUT|POST|PATCH|DELETE) /.test(r));

describe('import-model.sh with the real oras and registry', () => {
  let first: Target;
  let digest: string;

  test('imports the model: download, sha256 check, push as a CNAI artifact', async () => {
    first = await target('registry-a');
    const run = await runImport(first);
    if (run.status !== 0) throw new Error(`import failed (${run.status}):\n${run.stdout}\n${run.stderr}\n${first.registry.process.tail()}`);
    const { sha256, sizeBytes } = testModelFacts();
    expect(run.stdout).toContain(`verified ${TEST_MODEL.file}: sha256:${sha256}, ${sizeBytes} bytes`);
    // The Hub was asked once at the resolve URL and served the file from the CDN path.
    expect(hub.requests.filter((r) => r.startsWith('GET /e2e-models/'))).toHaveLength(1);
    expect(hub.bytesSent).toBe(sizeBytes);
    const resolved = await oras('resolve', run.reference);
    expect(resolved.status).toBe(0);
    digest = resolved.stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    process.stdout.write(`[e2e import] ${sizeBytes} bytes imported in ${run.ms} ms into ${run.reference} (${digest}); ` +
      `${writes(first.proxy).length} write requests\n`);
  });

  test('the manifest and config read back are a valid CNAI model artifact', async () => {
    const { sha256, sizeBytes } = testModelFacts();
    const reference = `${first.proxy.host}/ml-models/${TEST_MODEL.harborRepository}:${TEST_MODEL.tag}`;
    const manifest = JSON.parse((await oras('manifest', 'fetch', reference)).stdout);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.artifactType).toBe('application/vnd.cnai.model.manifest.v1+json');
    expect(manifest.config.mediaType).toBe(MODEL_CONFIG_TYPE);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]).toMatchObject({
      mediaType: 'application/vnd.cnai.model.weight.v1.raw',
      digest: `sha256:${sha256}`,
      size: sizeBytes,
      annotations: expect.objectContaining({ 'org.opencontainers.image.title': TEST_MODEL.file, 'org.cnai.model.filepath': TEST_MODEL.file }),
    });
    expect(manifest.annotations).toEqual(expect.objectContaining({ 'org.opencontainers.image.created': expect.any(String) }));
    const blobDir = tempDir('config-blob');
    const out = path.join(blobDir, 'config.json');
    expect((await oras('blob', 'fetch', '--output', out, `${first.proxy.host}/ml-models/${TEST_MODEL.harborRepository}@${manifest.config.digest}`)).status).toBe(0);
    const config = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(config.config).toEqual(expect.objectContaining({ format: 'gguf', architecture: 'llama', paramSize: '135M', quantization: 'Q4_1' }));
    expect(config.modelfs.diff_ids).toEqual([`sha256:${sha256}`]);
    if (!MODELPACK_SCHEMA_DIR) throw new Error('the ModelPack schemas are missing beside the repository');
    // The vnd.cnai media types are model-spec v0.0.6's, the version released Harbor parses.
    const validate = modelPackValidator(MODELPACK_SCHEMA_DIR, 'v0.0.6');
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  test('a re-run downloads and pushes nothing', async () => {
    hub.reset();
    first.proxy.reset();
    const run = await runImport(first);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('already holds this model');
    expect(hub.requests).toEqual([]);
    expect(writes(first.proxy)).toEqual([]);
    process.stdout.write(`[e2e import] re-run: ${run.ms} ms, ${first.proxy.requests.length} registry request(s), 0 writes, 0 downloads\n`);
  });

  test('the same file pushed to a second registry has the same manifest digest', async () => {
    const second = await target('registry-b');
    const run = await runImport(second);
    expect(run.status).toBe(0);
    expect((await oras('resolve', run.reference)).stdout.trim()).toBe(digest);
  });

  test('a corrupted download fails with both digests and pushes nothing', async () => {
    const third = await target('registry-c');
    const corrupted = path.join(tempDir('corrupted'), 'model.gguf');
    const bytes = fs.readFileSync(tool('model'));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = 255 - bytes[middle];
    fs.writeFileSync(corrupted, bytes);
    hub.corruptWith = corrupted;
    try {
      const run = await runImport(third);
      const { sha256 } = testModelFacts();
      expect(run.status).toBe(3);
      expect(run.stderr).toMatch(new RegExp(`sha256 mismatch for ${TEST_MODEL.file} .*expected sha256:${sha256}, got sha256:[0-9a-f]{64}`));
      expect(writes(third.proxy)).toEqual([]);
      expect((await oras('resolve', run.reference)).status).not.toBe(0);
    } finally {
      hub.corruptWith = undefined;
    }
  });
});

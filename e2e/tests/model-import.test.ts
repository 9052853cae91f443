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
import { Target, oras, runImport, serveModel, startGatedHub, startTarget } from '../flows';
import { removeTempDirs, stopAll, tempDir, tool } from '../harness';
import { ModelHub } from '../hub';
import { TEST_MODEL, testModelFacts } from '../platform';
import { CountingProxy } from '../registry';

jest.setTimeout(600_000);

const MODEL_CONFIG_TYPE = 'application/vnd.cnai.model.config.v1+json';

let hub: ModelHub;
afterAll(async () => {
  await hub?.close();
  await stopAll();
  removeTempDirs();
});

beforeAll(async () => {
  hub = await ModelHub.start();
  serveModel(hub);
});

const writes = (proxy: CountingProxy) => proxy.requests.filter((r) => /^(PUT|POST|PATCH|DELETE) /.test(r));

describe('import-model.sh with the real oras and registry', () => {
  let first: Target;
  let digest: string;

  test('imports the model: download, sha256 check, push as a CNAI artifact', async () => {
    first = await startTarget('registry-a');
    const run = await runImport(first, hub);
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
    const run = await runImport(first, hub);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('already holds this model');
    expect(hub.requests).toEqual([]);
    expect(writes(first.proxy)).toEqual([]);
    process.stdout.write(`[e2e import] re-run: ${run.ms} ms, ${first.proxy.requests.length} registry request(s), 0 writes, 0 downloads\n`);
  });

  test('the same file pushed to a second registry has the same manifest digest', async () => {
    const second = await startTarget('registry-b');
    const run = await runImport(second, hub);
    expect(run.status).toBe(0);
    expect((await oras('resolve', run.reference)).stdout.trim()).toBe(digest);
  });

  test('a corrupted download fails with both digests and pushes nothing', async () => {
    const third = await startTarget('registry-c');
    const corrupted = path.join(tempDir('corrupted'), 'model.gguf');
    const bytes = fs.readFileSync(tool('model'));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = 255 - bytes[middle];
    fs.writeFileSync(corrupted, bytes);
    hub.corruptWith = corrupted;
    try {
      const run = await runImport(third, hub);
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

describe('a gated model: the curl init container with the token, then import-model.sh with the real oras', () => {
  test('downloads with the token (sent to the Hub only, never to its CDN), pushes without downloading again', async () => {
    const token = 'hf_e2eGatedToken-0123456789';
    const gated = await startGatedHub(token);
    const target = await startTarget('registry-gated');
    hub.reset();
    const run = await runImport(target, hub, { hubToken: true }, gated);
    if (run.status !== 0) throw new Error(`gated import failed (${run.status}):\n${run.download?.stdout}\n${run.download?.stderr}\n${run.stdout}\n${run.stderr}`);
    const { sha256, sizeBytes } = testModelFacts();
    expect(run.download?.stdout).toContain(`verified ${TEST_MODEL.file}: sha256:${sha256}, ${sizeBytes} bytes`);
    expect(run.stdout).toContain(`verified ${TEST_MODEL.file}: sha256:${sha256}, ${sizeBytes} bytes`);
    // import-model.sh found the file complete: busybox wget fetched nothing.
    expect(hub.requests).toEqual([]);
    const seen = gated.requests();
    expect(seen.map((r) => `${r.server} ${r.path.replace(/\?.*/, '')}`)).toEqual([`hub /gated/${TEST_MODEL.file}`, `cdn /blob/${TEST_MODEL.file}`]);
    expect(seen.map((r) => r.authorization)).toEqual([`Bearer ${token}`, null]);
    for (const text of [run.stdout, run.stderr, run.download!.stdout, run.download!.stderr]) expect(text).not.toContain(token);
    const manifest = JSON.parse((await oras('manifest', 'fetch', run.reference)).stdout);
    expect(manifest.artifactType).toBe('application/vnd.cnai.model.manifest.v1+json');
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual([`sha256:${sha256}`]);
    process.stdout.write(`[e2e import] gated: ${sizeBytes} bytes downloaded by download-model.sh (curl) in ${run.download!.ms} ms, ` +
      `pushed by import-model.sh (oras) in ${run.ms} ms; the CDN saw no Authorization header\n`);
  });
});

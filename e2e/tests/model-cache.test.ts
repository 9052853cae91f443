/**
 * Scenario "model cache" of the end-to-end tier: the inference Deployment's model-cache init
 * container (script, command and env as synthesized; cache volume, registry host and credentials
 * remapped) under busybox 1.37 with the real oras, against a real registry holding models the
 * import Job pushed. Every registry request goes through a counting proxy, which also plays a
 * registry that refuses connections or never answers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Target, importModel, modelCacheContainer, oras, runModelCache, serveModel, startTarget } from '../flows';
import { removeTempDirs, stopAll, tempDir, waitUntil } from '../harness';
import { ModelHub } from '../hub';
import { E2ePlatformOptions, TEST_MODEL, sha256Hex, synthesizeE2ePlatform, testModelFacts } from '../platform';

jest.setTimeout(900_000);

const CARD_V1 = { name: 'README.md', content: Buffer.from('# SmolLM2 135M Instruct\n\nQ4_1 GGUF, first card.\n') };
const CARD_V2 = { name: 'README.md', content: Buffer.from('# SmolLM2 135M Instruct\n\nQ4_1 GGUF, second card: one layer changed.\n') };
const V1: E2ePlatformOptions = { tag: 'v1', extraFile: CARD_V1 };
const V2: E2ePlatformOptions = { tag: 'v2', extraFile: CARD_V2 };

let hub: ModelHub;
let target: Target;
/** The Deployment's progress deadline: the budget a start (init container included) has. */
let progressDeadlineMs: number;
let modelSha: string;

beforeAll(async () => {
  hub = await ModelHub.start();
  serveModel(hub, V1);
  target = await startTarget('registry');
  await importModel(target, hub, V1);
  serveModel(hub, V2);
  await importModel(target, hub, V2);
  progressDeadlineMs = modelCacheContainer(synthesizeE2ePlatform(V1)).deployment.spec.progressDeadlineSeconds * 1000;
  modelSha = testModelFacts().sha256;
});

afterAll(async () => {
  await hub?.close();
  await stopAll();
  removeTempDirs();
});

function servedSha(cache: string, file = TEST_MODEL.file): string {
  return sha256Hex(fs.readFileSync(path.join(cache, 'current', file)));
}

function expectOk(run: { status: number | null; stdout: string; stderr: string }): void {
  if (run.status !== 0) throw new Error(`model-cache.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

describe('model-cache.sh with the real oras and registry', () => {
  const cache = tempDir('cache');

  test('cold start pulls every layer once and serves the verified file', async () => {
    target.proxy.reset();
    const run = await runModelCache(target, cache, V1);
    expectOk(run);
    const { sizeBytes } = testModelFacts();
    expect(target.proxy.blobBytes()).toBe(sizeBytes + CARD_V1.content.length);
    expect(servedSha(cache)).toBe(modelSha);
    expect(fs.readFileSync(path.join(cache, 'current', 'README.md'))).toEqual(CARD_V1.content);
    process.stdout.write(`[e2e model-cache] cold pull: ${mb(target.proxy.blobBytes())} MB in ${run.ms} ms ` +
      `(${mb((target.proxy.blobBytes() / run.ms) * 1000)} MB/s), ${target.proxy.requests.length} registry requests\n`);
  });

  test('warm start: 0 registry requests', async () => {
    target.proxy.reset();
    const run = await runModelCache(target, cache, V1);
    expectOk(run);
    expect(run.stdout).toContain('cache hit');
    expect(target.proxy.requests).toEqual([]);
    process.stdout.write(`[e2e model-cache] warm start: ${run.ms} ms, 0 registry requests\n`);
  });

  test('a new tag with one changed layer pulls only that layer', async () => {
    target.proxy.reset();
    const run = await runModelCache(target, cache, V2);
    expectOk(run);
    expect(target.proxy.blobBytes()).toBe(CARD_V2.content.length);
    expect(fs.readFileSync(path.join(cache, 'current', 'README.md'))).toEqual(CARD_V2.content);
    expect(servedSha(cache)).toBe(modelSha);
    process.stdout.write(`[e2e model-cache] new tag: ${target.proxy.blobBytes()} blob bytes pulled in ${run.ms} ms\n`);
  });

  test('rolling back to the previous tag pulls nothing', async () => {
    target.proxy.reset();
    const run = await runModelCache(target, cache, V1);
    expectOk(run);
    expect(target.proxy.blobBytes()).toBe(0);
    expect(target.proxy.requests).toEqual([]);
    expect(fs.readFileSync(path.join(cache, 'current', 'README.md'))).toEqual(CARD_V1.content);
  });
});

/** Flips one byte of a blob in the registry's own storage (the registry serves it as is); again to undo. */
function flipStoredByte(hex: string, offset: number): void {
  const data = path.join(target.registry.root, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  const fd = fs.openSync(data, 'r+');
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, offset);
  byte[0] = 255 - byte[0];
  fs.writeSync(fd, byte, 0, 1, offset);
  fs.closeSync(fd);
}

describe('bytes from the registry that do not match their digest', () => {
  test('a manifest is refused: oras checks its digest (fetched by tag)', async () => {
    const resolved = await oras('resolve', `${target.registry.host}/ml-models/${TEST_MODEL.harborRepository}:${V1.tag}`);
    const hex = resolved.stdout.trim().slice('sha256:'.length);
    // Still a valid manifest (the registry parses it before serving), but other bytes: a space more.
    const data = path.join(target.registry.root, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const original = fs.readFileSync(data);
    fs.writeFileSync(data, Buffer.concat([Buffer.from('{ '), original.subarray(1)]));
    const cache = tempDir('cache-tampered-manifest');
    try {
      const run = await runModelCache(target, cache, V1);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/ERROR: cannot fetch manifest .*mismatched digest/);
      expect(fs.existsSync(path.join(cache, 'current'))).toBe(false);
    } finally {
      fs.writeFileSync(data, original);
    }
  });

  test('a blob is never served: oras checks the digest while it copies', async () => {
    const flip = () => flipStoredByte(modelSha, 5_000_000);
    const cache = tempDir('cache-tampered');
    flip();
    try {
      const run = await runModelCache(target, cache, V1);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Error: mismatched digest');
      expect(fs.existsSync(path.join(cache, 'current'))).toBe(false);
      expect(fs.readdirSync(path.join(cache, 'blobs', 'sha256'))).not.toContain(modelSha);
    } finally {
      flip();
    }
  });
});

describe('a pull killed mid-blob', () => {
  test('never leaves a servable partial file; the next start completes it', async () => {
    const cache = tempDir('cache-killed');
    let killedAt = 0;
    target.proxy.throttleBytesPerSecond = 20e6;
    try {
      const run = await runModelCache(target, cache, {
        ...V1,
        onStart: (child) => {
          const partial = () => fs.existsSync(path.join(cache, 'tmp'))
            ? fs.readdirSync(path.join(cache, 'tmp')).filter((f) => f.endsWith('.partial')).map((f) => fs.statSync(path.join(cache, 'tmp', f)).size)
            : [];
          void waitUntil('a partial blob of 10 MB', () => partial().some((size) => size > 10e6), 60_000).then(() => {
            killedAt = Math.max(...partial());
            process.kill(-child.pid!, 'SIGKILL');
          });
        },
      });
      expect(run.status).toBeNull();
    } finally {
      target.proxy.throttleBytesPerSecond = undefined;
    }
    const { sizeBytes } = testModelFacts();
    expect(killedAt).toBeGreaterThan(10e6);
    expect(killedAt).toBeLessThan(sizeBytes);
    expect(fs.existsSync(path.join(cache, 'current'))).toBe(false);
    expect(fs.readdirSync(path.join(cache, 'blobs', 'sha256'))).not.toContain(modelSha);
    const rerun = await runModelCache(target, cache, V1);
    expectOk(rerun);
    expect(servedSha(cache)).toBe(modelSha);
    expect(fs.readdirSync(path.join(cache, 'tmp'))).toEqual([]);
    process.stdout.write(`[e2e model-cache] killed at ${mb(killedAt)} of ${mb(sizeBytes)} MB: nothing servable; the next start pulled it in ${rerun.ms} ms\n`);
  });
});

describe('registry unreachable', () => {
  afterEach(() => target.proxy.setMode('forward'));

  test('refusing connections, cold cache: the start fails within the progress deadline', async () => {
    const cache = tempDir('cache-refused');
    await target.proxy.setMode('refuse');
    const run = await runModelCache(target, cache, V1);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/ERROR: cannot fetch manifest .*connection refused/);
    expect(run.ms).toBeLessThan(progressDeadlineMs);
    process.stdout.write(`[e2e model-cache] registry refusing, cold cache: failed after ${run.ms} ms (deadline ${progressDeadlineMs} ms)\n`);
  });

  describe('tag-only reference (a model already in Harbor)', () => {
    const TAG_ONLY: E2ePlatformOptions = { ...V1, existing: {} };
    const cache = tempDir('cache-tag-only');

    beforeAll(async () => expectOk(await runModelCache(target, cache, TAG_ONLY)));

    test('a warm start asks the registry which manifest the tag names', async () => {
      target.proxy.reset();
      const run = await runModelCache(target, cache, TAG_ONLY);
      expectOk(run);
      expect(target.proxy.requests.filter((r) => r.startsWith('HEAD ') || r.startsWith('GET '))).not.toEqual([]);
      expect(target.proxy.blobBytes()).toBe(0);
    });

    test('refusing connections: the last version served for the tag, with a warning', async () => {
      await target.proxy.setMode('refuse');
      const run = await runModelCache(target, cache, TAG_ONLY);
      expectOk(run);
      expect(run.stderr).toContain('WARNING: cannot resolve');
      expect(servedSha(cache)).toBe(modelSha);
      expect(run.ms).toBeLessThan(progressDeadlineMs);
      process.stdout.write(`[e2e model-cache] registry refusing, tag only: stale fallback after ${run.ms} ms\n`);
    });

    test('never answering: the stale fallback comes after the documented lookup budget', async () => {
      await target.proxy.setMode('hold');
      const run = await runModelCache(target, cache, TAG_ONLY);
      expectOk(run);
      expect(run.stderr).toContain('gave no answer within');
      const env = Object.fromEntries(modelCacheContainer(synthesizeE2ePlatform(TAG_ONLY)).container.env.map((e: any) => [e.name, Number(e.value)]));
      // FETCH_ATTEMPTS lookups of ORAS_TIMEOUT_SECONDS each, and the doubling pauses between them.
      const pauses = Array.from({ length: env.FETCH_ATTEMPTS - 1 }, (_, i) => env.RETRY_DELAY_SECONDS * 2 ** i).reduce((a, b) => a + b, 0);
      const budgetMs = (env.FETCH_ATTEMPTS * env.ORAS_TIMEOUT_SECONDS + pauses) * 1000;
      expect(run.ms).toBeGreaterThanOrEqual(budgetMs);
      expect(run.ms).toBeLessThan(budgetMs + 10_000);
      expect(run.ms).toBeLessThan(progressDeadlineMs);
      process.stdout.write(`[e2e model-cache] registry never answering, tag only: stale fallback after ${run.ms} ms ` +
        `(lookup budget ${budgetMs} ms, deadline ${progressDeadlineMs} ms)\n`);
    });
  });
});

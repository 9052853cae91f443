/**
 * Scenario "disaster recovery" of the end-to-end tier: a model cache filled by the model-cache init
 * container's script (real oras, real registry) is backed up with the real kopia (velero v1.18.1's
 * fork, the uploader of Velero's file-system backup) into the SeaweedFS `velero` bucket of
 * e2e/storage.ts, with the `bucket-velero` identity and the S3 settings of the synthesized
 * BackupStorageLocation mapped the way Velero maps them; the cache is deleted, restored into a new
 * folder, and with the registry refusing connections the script must serve the restored cache
 * without a registry request, and llama-server must answer from it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Target, importModel, modelCacheContainer, runModelCache, serveModel, startTarget } from '../flows';
import { ScriptRun, listeningAddresses, removeTempDirs, stopAll, tempDir } from '../harness';
import { ModelHub } from '../hub';
import { runKopia, veleroKopiaS3Flags } from '../kopia';
import { TEST_MODEL, sha256Hex, synthesizeE2ePlatform, testModelFacts } from '../platform';
import { chat, startLlamaServer } from '../serving';
import { SeaweedFS, alphanumeric, s3Client, startSeaweedFS } from '../storage';

jest.setTimeout(600_000);

const objects = synthesizeE2ePlatform();
const { deployment } = modelCacheContainer(objects);
/** Velero names a volume's kopia repository after the volume's namespace. */
const VOLUME_NAMESPACE = deployment.metadata.namespace;

/**
 * The repository password. Velero reads it from Secret velero-repo-credentials, key
 * repository-password, whitespace trimmed (vmware-tanzu/velero@v1.18.1:pkg/repository/keys/keys.go
 * RepoKeySelector; pkg/repository/provider/unified_repo.go getRepoPassword); upstream creates that
 * Secret with the static "static-passw0rd" when it is absent (keys.go EnsureCommonRepositoryKey).
 * The platform's secret bootstrap creates it first with 64 random alphanumerics instead, so this
 * test plays that Secret.
 */
const REPOSITORY_PASSWORD = alphanumeric(64);

let storage: SeaweedFS;
let hub: ModelHub;
let target: Target;
let cache: string;
let kopiaRoot: string;
let snapshotId = '';
let restored = '';
/** When the restore began (connect included): the start of the restore -> /health 200 figure. */
let restoreStartedAt = 0;

beforeAll(async () => {
  storage = await startSeaweedFS(objects);
  hub = await ModelHub.start();
  serveModel(hub);
  target = await startTarget('registry');
  await importModel(target, hub);
  cache = tempDir('dr-cache');
  const run = await runModelCache(target, cache);
  if (run.status !== 0) throw new Error(`model-cache.sh failed:\n${run.stdout}\n${run.stderr}`);
  kopiaRoot = tempDir('kopia');
});

afterAll(async () => {
  await hub?.close();
  await stopAll();
  removeTempDirs();
});

/** The real kopia with its own config, cache and log folders (under `kopiaRoot`). */
function kopia(...args: string[]): Promise<ScriptRun> {
  return runKopia({ root: kopiaRoot, password: REPOSITORY_PASSWORD }, ...args);
}

function kopiaWithPassword(password: string, ...args: string[]): Promise<ScriptRun> {
  return runKopia({ root: kopiaRoot, password }, ...args);
}

const kopiaS3Flags = () => veleroKopiaS3Flags(objects, storage, VOLUME_NAMESPACE);

function expectOk(what: string, run: ScriptRun): void {
  if (run.status !== 0) throw new Error(`${what} failed (${run.status}):\n${run.stdout}\n${run.stderr}\n${storage.processes.s3?.tail()}`);
}

/** Every symlink under `root`: relative path → link text. */
function links(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) out[path.relative(root, full)] = fs.readlinkSync(full);
      else if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

function treeBytes(root: string): number {
  let sum = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) sum += fs.statSync(full).size;
    }
  };
  walk(root);
  return sum;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

describe('Disaster recovery: the model cache through Velero\'s kopia and the SeaweedFS velero bucket', () => {
  let cacheLinks: Record<string, string>;

  test('the filled cache has relative links: current -> versions/.../files, files/<title> -> ../../../blobs/...', () => {
    cacheLinks = links(cache);
    expect(cacheLinks.current).toMatch(/^versions\/[0-9a-f]{64}\/files$/);
    const fileLink = `${cacheLinks.current}/${TEST_MODEL.file}`;
    expect(cacheLinks[fileLink]).toBe(`../../../blobs/sha256/${testModelFacts().sha256}`);
    expect(sha256Hex(fs.readFileSync(path.join(cache, 'current', TEST_MODEL.file)))).toBe(testModelFacts().sha256);
  });

  test('kopia creates the repository in the velero bucket with the BSL\'s settings and the bucket-velero identity', async () => {
    const create = await kopia('repository', 'create', 's3', ...kopiaS3Flags());
    expectOk('kopia repository create s3', create);
    const status = await kopia('repository', 'status');
    expectOk('kopia repository status', status);
    expect(status.stdout).toMatch(/Storage type:\s+s3/);
    process.stdout.write(`[e2e disaster-recovery] repository created (${create.ms} ms): ${kopiaS3Flags().filter((f) => !/key=/.test(f)).join(' ')}\n`);
  });

  test('the repository\'s objects are in the velero bucket under its prefix; bucket-harbor cannot reach them', async () => {
    const [listed] = await s3Client(storage, storage.credentials['bucket-harbor'], [{ op: 'list', bucket: 'velero' }]);
    expect(listed).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
    const [own] = await s3Client(storage, storage.credentials['bucket-velero'], [{ op: 'list', bucket: 'velero' }]);
    const keys = own.keys!;
    expect(keys).toContain(`kopia/${VOLUME_NAMESPACE}/kopia.repository`);
    expect(keys.filter((k) => !k.startsWith(`kopia/${VOLUME_NAMESPACE}/`))).toEqual([]);
  });

  test('snapshot create, delete the cache, snapshot restore into a new folder', async () => {
    const bytes = treeBytes(cache);
    const snap = await kopia('snapshot', 'create', cache, '--json');
    expectOk('kopia snapshot create', snap);
    const manifest = JSON.parse(snap.stdout);
    snapshotId = manifest.id;
    expect(snapshotId).toMatch(/^[0-9a-f]+$/);
    expect(manifest.rootEntry.summ.size).toBe(bytes);
    expect(manifest.rootEntry.summ.errors ?? 0).toBe(0);

    fs.rmSync(cache, { recursive: true, force: true });
    expect(fs.existsSync(cache)).toBe(false);

    // The cluster is gone with kopia's local state: a new config and cache connect from the BSL's settings.
    kopiaRoot = tempDir('kopia-after');
    // A reinstall whose Secret holds upstream's static default instead of the saved password cannot open it.
    const wrong = await kopiaWithPassword('static-passw0rd', 'repository', 'connect', 's3', ...kopiaS3Flags());
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/invalid repository password/);
    restoreStartedAt = Date.now();
    const connect = await kopia('repository', 'connect', 's3', ...kopiaS3Flags());
    expectOk('kopia repository connect s3', connect);
    restored = path.join(tempDir('dr-restored'), 'cache');
    // Velero's restore writes through the same kopia FilesystemOutput as this CLI, symlinks included
    // (vmware-tanzu/velero@v1.18.1:pkg/uploader/kopia/snapshot.go Restore).
    const restore = await kopia('snapshot', 'restore', snapshotId, restored);
    expectOk('kopia snapshot restore', restore);
    expect(treeBytes(restored)).toBe(bytes);
    expect(sha256Hex(fs.readFileSync(path.join(restored, 'blobs', 'sha256', testModelFacts().sha256)))).toBe(testModelFacts().sha256);
    process.stdout.write(`[e2e disaster-recovery] snapshot ${snapshotId}: ${mb(bytes)} MB in ${snap.ms} ms ` +
      `(${mb((bytes / snap.ms) * 1000)} MB/s); connect from a fresh config ${connect.ms} ms; ` +
      `restore ${restore.ms} ms (${mb((bytes / restore.ms) * 1000)} MB/s)\n`);
  });

  test('the restored tree keeps the cache\'s relative links', () => {
    expect(links(restored)).toEqual(cacheLinks);
    expect(sha256Hex(fs.readFileSync(path.join(restored, 'current', TEST_MODEL.file)))).toBe(testModelFacts().sha256);
  });

  test('registry refusing: model-cache.sh serves the restored cache from its hit path, 0 registry requests', async () => {
    await target.proxy.setMode('refuse');
    target.proxy.reset();
    const run = await runModelCache(target, restored);
    if (run.status !== 0) throw new Error(`model-cache.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    expect(run.stdout).toContain('cache hit');
    expect(run.stdout + run.stderr).not.toContain('restoring link');
    expect(target.proxy.requests).toEqual([]);
    process.stdout.write(`[e2e disaster-recovery] model-cache.sh on the restored cache: ${run.ms} ms, 0 registry requests\n`);
  });

  test('llama-server with the synthesized args on the restored cache: /health 200 and a chat completion', async () => {
    const server = await startLlamaServer(deployment, restored);
    const healthyMs = Date.now() - restoreStartedAt;
    expect(listeningAddresses(server.process.child.pid!)).toEqual([`127.0.0.1:${server.port}`]);
    const answer = await chat(server);
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
    expect(answer.usage.completion_tokens).toBeGreaterThan(0);
    process.stdout.write(`[e2e disaster-recovery] restore started -> /health 200 in ${healthyMs} ms (connect, restore, model-cache.sh, llama-server load); llama-server alone ${server.readyMs} ms; ` +
      `${answer.usage.completion_tokens} tokens: ${JSON.stringify(answer.choices[0].message.content)}\n`);
  });

  test('every SeaweedFS server listens on 127.0.0.1 only', () => {
    for (const started of Object.values(storage.processes)) {
      expect(listeningAddresses(started.child.pid!).filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    }
  });
});

/**
 * Scenario "registry" of the end-to-end tier: Harbor's registry (distribution v2.8.3, the
 * registry-photon image's) runs with the config.yml and env `HarborModelRegistry` synthesizes for S3
 * storage on the SeaweedFS `harbor` bucket (SeaweedFS 4.53 standing in for 3.73, see e2e/storage.ts),
 * the bucket identity's keys, its Redis, and the htpasswd line and password the synthesized secret
 * bootstrap generated (bcrypt, apache2-utils' htpasswd as in goharbor/prepare). A counting proxy
 * between the registry and the S3 gateway shows the S3 calls (multipart uploads included). The real
 * oras pushes and pulls a 300 MB artifact.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { orasAs } from '../flows';
import { HARBOR_NAMESPACE, HarborRegistry, Redis, SecretValues, redisCli, runSecretBootstrap, startHarborRegistry, startRedis } from '../harbor-registry';
import { listeningAddresses, removeTempDirs, stopAll, tempDir } from '../harness';
import { synthesizeE2ePlatform } from '../platform';
import { CountingProxy } from '../registry';
import { SeaweedFS, s3Client, startSeaweedFS } from '../storage';

jest.setTimeout(600_000);

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

const objects = synthesizeE2ePlatform();
const ARTIFACT_BYTES = 300_000_000;
const REPOSITORY = 'ml-models/big-model';
const MB = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Writes `bytes` random bytes to `file` and returns their sha256. */
function randomFile(file: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  for (let left = bytes; left > 0;) {
    const chunk = randomBytes(Math.min(left, 16 * 1024 * 1024));
    hash.update(chunk);
    fs.writeSync(fd, chunk);
    left -= chunk.length;
  }
  fs.closeSync(fd);
  return hash.digest('hex');
}

describe("Harbor's registry on S3 (SeaweedFS harbor bucket) with the synthesized config", () => {
  let storage: SeaweedFS;
  let s3Proxy: CountingProxy;
  let redis: Redis;
  let secrets: SecretValues;
  let registry: HarborRegistry;

  beforeAll(async () => {
    storage = await startSeaweedFS(objects);
    s3Proxy = await CountingProxy.start(storage.s3Endpoint.replace(/^http:\/\//, ''));
    redis = await startRedis();
    secrets = await runSecretBootstrap(objects, HARBOR_NAMESPACE);
    registry = await startHarborRegistry(objects, storage, secrets, { s3Endpoint: `http://${s3Proxy.host}`, redisPort: redis.port });
  });

  test('the config keeps what Harbor sets: S3 on the harbor bucket, Redis layer cache, no redirects, htpasswd realm', () => {
    expect(registry.config.storage.s3).toMatchObject({ bucket: 'harbor', region: 'us-east-1', secure: false, v4auth: true });
    expect(registry.config.storage.cache).toEqual({ layerinfo: 'redis' });
    expect(registry.config.storage.redirect).toEqual({ disable: true });
    expect(registry.config.auth.htpasswd.realm).toBe('harbor-registry-basic-realm');
    expect(listeningAddresses(registry.process.child.pid!).every((a) => a.startsWith('127.0.0.1:'))).toBe(true);
  });

  test("the bootstrap's bcrypt htpasswd line admits the registry user with its password and nobody else", async () => {
    expect(secrets['harbor-registry-credentials'].REGISTRY_HTPASSWD).toMatch(/^harbor_registry_user:\$2y\$10\$[./A-Za-z0-9]{53}$/);
    const v2 = (user?: string, password?: string) => fetch(`http://${registry.host}/v2/`, {
      headers: user ? { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {},
    });
    const anonymous = await v2();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="harbor-registry-basic-realm"');
    expect((await v2(registry.user.name, `${registry.user.password}x`)).status).toBe(401);
    expect((await v2('admin', registry.user.password)).status).toBe(401);
    expect((await v2(registry.user.name, registry.user.password)).status).toBe(200);
  });

  test('a 300 MB artifact is pushed into the harbor bucket (multipart) and pulled back intact', async () => {
    const dir = tempDir('big-artifact');
    const sha256 = randomFile(path.join(dir, 'weights.bin'), ARTIFACT_BYTES);
    const reference = `${registry.host}/${REPOSITORY}:v1`;
    s3Proxy.reset();
    const push = await orasAs(registry.user, registry.host, ['push', reference, '--artifact-type', 'application/vnd.cnai.model.manifest.v1+json',
      'weights.bin:application/vnd.cnai.model.weight.v1.raw'], { timeoutMs: 300_000, cwd: dir });
    if (push.status !== 0) throw new Error(`oras push failed (${push.status}): ${push.stderr}\n${registry.process.tail()}`);
    const s3Calls = [...s3Proxy.requests];

    // Distribution's S3 writer uploads in parts (chunksize 10 MiB by default) and completes the upload.
    const started = s3Calls.filter((r) => /^POST \/harbor\/\S*\?uploads(=|&|$)/.test(r));
    const parts = s3Calls.filter((r) => /^PUT \/harbor\/\S*[?&]partNumber=\d+/.test(r));
    const completed = s3Calls.filter((r) => /^POST \/harbor\/\S*[?&]uploadId=/.test(r));
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(parts.length).toBeGreaterThanOrEqual(Math.floor(ARTIFACT_BYTES / (10 * 1024 * 1024)));
    expect(completed.length).toBe(started.length);
    expect(s3Calls.filter((r) => !/^[A-Z]+ \/harbor[/?]/.test(r))).toEqual([]);

    const keys = storage.credentials['bucket-harbor'];
    const blobKey = `docker/registry/v2/blobs/sha256/${sha256.slice(0, 2)}/${sha256}/data`;
    const [blob, uploads, repository] = await s3Client(storage, keys, [
      { op: 'head', bucket: 'harbor', key: blobKey },
      { op: 'list', bucket: 'harbor', prefix: `docker/registry/v2/repositories/${REPOSITORY}/_uploads/` },
      { op: 'list', bucket: 'harbor', prefix: `docker/registry/v2/repositories/${REPOSITORY}/_layers/sha256/${sha256}/` },
    ]);
    expect(blob).toMatchObject({ ok: true, size: ARTIFACT_BYTES });
    expect(uploads).toMatchObject({ ok: true, keys: [] });
    expect(repository).toMatchObject({ ok: true, keys: [`docker/registry/v2/repositories/${REPOSITORY}/_layers/sha256/${sha256}/link`] });
    // The layer info cache (storage.cache.layerinfo) is in the registry's Redis database.
    const db = String(registry.config.redis.db);
    expect(await redisCli(redis.port, '-n', db, 'EXISTS', `blobs::sha256:${sha256}`)).toBe('1');

    const out = tempDir('big-artifact-pull');
    s3Proxy.reset();
    const pull = await orasAs(registry.user, registry.host, ['pull', reference, '-o', out], { timeoutMs: 300_000 });
    if (pull.status !== 0) throw new Error(`oras pull failed (${pull.status}): ${pull.stderr}\n${registry.process.tail()}`);
    const pulled = createHash('sha256').update(fs.readFileSync(path.join(out, 'weights.bin'))).digest('hex');
    expect(pulled).toBe(sha256);
    // redirect.disable: the blob streams through the registry, read from S3 with GETs.
    const gets = s3Proxy.requests.filter((r, i) => r.startsWith(`GET /harbor/${blobKey}`) && s3Proxy.responses[i].status < 300);
    expect(gets.length).toBeGreaterThanOrEqual(1);
    process.stdout.write(`[e2e registry] push ${MB(ARTIFACT_BYTES)} MB in ${push.ms} ms (${MB(ARTIFACT_BYTES / (push.ms / 1000))} MB/s): `
      + `${s3Calls.length} S3 requests, ${started.length} multipart upload(s) of ${parts.length} parts; `
      + `pull in ${pull.ms} ms (${MB(ARTIFACT_BYTES / (pull.ms / 1000))} MB/s), ${s3Proxy.requests.length} S3 requests\n`);
  });

  test("the registry's S3 keys reach only the harbor bucket", async () => {
    const results = await s3Client(storage, storage.credentials['bucket-harbor'], [{ op: 'list', bucket: 'velero' }]);
    expect(results[0]).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
  });
});

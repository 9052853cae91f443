/**
 * End-to-end benchmark (`npm run bench:e2e`, after `npm run e2e:tools`): the platform's scripts with
 * the real oras, registry and busybox 1.37, each measured side by side with the raw operation it
 * wraps, in one run, rounds interleaved so background load hits both alike. Prints figures; the
 * goals are reported, not asserted.
 *
 * 1. cold pull: model-cache.sh (cold cache) vs a raw HTTP GET of the same blob from the same registry
 *    into a file (curl), for the 98 MB test model and a 1 GB synthetic one (BENCH_SYNTHETIC_BYTES);
 *    goal: script throughput ≥ 0.8 of raw.
 * 2. warm start: model-cache.sh on a warm cache (the registry stopped) vs `sh -c true` under the same
 *    busybox sh; the real 98 MB model and sparse 1, 10 and 70 GB files; goal: flat in size.
 * 3. import: import-model.sh (download, sha256, push) vs raw download (curl) + raw push (curl:
 *    monolithic blob upload) of the same bytes, each round into a fresh registry.
 * 4. recovery: kopia restore of the backed-up cache from the SeaweedFS `velero` bucket, model-cache.sh
 *    with the registry down, llama-server to /health 200, vs a cold pull from the registry by
 *    model-cache.sh, llama-server to /health 200 (the claim: a restored namespace starts without Harbor,
 *    in seconds).
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CacheRunOptions, ROBOT, ROBOT_PASSWORD, Target, importModel, orasAs, runModelCache, serveModel, startTarget } from './flows';
import { busybox, removeTempDirs, runProgram, stopAll, tempDir } from './harness';
import { ModelHub } from './hub';
import { runKopia, veleroKopiaS3Flags } from './kopia';
import { TEST_MODEL, synthesizeE2ePlatform, testModelFacts } from './platform';
import { startLlamaServer } from './serving';
import { alphanumeric, startSeaweedFS } from './storage';
import { seedWarmCache } from '../test/inference/fixtures/model-cache-harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HIT_RUNS = Number(process.env.BENCH_HIT_RUNS ?? 15);
const GB = 1e9;
/** Size of the synthetic model of the second cold-pull case. */
const SYNTHETIC_BYTES = Number(process.env.BENCH_SYNTHETIC_BYTES ?? GB);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mbps = (bytes: number, millis: number) => `${((bytes / millis) * 1000 / 1e6).toFixed(0)} MB/s`;
const auth = `${ROBOT}:${ROBOT_PASSWORD}`;

async function curl(args: string[]): Promise<number> {
  const run = await runProgram('curl', ['-fsS', ...args], { timeoutMs: 300_000 });
  if (run.status !== 0) throw new Error(`curl ${args.join(' ')} failed: ${run.stderr}`);
  return run.ms;
}

/** A model the cold pull measures: its blob digest and size, and how the platform names it. */
interface PullCase {
  readonly label: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly options: CacheRunOptions;
}

/**
 * A CNAI model artifact of `sizeBytes` random bytes under the test model's repository and file
 * name, tag `tag`, pushed with the real oras: the cold pull at a size where fixed costs (two oras
 * processes, auth round trips) no longer dominate.
 */
async function pushSyntheticModel(target: Target, sizeBytes: number, tag: string): Promise<PullCase> {
  const dir = tempDir('bench-synthetic');
  const file = path.join(dir, TEST_MODEL.file);
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  for (let left = sizeBytes; left > 0;) {
    const chunk = randomBytes(Math.min(left, 16 * 1024 * 1024));
    hash.update(chunk);
    fs.writeSync(fd, chunk);
    left -= chunk.length;
  }
  fs.closeSync(fd);
  const push = await orasAs({ name: ROBOT, password: ROBOT_PASSWORD }, target.registry.host, [
    'push', `${target.registry.host}/ml-models/${TEST_MODEL.harborRepository}:${tag}`,
    '--artifact-type', 'application/vnd.cnai.model.manifest.v1+json', `${TEST_MODEL.file}:application/vnd.cnai.model.weight.v1.raw`,
  ], { cwd: dir, timeoutMs: 600_000 });
  if (push.status !== 0) throw new Error(`oras push of the synthetic model failed: ${push.stderr}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return { label: `${(sizeBytes / GB).toFixed(1)} GB of random bytes, tag ${tag}`, sha256: hash.digest('hex'), sizeBytes, options: { tag, existing: {} } };
}

async function coldPull(target: Target): Promise<string[]> {
  const model = testModelFacts();
  const cases: PullCase[] = [
    { label: `the test model, ${(model.sizeBytes / 1e6).toFixed(1)} MB`, ...model, options: {} },
    await pushSyntheticModel(target, SYNTHETIC_BYTES, 'bench-synthetic'),
  ];
  const lines: string[] = [];
  for (const c of cases) {
    const script: number[] = [];
    const raw: number[] = [];
    const durable: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cache = tempDir('bench-cold');
      const run = await runModelCache(target, cache, c.options);
      if (run.status !== 0) throw new Error(`model-cache.sh failed: ${run.stderr}`);
      script.push(run.ms);
      fs.rmSync(cache, { recursive: true, force: true });
      const out = path.join(tempDir('bench-raw'), 'blob');
      raw.push(await curl(['-u', auth, '-o', out, `http://${target.proxy.host}/v2/ml-models/${TEST_MODEL.harborRepository}/blobs/sha256:${c.sha256}`]));
      // The script syncs each blob before it becomes visible (a crash must not leave a blob of the
      // right size with unwritten blocks): the same GET made durable is the like-for-like baseline.
      durable.push(raw[raw.length - 1] + (await runProgram(busybox(), ['sync', out], { timeoutMs: 120_000 })).ms);
      fs.rmSync(out);
    }
    const ratio = median(raw) / median(script);
    lines.push(
      `cold pull of ${c.label} (${ROUNDS} rounds, medians)`,
      `  model-cache.sh (manifest, blobs, oras's sha256, size, sync):  ${ms(median(script))}, ${mbps(c.sizeBytes, median(script))}`,
      `  raw HTTP GET of the same blob (curl to a file):             ${ms(median(raw))}, ${mbps(c.sizeBytes, median(raw))}`,
      `  the same GET, then sync of the file:                        ${ms(median(durable))}, ${mbps(c.sizeBytes, median(durable))}`,
      `  throughput ratio script/raw: ${ratio.toFixed(2)} (goal >= 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'}); ` +
        `script/(raw + sync): ${(median(durable) / median(script)).toFixed(2)}`,
    );
  }
  return lines;
}

async function warmStart(target: Target): Promise<string[]> {
  const realCache = tempDir('bench-warm-real');
  const first = await runModelCache(target, realCache);
  if (first.status !== 0) throw new Error(`model-cache.sh failed: ${first.stderr}`);
  await target.registry.process.stop();
  await target.proxy.setMode('refuse');
  const cases: { label: string; run: () => Promise<number> }[] = [
    { label: 'sh -c true', run: async () => (await runProgram(busybox(), ['sh', '-c', 'true'], { timeoutMs: 10_000 })).ms },
    { label: `${(testModelFacts().sizeBytes / GB).toFixed(2)} GB (the test model)`, run: () => hit(target, realCache, {}) },
  ];
  for (const size of [1 * GB, 10 * GB, 70 * GB]) {
    const digest = `sha256:${'0'.repeat(48)}${size.toString(16).padStart(16, '0')}`;
    const cache = tempDir('bench-warm-sparse');
    seedWarmCache(cache, {
      repositoryReference: `${target.proxy.host}/ml-models/${TEST_MODEL.harborRepository}`,
      tag: TEST_MODEL.tag,
      manifestBytes: Buffer.from(`{"sparse":${size}}`),
      layers: [{ digest, size, title: TEST_MODEL.file, write: (file) => { fs.writeFileSync(file, ''); fs.truncateSync(file, size); } }],
    });
    cases.push({ label: `${size / GB} GB (sparse file)`, run: () => hit(target, cache, { existing: { layerDigests: [digest] } }) });
  }
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < HIT_RUNS; i++) {
    for (const [n, c] of cases.entries()) times[n].push(await c.run());
  }
  const base = median(times[0]);
  const hits = times.slice(1).map(median);
  return [
    `warm start, registry down (${HIT_RUNS} runs each, interleaved, medians)`,
    ...cases.map((c, n) => `  ${c.label.padEnd(28)} ${ms(median(times[n])).padStart(7)}${n === 0 ? '' : `  (${(median(times[n]) / base).toFixed(1)}x sh -c true)`}`),
    `  spread across sizes: ${ms(Math.max(...hits) - Math.min(...hits))}`,
  ];
}

async function hit(target: Target, cache: string, options: { existing?: { layerDigests: string[] } }): Promise<number> {
  const run = await runModelCache(target, cache, options);
  if (run.status !== 0 || !run.stdout.includes('cache hit')) throw new Error(`not a cache hit (${run.status}): ${run.stdout}${run.stderr}`);
  return run.ms;
}

async function imports(hub: ModelHub): Promise<string[]> {
  const { sha256, sizeBytes } = testModelFacts();
  const script: number[] = [];
  const raw: number[] = [];
  const url = `${hub.origin}/${TEST_MODEL.repository}/resolve/${TEST_MODEL.revision}/${TEST_MODEL.file}`;
  for (let round = 0; round < ROUNDS; round++) {
    const forScript = await startTarget(`registry-import-${round}`);
    script.push((await importModel(forScript, hub)).ms);
    const forRaw = await startTarget(`registry-raw-${round}`);
    const file = path.join(tempDir('bench-raw-import'), 'model.gguf');
    let total = await curl(['-L', '-o', file, url]);
    const upload = await runProgram('curl', ['-fsS', '-u', auth, '-X', 'POST', '-D', '-', '-o', '/dev/null',
      `http://${forRaw.proxy.host}/v2/ml-models/${TEST_MODEL.harborRepository}/blobs/uploads/`], { timeoutMs: 30_000 });
    total += upload.ms;
    const location = /^location: (\S+)/im.exec(upload.stdout)?.[1];
    if (!location) throw new Error(`no upload location: ${upload.stdout}${upload.stderr}`);
    const put = location.startsWith('http') ? location : `http://${forRaw.proxy.host}${location}`;
    total += await curl(['-u', auth, '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`,
      `${put}${put.includes('?') ? '&' : '?'}digest=sha256:${sha256}`]);
    raw.push(total);
    fs.rmSync(file);
    await forScript.registry.process.stop();
    await forRaw.registry.process.stop();
  }
  const ratio = median(script) / median(raw);
  return [
    `import of ${(sizeBytes / 1e6).toFixed(1)} MB (${ROUNDS} rounds, fresh registry each, medians)`,
    `  import-model.sh (lookup, download, sha256, oras push, read back): ${ms(median(script))}`,
    `  raw download (curl) + raw blob push (curl, monolithic upload):   ${ms(median(raw))}`,
    `  time ratio script/raw: ${ratio.toFixed(2)}`,
  ];
}

async function recovery(target: Target): Promise<string[]> {
  const objects = synthesizeE2ePlatform();
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === 'ai-inference');
  const storage = await startSeaweedFS(objects);
  const repository = { root: tempDir('bench-kopia'), password: alphanumeric(64) };
  const kopia = async (...args: string[]) => {
    const run = await runKopia(repository, ...args);
    if (run.status !== 0) throw new Error(`kopia ${args.slice(0, 2).join(' ')} failed: ${run.stderr}`);
    return run;
  };
  const flags = veleroKopiaS3Flags(objects, storage);
  await kopia('repository', 'create', 's3', ...flags);
  const source = tempDir('bench-backed-up');
  if ((await runModelCache(target, source)).status !== 0) throw new Error('model-cache.sh failed');
  const snapshot = JSON.parse((await kopia('snapshot', 'create', source, '--json')).stdout).id;
  const restoreMs: number[] = [];
  const pullMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await target.proxy.setMode('refuse');
    const restored = tempDir('bench-restored');
    const t0 = Date.now();
    await kopia('snapshot', 'restore', snapshot, restored);
    if ((await runModelCache(target, restored)).status !== 0) throw new Error('model-cache.sh on the restored cache failed');
    const fromRestore = await startLlamaServer(deployment, restored);
    restoreMs.push(Date.now() - t0);
    await fromRestore.process.stop();
    await target.proxy.setMode('forward');
    const cold = tempDir('bench-cold-start');
    const t1 = Date.now();
    if ((await runModelCache(target, cold)).status !== 0) throw new Error('model-cache.sh failed');
    const fromPull = await startLlamaServer(deployment, cold);
    pullMs.push(Date.now() - t1);
    await fromPull.process.stop();
    fs.rmSync(restored, { recursive: true, force: true });
    fs.rmSync(cold, { recursive: true, force: true });
  }
  const gb = testModelFacts().sizeBytes / GB;
  return [
    `recovery to /health 200 of the ${(gb * 1000).toFixed(0)} MB model (${ROUNDS} rounds, medians)`,
    `  kopia restore from the velero bucket, model-cache.sh (registry down), llama-server: ${ms(median(restoreMs))}`,
    `  cold pull from the registry by model-cache.sh, llama-server:                        ${ms(median(pullMs))}`,
    `  ratio restore/pull: ${(median(restoreMs) / median(pullMs)).toFixed(2)} (both include the same llama-server start; the registry here is on loopback)`,
  ];
}

async function main(): Promise<void> {
  const hub = await ModelHub.start();
  serveModel(hub);
  const target = await startTarget('registry');
  await importModel(target, hub);
  const lines = [
    'bench:e2e: the platform scripts with the real oras v1.3.3, distribution registry v3.0.0 and busybox 1.37 on 127.0.0.1',
    `  load average at start: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    '',
    ...(await coldPull(target)),
    '',
    ...(await imports(hub)),
    '',
    ...(await recovery(target)),
    '',
    ...(await warmStart(target)),
  ];
  await hub.close();
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    removeTempDirs();
  });

/**
 * Scenario "storage" of the end-to-end tier: SeaweedFS master, volume server, filer and S3 gateway
 * run as local processes with the command lines and env of the synthesized StatefulSets and
 * Deployment; the bucket Job's create-buckets.sh and the S3 gateway's build-identities.sh (init
 * container) run under busybox sh with the real `weed` on PATH; a real S3 client (boto3) then
 * checks what each generated identity may do.
 *
 * The `weed` is SeaweedFS 4.53, not the 3.73 the library pins: the Go module proxy serves no 3.73
 * (e2e/install-tools.sh). Remapped: hosts (to 127.0.0.1), ports (free ones), mount paths (temp
 * dirs); nothing else. 4.53 differs where this shows: its S3 gateway also listens on 8181 (Iceberg
 * REST catalog, since 4.09) and 9101 (Lance, since 4.43), fixed ports that 3.73 does not open.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Started, imagePath, listeningAddresses, removeTempDirs, runProgram, runScript, start, stopAll, tempDir, tool, waitUntil } from '../harness';
import { findObject, plainEnv, synthesizeE2ePlatform, writeConfigMap } from '../platform';

jest.setTimeout(600_000);

const NAMESPACE = 'seaweedfs';

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

/** A port free on 127.0.0.1; with `grpc`, port + 10000 is free too (weed's gRPC port convention). */
async function freeLoopbackPort(grpc = false): Promise<number> {
  const free = (port: number) => new Promise<boolean>((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (await free(port) && (!grpc || await free(port + 10_000))) return port;
  }
  throw new Error('no free port pair on 127.0.0.1');
}

/** How one synthesized container runs locally: its ports and mount paths mapped, the cluster's hosts too. */
interface Remap {
  readonly ports: Record<number, number>;
  readonly mounts: Record<string, string>;
  readonly hosts: Record<string, string>;
}

function remapValue(value: string, remap: Remap): string {
  let out = value;
  for (const [from, to] of Object.entries(remap.hosts)) out = out.split(from).join(to);
  const mount = Object.keys(remap.mounts).sort((a, b) => b.length - a.length).find((m) => out === m || out.startsWith(`${m}/`));
  if (mount) out = remap.mounts[mount] + out.slice(mount.length);
  return out;
}

/** `-ip`/`-ip.bind` become 127.0.0.1, `-port`/`-metricsPort` a free port, hosts and mount paths their local ones. */
function remapArg(arg: string, remap: Remap): string {
  const flag = /^-([A-Za-z.]+)=(.*)$/.exec(arg);
  if (!flag) return arg;
  const [, name, value] = flag;
  if (name === 'ip' || name === 'ip.bind') return `-${name}=127.0.0.1`;
  if (name === 'port' || name === 'metricsPort') {
    const port = remap.ports[Number(value)];
    if (!port) throw new Error(`no local port for ${arg}`);
    return `-${name}=${port}`;
  }
  return `-${name}=${remapValue(value, remap)}`;
}

/** Only hosts, ports and paths change; an arg that still names the cluster is an error of the remap. */
function remapArgs(args: string[], remap: Remap): string[] {
  return args.map((arg) => {
    const out = remapArg(arg, remap);
    if (/\.svc|\$\(|0\.0\.0\.0/.test(out)) throw new Error(`argument ${arg} still names the cluster after remapping: ${out}`);
    return out;
  });
}

function remapEnv(container: any, remap: Remap): Record<string, string> {
  const env = Object.fromEntries(Object.entries(plainEnv(container)).map(([k, v]) => [k, remapValue(v, remap)]));
  for (const [k, v] of Object.entries(env)) {
    if (/\.svc/.test(v)) throw new Error(`env ${k}=${v} still names the cluster after remapping`);
  }
  return env;
}

/** Mount paths of a container, each a fresh folder under `root`. */
function localMounts(container: any, root: string): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) {
    mounts[m.mountPath] = path.join(root, m.mountPath.replace(/^\//, '').replace(/\//g, '_'));
    fs.mkdirSync(mounts[m.mountPath], { recursive: true });
  }
  return mounts;
}

const alphanumeric = (n: number) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join('');
};

interface S3Result {
  readonly op: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly code?: string;
  readonly body?: string;
  readonly keys?: string[];
  readonly buckets?: string[];
}

interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

const objects = synthesizeE2ePlatform();
const inNamespace = (o: any) => o.metadata.namespace === NAMESPACE;
const workload = (kind: string, name: string) => findObject(objects, kind, (o) => inNamespace(o) && o.metadata.name === name);
const onlyContainer = (o: any, name: string) => {
  const found = o.spec.template.spec.containers.filter((c: any) => c.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('SeaweedFS with the synthesized command lines (weed 4.53 standing in for 3.73)', () => {
  const master = onlyContainer(workload('StatefulSet', 'seaweedfs-master'), 'master');
  const volume = onlyContainer(workload('StatefulSet', 'seaweedfs-volume'), 'volume');
  const filer = onlyContainer(workload('StatefulSet', 'seaweedfs-filer'), 'filer');
  const s3Deployment = workload('Deployment', 'seaweedfs-s3');
  const s3 = onlyContainer(s3Deployment, 's3');
  const bucketJob = findObject(objects, 'Job', (o) => inNamespace(o) && o.metadata.name.startsWith('seaweedfs-buckets-'));
  const scripts = findObject(objects, 'ConfigMap', (o) => inNamespace(o) && o.metadata.name === 'seaweedfs-scripts');
  const identitiesSpec = findObject(objects, 'ConfigMap', (o) => inNamespace(o) && o.metadata.name === 'seaweedfs-s3-identities');
  const buckets = plainEnv(bucketJob.spec.template.spec.containers[0]).BUCKETS.split(' ');

  const hosts: Record<string, string> = {};
  const processes: Record<string, Started> = {};
  const credentials: Record<string, Credentials> = {};
  let s3Endpoint = '';
  let weedPath = '';

  /** Starts one synthesized server container; resolves when its readinessProbe's URL answers 200. */
  async function startServer(name: string, container: any, ports: Record<number, number>, mounts: Record<string, string>): Promise<number> {
    expect(container.command).toEqual(['/usr/bin/weed']);
    const remap = { ports, mounts, hosts };
    const args = remapArgs(container.args, remap);
    const env = { PATH: process.env.PATH!, HOME: mounts['/tmp'], TMPDIR: mounts['/tmp'], ...remapEnv(container, remap) };
    // The image's WORKDIR is /data, the data volume.
    processes[name] = start(name, tool('weed'), args, env, mounts['/data'] ?? mounts['/tmp']);
    const probe = container.readinessProbe.httpGet;
    const url = `http://127.0.0.1:${ports[probe.port]}${probe.path}`;
    return waitUntil(`${name} readiness (${url})`, async () => {
      if (!processes[name].running) throw new Error(`${name} exited (weed ${args.join(' ')}):\n${processes[name].tail()}`);
      return fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    }, 60_000, 200);
  }

  const serverMounts = (name: string, container: any) => localMounts(container, tempDir(`seaweedfs-${name}`));

  test('master, volume server and filer start with the synthesized args and env and become ready', async () => {
    const masterPort = await freeLoopbackPort(true);
    const filerPort = await freeLoopbackPort(true);
    const volumePort = await freeLoopbackPort(true);
    const clusterMaster = plainEnv(master).WEED_CLUSTER_SW_MASTER;
    const clusterFiler = plainEnv(master).WEED_CLUSTER_SW_FILER;
    expect(clusterMaster).toMatch(/:9333$/);
    expect(clusterFiler).toMatch(/:8888$/);
    hosts[clusterMaster] = `127.0.0.1:${masterPort}`;
    hosts[clusterFiler] = `127.0.0.1:${filerPort}`;
    weedPath = imagePath({ weed: tool('weed') });

    const t0 = Date.now();
    const ready = await Promise.all([
      startServer('master', master, { 9333: masterPort, 9327: await freeLoopbackPort() }, serverMounts('master', master)),
      startServer('volume', volume, { 8080: volumePort, 9327: await freeLoopbackPort() }, serverMounts('volume', volume)),
      startServer('filer', filer, { 8888: filerPort, 9327: await freeLoopbackPort() }, serverMounts('filer', filer)),
    ]);
    // The volume server has registered with the master (writes need it).
    await waitUntil('the volume server registered at the master', async () => {
      const status = await fetch(`http://127.0.0.1:${masterPort}/dir/status`).then((r) => r.json(), () => undefined);
      return JSON.stringify(status ?? {}).includes(`127.0.0.1:${volumePort}`);
    }, 30_000, 200);
    process.stdout.write(`[e2e storage] master, volume, filer ready in ${Date.now() - t0} ms (${ready.join(', ')} ms)\n`);
  });

  test('the bucket Job creates the declared buckets with `weed shell`, and a re-run creates none', async () => {
    const container = bucketJob.spec.template.spec.containers[0];
    const root = tempDir('bucket-job');
    const mounts = localMounts(container, root);
    writeConfigMap(scripts, mounts['/opt/seaweedfs/scripts']);
    const env = { ...remapEnv(container, { ports: {}, mounts, hosts }), PATH: weedPath, TMPDIR: mounts['/tmp'], HOME: mounts['/tmp'] };
    const [shell, script, ...args] = container.command as string[];
    expect(shell).toBe('/bin/sh');
    const run = await runScript(remapValue(script, { ports: {}, mounts, hosts }), args, env, { timeoutMs: 300_000 });
    if (run.status !== 0) throw new Error(`create-buckets.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}\n${processes.filer.tail()}`);
    expect(buckets.sort()).toEqual(['harbor', 'velero']);
    for (const bucket of buckets) expect(run.stdout).toContain(`created bucket ${bucket}`);
    expect(run.stdout).toContain(`done: ${buckets.length} bucket(s) created, all declared buckets exist`);
    const again = await runScript(remapValue(script, { ports: {}, mounts, hosts }), args, env, { timeoutMs: 300_000 });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('done: 0 bucket(s) created, all declared buckets exist');
    process.stdout.write(`[e2e storage] buckets ${buckets.join(', ')} created in ${run.ms} ms; re-run ${again.ms} ms, 0 created\n`);
  });

  test('the identities init container writes the S3 config from the credential files; the gateway starts with it', async () => {
    const init = s3Deployment.spec.template.spec.initContainers.find((c: any) => c.name === 'identities');
    expect(init.command[0]).toBe('/bin/sh');
    const root = tempDir('s3');
    const mounts = { ...localMounts(init, root), ...localMounts(s3, root) };
    writeConfigMap(scripts, mounts['/opt/seaweedfs/scripts']);
    writeConfigMap(identitiesSpec, mounts['/opt/seaweedfs/identities']);
    const remap = { ports: {}, mounts, hosts };
    // The spec names the projected Secret's paths: remapped like every other mount path.
    const specFile = path.join(mounts['/opt/seaweedfs/identities'], 'identities.conf');
    const spec = fs.readFileSync(specFile, 'utf8');
    fs.writeFileSync(specFile, spec.split('\n').map((line) => line.split(' ').map((f) => remapValue(f, remap)).join(' ')).join('\n'));
    // The projected Secret: one folder per identity, as the secret bootstrap generates them.
    const projected = s3Deployment.spec.template.spec.volumes.find((v: any) => v.name === 'credentials').projected.sources;
    for (const source of projected) {
      for (const item of source.secret.items) {
        const [identity, key] = item.path.split('/');
        credentials[identity] ??= { accessKey: alphanumeric(20), secretKey: alphanumeric(40) };
        fs.mkdirSync(path.join(mounts['/var/run/seaweedfs/credentials'], identity), { recursive: true });
        fs.writeFileSync(path.join(mounts['/var/run/seaweedfs/credentials'], identity, key),
          key === 'AWS_ACCESS_KEY_ID' ? credentials[identity].accessKey : credentials[identity].secretKey);
      }
    }
    expect(Object.keys(credentials).sort()).toEqual(['admin', 'bucket-harbor', 'bucket-velero']);

    const [, script, ...args] = init.command as string[];
    const run = await runScript(remapValue(script, remap), args.map((a) => remapValue(a, remap)),
      { PATH: imagePath({}), TMPDIR: root }, { timeoutMs: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`build-identities: wrote 3 identities to ${remapValue('/var/run/seaweedfs/s3/identities.json', remap)}\n`);
    for (const c of Object.values(credentials)) expect(run.stdout + run.stderr).not.toContain(c.secretKey);

    // The gateway's gRPC port is its port + 10000 (3.73 and 4.53 alike).
    const s3Port = await freeLoopbackPort(true);
    const t0 = Date.now();
    const ready = await startServer('s3', s3, { 8333: s3Port, 9327: await freeLoopbackPort() }, mounts);
    s3Endpoint = `http://127.0.0.1:${s3Port}`;
    process.stdout.write(`[e2e storage] S3 gateway ready in ${Date.now() - t0} ms (probe ${ready} ms)\n`);
  });

  async function s3Client(identity: string | Credentials, operations: object[]): Promise<S3Result[]> {
    const keys = typeof identity === 'string' ? credentials[identity] : identity;
    const run = await runProgram(tool('boto3-python'), [path.join(__dirname, '..', 's3-client.py'), s3Endpoint], {
      input: JSON.stringify({ ...keys, operations }), timeoutMs: 120_000,
    });
    if (run.status !== 0) throw new Error(`s3-client.py failed (${run.status}): ${run.stderr}\n${processes.s3?.tail()}`);
    return JSON.parse(run.stdout);
  }

  const bucketOf = (identity: string) => identity.replace(/^bucket-/, '');

  test('every server listens on 127.0.0.1 only', () => {
    for (const [name, started] of Object.entries(processes)) {
      const addresses = listeningAddresses(started.child.pid!);
      process.stdout.write(`[e2e storage] ${name} listens on ${addresses.join(' ')}\n`);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    }
  });

  test.each(['bucket-velero', 'bucket-harbor'])('%s writes, reads and lists its own bucket', async (identity) => {
    const bucket = bucketOf(identity);
    const count = 5;
    const puts = Array.from({ length: count }, (_, i) => ({ op: 'put', bucket, key: `e2e/${identity}/object-${i}`, body: `${identity} ${i}` }));
    const results = await s3Client(identity, [...puts, { op: 'get', bucket, key: `e2e/${identity}/object-3` }, { op: 'list', bucket }]);
    expect(results.slice(0, count).map((r) => [r.ok, r.code])).toEqual(puts.map(() => [true, undefined]));
    expect(results[count]).toMatchObject({ ok: true, body: `${identity} 3` });
    expect(results[count + 1]).toMatchObject({ ok: true });
    expect(results[count + 1].keys).toEqual(puts.map((p) => p.key));
    process.stdout.write(`[e2e storage] ${identity}: ${count} objects written to and listed in bucket ${bucket}\n`);
  });

  test.each(['bucket-velero', 'bucket-harbor'])('%s gets 403 AccessDenied on every other bucket', async (identity) => {
    const others = buckets.filter((b) => b !== bucketOf(identity));
    expect(others.length).toBeGreaterThan(0);
    const operations = others.flatMap((bucket) => [
      { op: 'put', bucket, key: `e2e/${identity}/intruder`, body: 'x' },
      { op: 'get', bucket, key: `e2e/bucket-${bucket}/object-0` },
      { op: 'list', bucket },
    ]);
    const results = await s3Client(identity, operations);
    expect(results.map((r) => `${r.op} ${r.bucket}: ${r.status} ${r.code}`)).toEqual(operations.map((o) => `${o.op} ${o.bucket}: 403 AccessDenied`));
  });

  test('a wrong secret key or an unknown access key gets 403 on every bucket', async () => {
    const operations = buckets.map((bucket) => ({ op: 'list', bucket }));
    const wrongSecret = await s3Client({ ...credentials['bucket-velero'], secretKey: alphanumeric(40) }, operations);
    expect(wrongSecret.map((r) => `${r.bucket}: ${r.status} ${r.code}`)).toEqual(buckets.map((b) => `${b}: 403 SignatureDoesNotMatch`));
    const unknown = await s3Client({ accessKey: alphanumeric(20), secretKey: alphanumeric(40) }, operations);
    expect(unknown.map((r) => `${r.bucket}: ${r.status} ${r.code}`)).toEqual(buckets.map((b) => `${b}: 403 InvalidAccessKeyId`));
  });

  test('admin lists every bucket and sees every object; nothing was written by a denied identity', async () => {
    const results = await s3Client('admin', [{ op: 'list-buckets' }, ...buckets.map((bucket) => ({ op: 'list', bucket }))]);
    expect(results[0].buckets).toEqual(expect.arrayContaining(buckets));
    const counts = buckets.map((bucket, i) => {
      const keys = results[i + 1].keys!;
      expect(keys.filter((k) => k.endsWith('/intruder'))).toEqual([]);
      expect(keys).toHaveLength(5);
      return `${bucket}: ${keys.length}`;
    });
    process.stdout.write(`[e2e storage] objects per bucket (admin's listing): ${counts.join(', ')}\n`);
  });
});

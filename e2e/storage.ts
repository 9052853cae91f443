/**
 * The SeaweedFS stack of the end-to-end tier: master, volume server, filer and S3 gateway run as
 * local processes with the command lines and env of the synthesized StatefulSets and Deployment;
 * the bucket Job's create-buckets.sh and the S3 gateway's build-identities.sh (init container) run
 * under busybox sh with the real `weed` on PATH.
 *
 * The `weed` is SeaweedFS 4.53, not the 3.73 the library pins: the Go module proxy serves no 3.73
 * (e2e/install-tools.sh). Remapped: hosts (to 127.0.0.1), ports (free ones), mount paths (temp
 * dirs); nothing else. 4.53 differs where this shows: its S3 gateway also listens on 8181 (Iceberg
 * REST catalog, since 4.09) and 9101 (Lance, since 4.43), fixed ports that 3.73 does not open.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ScriptRun, Started, freePort, freePortPair, imagePath, runProgram, runScript, start, tempDir, tool, waitUntil } from './harness';
import { findObject, plainEnv, writeConfigMap } from './platform';

export const SEAWEEDFS_NAMESPACE = 'seaweedfs';

/** How one synthesized container runs locally: its ports and mount paths mapped, the cluster's hosts too. */
export interface Remap {
  readonly ports: Record<number, number>;
  readonly mounts: Record<string, string>;
  readonly hosts: Record<string, string>;
}

export function remapValue(value: string, remap: Remap): string {
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
export function remapArgs(args: string[], remap: Remap): string[] {
  return args.map((arg) => {
    const out = remapArg(arg, remap);
    if (/\.svc|\$\(|0\.0\.0\.0/.test(out)) throw new Error(`argument ${arg} still names the cluster after remapping: ${out}`);
    return out;
  });
}

export function remapEnv(container: any, remap: Remap): Record<string, string> {
  const env = Object.fromEntries(Object.entries(plainEnv(container)).map(([k, v]) => [k, remapValue(v, remap)]));
  for (const [k, v] of Object.entries(env)) {
    if (/\.svc/.test(v)) throw new Error(`env ${k}=${v} still names the cluster after remapping`);
  }
  return env;
}

/** Mount paths of a container, each a fresh folder under `root`. */
export function localMounts(container: any, root: string): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) {
    mounts[m.mountPath] = path.join(root, m.mountPath.replace(/^\//, '').replace(/\//g, '_'));
    fs.mkdirSync(mounts[m.mountPath], { recursive: true });
  }
  return mounts;
}

export const alphanumeric = (n: number) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join('');
};

/** A Secret's data by the Secret's name. */
export type SecretValues = (secretName: string) => Record<string, string>;

export interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

const onlyContainer = (o: any, name: string) => {
  const found = o.spec.template.spec.containers.filter((c: any) => c.name === name);
  if (found.length !== 1) throw new Error(`${o.kind} ${o.metadata.name}: expected one container ${name}, found ${found.length}`);
  return found[0];
};

/**
 * The synthesized SeaweedFS objects and, once started, their local processes. The steps run in
 * order: `startServers`, `runBucketJob` (any number of times), `startGateway`.
 */
export class SeaweedFS {
  public readonly master: any;
  public readonly volume: any;
  public readonly filer: any;
  public readonly s3Deployment: any;
  public readonly s3: any;
  public readonly bucketJob: any;
  /** The buckets the bucket Job declares. */
  public readonly buckets: string[];
  /** Cluster host:port → local host:port. */
  public readonly hosts: Record<string, string> = {};
  public readonly processes: Record<string, Started> = {};
  /** Keys of each identity of the projected credentials Secret, as the secret bootstrap makes them. */
  public readonly credentials: Record<string, Credentials> = {};
  /** `http://127.0.0.1:<port>` once the gateway is ready. */
  public s3Endpoint = '';
  private readonly scripts: any;
  private readonly identitiesSpec: any;
  private weedPath = '';
  private bucketJobMounts?: Record<string, string>;

  constructor(objects: any[]) {
    const inNamespace = (o: any) => o.metadata.namespace === SEAWEEDFS_NAMESPACE;
    const workload = (kind: string, name: string) => findObject(objects, kind, (o) => inNamespace(o) && o.metadata.name === name);
    this.master = onlyContainer(workload('StatefulSet', 'seaweedfs-master'), 'master');
    this.volume = onlyContainer(workload('StatefulSet', 'seaweedfs-volume'), 'volume');
    this.filer = onlyContainer(workload('StatefulSet', 'seaweedfs-filer'), 'filer');
    this.s3Deployment = workload('Deployment', 'seaweedfs-s3');
    this.s3 = onlyContainer(this.s3Deployment, 's3');
    this.bucketJob = findObject(objects, 'Job', (o) => inNamespace(o) && o.metadata.name.startsWith('seaweedfs-buckets-'));
    this.scripts = findObject(objects, 'ConfigMap', (o) => inNamespace(o) && o.metadata.name === 'seaweedfs-scripts');
    this.identitiesSpec = findObject(objects, 'ConfigMap', (o) => inNamespace(o) && o.metadata.name === 'seaweedfs-s3-identities');
    this.buckets = plainEnv(this.bucketJob.spec.template.spec.containers[0]).BUCKETS.split(' ');
  }

  /** Starts master, volume server and filer; resolves when each is ready and the volume server registered. */
  public async startServers(): Promise<{ ms: number; ready: number[] }> {
    const masterPort = await freePortPair(10_000);
    const filerPort = await freePortPair(10_000);
    const volumePort = await freePortPair(10_000);
    const env = plainEnv(this.master);
    this.hosts[env.WEED_CLUSTER_SW_MASTER] = `127.0.0.1:${masterPort}`;
    this.hosts[env.WEED_CLUSTER_SW_FILER] = `127.0.0.1:${filerPort}`;
    this.weedPath = imagePath({ weed: tool('weed') });

    const t0 = Date.now();
    const ready = await Promise.all([
      this.startServer('master', this.master, { 9333: masterPort, 9327: await freePort() }, this.serverMounts('master', this.master)),
      this.startServer('volume', this.volume, { 8080: volumePort, 9327: await freePort() }, this.serverMounts('volume', this.volume)),
      this.startServer('filer', this.filer, { 8888: filerPort, 9327: await freePort() }, this.serverMounts('filer', this.filer)),
    ]);
    // The volume server has registered with the master (writes need it).
    await waitUntil('the volume server registered at the master', async () => {
      const status = await fetch(`http://127.0.0.1:${masterPort}/dir/status`).then((r) => r.json(), () => undefined);
      return JSON.stringify(status ?? {}).includes(`127.0.0.1:${volumePort}`);
    }, 30_000, 200);
    return { ms: Date.now() - t0, ready };
  }

  /** Runs the bucket Job's container command (create-buckets.sh with `weed shell`); the caller judges the run. */
  public async runBucketJob(): Promise<ScriptRun> {
    const container = this.bucketJob.spec.template.spec.containers[0];
    if (!this.bucketJobMounts) {
      this.bucketJobMounts = localMounts(container, tempDir('bucket-job'));
      writeConfigMap(this.scripts, this.bucketJobMounts['/opt/seaweedfs/scripts']);
    }
    const mounts = this.bucketJobMounts;
    const env = { ...remapEnv(container, { ports: {}, mounts, hosts: this.hosts }), PATH: this.weedPath, TMPDIR: mounts['/tmp'], HOME: mounts['/tmp'] };
    const [shell, script, ...args] = container.command as string[];
    if (shell !== '/bin/sh') throw new Error(`the bucket Job runs ${shell}, not /bin/sh`);
    return runScript(remapValue(script, { ports: {}, mounts, hosts: this.hosts }), args, env, { timeoutMs: 300_000 });
  }

  /**
   * Writes the projected credentials Secret, runs the identities init container and starts the
   * gateway with the file it wrote. The keys are fresh per identity, or read with `secretValues`
   * (a Secret's name → its data) from the Secrets the secret bootstrap created.
   */
  public async startGateway(secretValues?: SecretValues): Promise<{ identities: ScriptRun; identitiesFile: string; ms: number; probeMs: number }> {
    const init = this.s3Deployment.spec.template.spec.initContainers.find((c: any) => c.name === 'identities');
    if (init.command[0] !== '/bin/sh') throw new Error(`the identities init container runs ${init.command[0]}, not /bin/sh`);
    const root = tempDir('s3');
    const mounts = { ...localMounts(init, root), ...localMounts(this.s3, root) };
    writeConfigMap(this.scripts, mounts['/opt/seaweedfs/scripts']);
    writeConfigMap(this.identitiesSpec, mounts['/opt/seaweedfs/identities']);
    const remap = { ports: {}, mounts, hosts: this.hosts };
    // The spec names the projected Secret's paths: remapped like every other mount path.
    const specFile = path.join(mounts['/opt/seaweedfs/identities'], 'identities.conf');
    const spec = fs.readFileSync(specFile, 'utf8');
    fs.writeFileSync(specFile, spec.split('\n').map((line) => line.split(' ').map((f) => remapValue(f, remap)).join(' ')).join('\n'));
    // The projected Secret: one folder per identity, as the secret bootstrap generates them.
    const projected = this.s3Deployment.spec.template.spec.volumes.find((v: any) => v.name === 'credentials').projected.sources;
    for (const source of projected) {
      for (const item of source.secret.items) {
        const [identity, key] = item.path.split('/');
        if (secretValues) {
          const data = secretValues(source.secret.name);
          this.credentials[identity] = { accessKey: data.AWS_ACCESS_KEY_ID, secretKey: data.AWS_SECRET_ACCESS_KEY };
        }
        this.credentials[identity] ??= { accessKey: alphanumeric(20), secretKey: alphanumeric(40) };
        fs.mkdirSync(path.join(mounts['/var/run/seaweedfs/credentials'], identity), { recursive: true });
        fs.writeFileSync(path.join(mounts['/var/run/seaweedfs/credentials'], identity, key),
          key === 'AWS_ACCESS_KEY_ID' ? this.credentials[identity].accessKey : this.credentials[identity].secretKey);
      }
    }

    const [, script, ...args] = init.command as string[];
    const identities = await runScript(remapValue(script, remap), args.map((a) => remapValue(a, remap)),
      { PATH: imagePath({}), TMPDIR: root }, { timeoutMs: 30_000 });
    // Where the init container writes the gateway's -config file (a mount path, remapped).
    const identitiesFile = remapValue('/var/run/seaweedfs/s3/identities.json', remap);
    if (identities.status !== 0) return { identities, identitiesFile, ms: 0, probeMs: 0 };

    // The gateway's gRPC port is its port + 10000 (3.73 and 4.53 alike).
    const s3Port = await freePortPair(10_000);
    const t0 = Date.now();
    const probeMs = await this.startServer('s3', this.s3, { 8333: s3Port, 9327: await freePort() }, mounts);
    this.s3Endpoint = `http://127.0.0.1:${s3Port}`;
    return { identities, identitiesFile, ms: Date.now() - t0, probeMs };
  }

  /** Starts one synthesized server container; resolves when its readinessProbe's URL answers 200. */
  private async startServer(name: string, container: any, ports: Record<number, number>, mounts: Record<string, string>): Promise<number> {
    if (JSON.stringify(container.command) !== JSON.stringify(['/usr/bin/weed'])) throw new Error(`${name} runs ${container.command}, not /usr/bin/weed`);
    const remap = { ports, mounts, hosts: this.hosts };
    const args = remapArgs(container.args, remap);
    const env = { PATH: process.env.PATH!, HOME: mounts['/tmp'], TMPDIR: mounts['/tmp'], ...remapEnv(container, remap) };
    // The image's WORKDIR is /data, the data volume.
    this.processes[name] = start(name, tool('weed'), args, env, mounts['/data'] ?? mounts['/tmp']);
    const probe = container.readinessProbe.httpGet;
    const url = `http://127.0.0.1:${ports[probe.port]}${probe.path}`;
    return waitUntil(`${name} readiness (${url})`, async () => {
      if (!this.processes[name].running) throw new Error(`${name} exited (weed ${args.join(' ')}):\n${this.processes[name].tail()}`);
      return fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    }, 60_000, 200);
  }

  private serverMounts(name: string, container: any): Record<string, string> {
    return localMounts(container, tempDir(`seaweedfs-${name}`));
  }
}

/**
 * The whole stack, ready: servers, the declared buckets, the gateway with every identity. Throws
 * with the failing step's output.
 */
export async function startSeaweedFS(objects: any[], secretValues?: SecretValues): Promise<SeaweedFS> {
  const stack = new SeaweedFS(objects);
  await stack.startServers();
  const buckets = await stack.runBucketJob();
  if (buckets.status !== 0) throw new Error(`create-buckets.sh failed (${buckets.status}):\n${buckets.stdout}\n${buckets.stderr}\n${stack.processes.filer.tail()}`);
  const gateway = await stack.startGateway(secretValues);
  if (gateway.identities.status !== 0) throw new Error(`build-identities.sh failed (${gateway.identities.status}):\n${gateway.identities.stdout}\n${gateway.identities.stderr}`);
  return stack;
}

/** One result of e2e/s3-client.py. */
export interface S3Result {
  readonly op: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly code?: string;
  readonly body?: string;
  readonly size?: number;
  readonly etag?: string;
  readonly keys?: string[];
  readonly buckets?: string[];
}

/** Runs S3 operations with boto3 (e2e/s3-client.py) as `keys` against the gateway. */
export async function s3Client(stack: SeaweedFS, keys: Credentials, operations: object[]): Promise<S3Result[]> {
  const run = await runProgram(tool('boto3-python'), [path.join(__dirname, 's3-client.py'), stack.s3Endpoint], {
    input: JSON.stringify({ ...keys, operations }), timeoutMs: 120_000,
  });
  if (run.status !== 0) throw new Error(`s3-client.py failed (${run.status}): ${run.stderr}\n${stack.processes.s3?.tail()}`);
  return JSON.parse(run.stdout);
}

/**
 * Harbor's registry on loopback as `HarborModelRegistry` synthesizes it for S3 storage: the registry
 * image's distribution (v2.8.3, e2e/wrappers/distribution) started as its entrypoint starts it
 * (`registry serve /etc/registry/config.yml`, goharbor/harbor@v2.14.4:make/photon/registry/entrypoint.sh)
 * with the registry ConfigMap's config.yml, the registry container's env, a Redis (Debian's
 * redis-server) and the values the synthesized secret bootstrap generates.
 *
 * Remapped, nothing else: the S3 endpoint, the Redis address, the listen and debug addresses and
 * the htpasswd path. The secret bootstrap runs against the repository's stand-in API server
 * (test/fake-kube-api.ts): the Kubernetes API is not what this tier tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { Started, freePort, runProgram, start, tempDir, tool, waitUntil } from './harness';
import { JobScript } from './job-script';
import { findObject } from './platform';
import { secretData } from './secret-bootstrap';
import { SeaweedFS } from './storage';
import { FakeKubeApi } from '../test/fake-kube-api';

export const HARBOR_NAMESPACE = 'harbor';

/** Values of every Secret a namespace's secret bootstrap created: secret name → key → value. */
export type SecretValues = Record<string, Record<string, string>>;

/**
 * Runs the namespace's secret bootstrap Job command (its ConfigMap's script and spec, under bash as
 * in goharbor/prepare) against a stand-in API server, and returns the Secrets it created.
 */
export async function runSecretBootstrap(objects: any[], namespace: string): Promise<SecretValues> {
  const job = new JobScript(objects, findObject(objects, 'Job', (o) => o.metadata.namespace === namespace && o.metadata.name.startsWith(`${namespace}-secret-bootstrap-`)));
  const dir = tempDir('secret-bootstrap');
  fs.mkdirSync(path.join(dir, 'ns', namespace), { recursive: true });
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  const api = await FakeKubeApi.start(dir);
  try {
    const env = { PATH: process.env.PATH!, BOOTSTRAP_NAMESPACE: namespace, BOOTSTRAP_WORK_DIR: work, TMPDIR: work, ...api.env() };
    const run = await runProgram('bash', job.args, { env, timeoutMs: 120_000 });
    if (run.status !== 0) throw new Error(`bootstrap-secrets.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  } finally {
    await api.stop();
  }
  const values: SecretValues = {};
  for (const file of fs.readdirSync(path.join(dir, 'ns', namespace))) {
    const secret = JSON.parse(fs.readFileSync(path.join(dir, 'ns', namespace, file), 'utf8'));
    values[secret.metadata.name] = secretData(secret);
  }
  return values;
}

/** A Redis on loopback, without persistence. */
export interface Redis {
  readonly port: number;
  readonly process: Started;
}

export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const process = start('redis', 'redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', tempDir('redis')]);
  await waitUntil(`redis on port ${port}`, async () => {
    if (!process.running) throw new Error(`redis-server exited (apt-get install redis-server)\n${process.tail()}`);
    return redisCli(port, 'PING').then((r) => r === 'PONG', () => false);
  }, 15_000);
  return { port, process };
}

/** `redis-cli` (Debian's redis-tools) against the test Redis; returns its trimmed output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const run = await runProgram('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeoutMs: 10_000 });
  if (run.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed (${run.status}; apt-get install redis-tools): ${run.stderr}`);
  return run.stdout.trim();
}

/** Harbor's registry, running. */
export interface HarborRegistry {
  readonly host: string;
  readonly process: Started;
  /** The config.yml it runs with (remapped). */
  readonly config: any;
  /** The registry user's credentials from the bootstrap's Secret (core's and jobservice's login). */
  readonly user: { readonly name: string; readonly password: string };
}

/** Cluster addresses of the synthesized config and where they run here. */
export interface HarborRegistryRemap {
  /** The S3 endpoint the registry reaches the SeaweedFS gateway through (e.g. a counting proxy). */
  readonly s3Endpoint: string;
  readonly redisPort: number;
}

/**
 * Starts the registry container of the synthesized registry Deployment. Its Secret-backed env comes
 * from `secrets` (the bootstrap's) and, for the bucket's keys, from the SeaweedFS identities.
 */
export async function startHarborRegistry(
  objects: any[], storage: SeaweedFS, secrets: SecretValues, remap: HarborRegistryRemap,
): Promise<HarborRegistry> {
  const inHarbor = (o: any) => o.metadata.namespace === HARBOR_NAMESPACE;
  const deployment = findObject(objects, 'Deployment', (o) => inHarbor(o) && o.metadata.name === 'harbor-registry');
  const container = deployment.spec.template.spec.containers.find((c: any) => c.name === 'registry');
  const configMount = container.volumeMounts.find((m: any) => m.mountPath === '/etc/registry/config.yml');
  const configMapName = deployment.spec.template.spec.volumes.find((v: any) => v.name === configMount.name).configMap.name;
  const synthesized = parse(findObject(objects, 'ConfigMap', (o) => inHarbor(o) && o.metadata.name === configMapName).data[configMount.subPath]);

  const dir = tempDir('harbor-registry');
  const port = await freePort();
  const htpasswdMount = container.volumeMounts.find((m: any) => m.mountPath === synthesized.auth.htpasswd.path);
  const htpasswdSecret = deployment.spec.template.spec.volumes.find((v: any) => v.name === htpasswdMount.name).secret;
  const htpasswdKey = htpasswdSecret.items.find((i: any) => i.path === htpasswdMount.subPath).key;
  const htpasswd = path.join(dir, 'passwd');
  fs.writeFileSync(htpasswd, `${secretValue(secrets, storage, htpasswdSecret.secretName, htpasswdKey)}\n`);

  const config = structuredClone(synthesized);
  config.storage.s3.regionendpoint = remap.s3Endpoint;
  config.redis.addr = `127.0.0.1:${remap.redisPort}`;
  config.http.addr = `127.0.0.1:${port}`;
  config.http.debug.addr = `127.0.0.1:${await freePort()}`;
  config.auth.htpasswd.path = htpasswd;
  const configFile = path.join(dir, 'config.yml');
  fs.writeFileSync(configFile, stringify(config));

  const env: Record<string, string> = { PATH: process.env.PATH!, HOME: dir };
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref ? secretValue(secrets, storage, ref.name, ref.key) : e.value;
  }
  const started = start('harbor-registry', tool('harbor-registry'), ['serve', configFile], env, dir);
  const host = `127.0.0.1:${port}`;
  await waitUntil(`Harbor's registry on ${host}`, async () => {
    if (!started.running) throw new Error(`the registry exited\n${started.tail()}`);
    return fetch(`http://${host}/`).then((r) => r.status === 200, () => false);
  }, 30_000, 100);
  const credentials = secrets['harbor-registry-credentials'];
  const name = /^([^:]+):/.exec(credentials.REGISTRY_HTPASSWD)![1];
  return { host, process: started, config, user: { name, password: credentials.REGISTRY_PASSWD } };
}

/** A Secret's value: the bootstrap's, or a SeaweedFS bucket identity's keys (`seaweedfs-bucket-<b>`). */
function secretValue(secrets: SecretValues, storage: SeaweedFS, name: string, key: string): string {
  const bucket = /^seaweedfs-(bucket-.+)$/.exec(name);
  if (bucket && storage.credentials[bucket[1]]) {
    const keys = storage.credentials[bucket[1]];
    if (key === 'AWS_ACCESS_KEY_ID') return keys.accessKey;
    if (key === 'AWS_SECRET_ACCESS_KEY') return keys.secretKey;
  }
  const value = secrets[name]?.[key];
  if (value === undefined) throw new Error(`no value for Secret ${name} key ${key}`);
  return value;
}

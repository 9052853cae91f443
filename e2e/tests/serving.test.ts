/**
 * Scenario "serving" of the end-to-end tier: the model is imported by the import Job's script and
 * pulled by the model-cache init container's script (real oras, real registry); then the real
 * llama-server (built by e2e/install-tools.sh) runs with exactly the args and env of the
 * synthesized Deployment, only the bind address, the port and the cache volume's mount path
 * remapped (127.0.0.1, a free port, the cache folder: the model is read through its `current` link).
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { importModel, modelCacheContainer, runModelCache, serveModel, startTarget } from '../flows';
import { freePort, removeTempDirs, stopAll, tempDir, tool } from '../harness';
import { ModelHub } from '../hub';
import { TEST_MODEL, synthesizeE2ePlatform } from '../platform';

jest.setTimeout(180_000);

const SERVER = tool('llama-server');
const API_KEY = 'e2e-api-key-0123456789';

/** The cache volume, filled by the model-cache init container's script. */
let cache: string;

beforeAll(async () => {
  const hub = await ModelHub.start();
  serveModel(hub);
  const target = await startTarget('registry');
  await importModel(target, hub);
  await hub.close();
  cache = tempDir('serving-cache');
  const run = await runModelCache(target, cache);
  if (run.status !== 0) throw new Error(`model-cache.sh failed:\n${run.stdout}\n${run.stderr}`);
  await target.registry.process.stop();
});

/** The llama-server container of the inference Deployment (optionally with an API key). */
function serverContainer(withApiKey: boolean): { container: any; cacheMountPath: string } {
  const { deployment } = modelCacheContainer(synthesizeE2ePlatform({ apiKey: withApiKey }));
  const container = deployment.spec.template.spec.containers.find((c: any) => c.name === 'llama-server');
  const cacheVolume = deployment.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim);
  const mount = container.volumeMounts.find((m: any) => m.name === cacheVolume.name);
  expect(mount.readOnly).toBe(true);
  return { container, cacheMountPath: mount.mountPath };
}

/** Args with only host, port and the cache mount path remapped; every other flag as synthesized. */
function remap(args: string[], port: number, cacheMountPath: string): string[] {
  const out = [...args];
  const set = (flag: string, value: (old: string) => string) => {
    const i = out.indexOf(flag);
    expect(i).toBeGreaterThanOrEqual(0);
    out[i + 1] = value(out[i + 1]);
  };
  set('--host', () => '127.0.0.1');
  set('--port', () => String(port));
  set('--model', (model) => {
    expect(model).toBe(`${cacheMountPath}/current/${TEST_MODEL.file}`);
    return path.join(cache, 'current', TEST_MODEL.file);
  });
  return out;
}

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
  readonly healthStates: number[];
  readonly args: string[];
}

const started: ChildProcess[] = [];
afterAll(async () => {
  started.forEach((c) => c.kill('SIGKILL'));
  await stopAll();
  removeTempDirs();
});

/** Starts the server and polls /health until 200 (bounded), recording every status seen. */
async function start(withApiKey: boolean): Promise<Running> {
  const { container, cacheMountPath } = serverContainer(withApiKey);
  const port = await freePort();
  const args = remap(container.args, port, cacheMountPath);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const e of container.env ?? []) {
    // The only Secret-backed variable is the API key; the test plays the Secret.
    env[e.name] = e.valueFrom?.secretKeyRef ? API_KEY : e.value;
  }
  const child = spawn(SERVER, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const healthStates: number[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
    if (healthStates[healthStates.length - 1] !== status) healthStates.push(status);
    if (status === 200) return { url, child, healthStates, args };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`llama-server did not become healthy (states ${healthStates.join(' ')}):\n${log.slice(-2000)}`);
}

describe('llama-server with the synthesized args and env', () => {
  test('health goes to 200, a chat completion returns tokens, /metrics answers', async () => {
    const t0 = Date.now();
    const server = await start(false);
    const readyMs = Date.now() - t0;
    expect(server.args).toEqual(expect.arrayContaining(['--metrics', '--threads', '--cache-ram', '--ctx-size', '--parallel']));
    // 503 "Loading model" first (the HTTP server starts before the weights are loaded), then 200.
    expect(server.healthStates.filter((s) => s !== 0)).toEqual([503, 200]);
    const answer = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16, temperature: 0 }),
    }).then((r) => r.json() as Promise<any>);
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
    expect(answer.usage.completion_tokens).toBeGreaterThan(0);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^llamacpp:/m);
    process.stdout.write(`[e2e serving] health states ${server.healthStates.join(' -> ')}, ready after ${readyMs} ms, ` +
      `${answer.usage.completion_tokens} tokens: ${JSON.stringify(answer.choices[0].message.content)}\n`);
  });

  test('with an API key: the API refuses requests without it, /health stays public', async () => {
    const server = await start(true);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/models`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/models`, { headers: { Authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

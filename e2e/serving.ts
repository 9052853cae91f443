/**
 * The real llama-server with the synthesized container's args and env; only the bind address, the
 * port and the cache volume's mount path are remapped (127.0.0.1, a free port, a local cache folder).
 */
import * as path from 'path';
import { Started, freePort, start, tool } from './harness';
import { TEST_MODEL } from './platform';

export interface LlamaServer {
  readonly url: string;
  readonly process: Started;
  readonly port: number;
  /** The args it runs with (remapped). */
  readonly args: string[];
  /** Every distinct /health status seen until 200 (0: no answer yet). */
  readonly healthStates: number[];
  /** From spawn to /health 200. */
  readonly readyMs: number;
}

/** The llama-server container of the inference Deployment and its cache volume's mount. */
export function llamaServerContainer(deployment: any): { container: any; cacheMount: any } {
  const container = deployment.spec.template.spec.containers.find((c: any) => c.name === 'llama-server');
  const cacheVolume = deployment.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim);
  return { container, cacheMount: container.volumeMounts.find((m: any) => m.name === cacheVolume.name) };
}

/**
 * Starts llama-server as the Deployment runs it, the model read through `cacheDir`'s `current`
 * link, and waits (bounded) for /health 200. `secretValue` plays every Secret-backed variable.
 */
export async function startLlamaServer(deployment: any, cacheDir: string, options: { secretValue?: string } = {}): Promise<LlamaServer> {
  const { container, cacheMount } = llamaServerContainer(deployment);
  const port = await freePort();
  const args = [...container.args as string[]];
  const set = (flag: string, value: (old: string) => string) => {
    const i = args.indexOf(flag);
    if (i < 0) throw new Error(`llama-server args have no ${flag}: ${args.join(' ')}`);
    args[i + 1] = value(args[i + 1]);
  };
  set('--host', () => '127.0.0.1');
  set('--port', () => String(port));
  set('--model', (model) => {
    const expected = `${cacheMount.mountPath}/current/${TEST_MODEL.file}`;
    if (model !== expected) throw new Error(`--model is ${model}, not ${expected}`);
    return path.join(cacheDir, 'current', TEST_MODEL.file);
  });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef && options.secretValue) env[e.name] = options.secretValue;
    else throw new Error(`env ${e.name} comes from ${JSON.stringify(e.valueFrom)}: pass a value for it`);
  }
  const t0 = Date.now();
  const server = start('llama-server', tool('llama-server'), args, env);
  const url = `http://127.0.0.1:${port}`;
  const healthStates: number[] = [];
  const deadline = t0 + 60_000;
  while (Date.now() < deadline && server.running) {
    const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
    if (healthStates[healthStates.length - 1] !== status) healthStates.push(status);
    if (status === 200) return { url, process: server, port, args, healthStates, readyMs: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`llama-server did not become healthy (states ${healthStates.join(' ')}):\n${server.tail(2000)}`);
}

/** One chat completion (16 tokens at temperature 0). */
export async function chat(server: LlamaServer, headers: Record<string, string> = {}): Promise<any> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16, temperature: 0 }),
    signal: AbortSignal.timeout(60_000),
  }).then((r) => r.json() as Promise<any>);
}

/**
 * Scenario "serving" of the end-to-end tier: the model is imported by the import Job's script and
 * pulled by the model-cache init container's script (real oras, real registry); then the real
 * llama-server (built by e2e/install-tools.sh) runs with exactly the args and env of the
 * synthesized Deployment, only the bind address, the port and the cache volume's mount path
 * remapped (127.0.0.1, a free port, the cache folder: the model is read through its `current` link).
 */
import { importModel, modelCacheContainer, runModelCache, serveModel, startTarget } from '../flows';
import { removeTempDirs, stopAll, tempDir } from '../harness';
import { ModelHub } from '../hub';
import { synthesizeE2ePlatform } from '../platform';
import { chat, llamaServerContainer, startLlamaServer } from '../serving';

jest.setTimeout(180_000);

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

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

const inferenceDeployment = (apiKey: boolean) => modelCacheContainer(synthesizeE2ePlatform({ apiKey })).deployment;

describe('llama-server with the synthesized args and env', () => {
  test('the cache volume is mounted read-only', () => {
    expect(llamaServerContainer(inferenceDeployment(false)).cacheMount.readOnly).toBe(true);
  });

  test('health goes to 200, a chat completion returns tokens, /metrics answers', async () => {
    const server = await startLlamaServer(inferenceDeployment(false), cache);
    expect(server.args).toEqual(expect.arrayContaining(['--metrics', '--threads', '--cache-ram', '--ctx-size', '--parallel']));
    // 503 "Loading model" first (the HTTP server starts before the weights are loaded), then 200.
    expect(server.healthStates.filter((s) => s !== 0)).toEqual([503, 200]);
    const answer = await chat(server);
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
    expect(answer.usage.completion_tokens).toBeGreaterThan(0);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^llamacpp:/m);
    process.stdout.write(`[e2e serving] health states ${server.healthStates.join(' -> ')}, ready after ${server.readyMs} ms, ` +
      `${answer.usage.completion_tokens} tokens: ${JSON.stringify(answer.choices[0].message.content)}\n`);
    await server.process.stop();
  });

  test('with an API key: the API refuses requests without it, /health stays public', async () => {
    const server = await startLlamaServer(inferenceDeployment(true), cache, { secretValue: API_KEY });
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/models`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/models`, { headers: { Authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    await server.process.stop();
  });
});

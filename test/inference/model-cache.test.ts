import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { kube, Wire } from '../../src/core/kube-object';
import { ModelReference } from '../../src/core/model-reference';
import { restrictedContainerSecurityContext } from '../../src/core/pod-security';
import {
  MODEL_CACHE_CREDENTIALS_DIR, MODEL_CACHE_CREDENTIALS_VOLUME, MODEL_CACHE_SCRIPT_DIR, MODEL_CACHE_SCRIPT_KEY, MODEL_CACHE_SCRIPT_VOLUME,
  MODEL_CACHE_WORK_DIR, MODEL_CACHE_WORK_VOLUME, ModelCacheContainerOptions, modelCacheInitContainer, modelCacheScript, modelCacheVolumes,
  servedModelPath,
} from '../../src/inference/model-cache';
import { expectValidManifests } from '../validation';
import { FakeRegistry, availableShells, modelBytes, removeTempDirs, runScript, sha256, tempDir } from './fixtures/model-cache-harness';

jest.setTimeout(60_000);
afterAll(removeTempDirs);

const GGUF = 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf';
const GGUF_SHA = 'sha256:9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0';
const MANIFEST = `sha256:${'b'.repeat(64)}`;

function options(overrides: Partial<ModelCacheContainerOptions> = {}): ModelCacheContainerOptions {
  return {
    image: 'ghcr.io/oras-project/oras:v1.3.3',
    reference: ModelReference.of({ registry: 'harbor.harbor.svc', repository: 'ml-models/tinyllama-oras', tag: 'v1.0.0-gguf', layerDigests: [GGUF_SHA] }),
    modelFile: GGUF,
    cacheVolumeName: 'model-cache',
    cacheMountPath: '/models',
    scriptConfigMapName: 'llama-model-cache-script',
    keepVersions: 2,
    plainHttp: true,
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: restrictedContainerSecurityContext(),
    ...overrides,
  };
}

const envMap = (c: Wire<k8s.Container>) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('modelCacheScript / servedModelPath', () => {
  test('the script is the file beside the module, a POSIX sh script', () => {
    const text = modelCacheScript();
    expect(text).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'inference', 'scripts', MODEL_CACHE_SCRIPT_KEY), 'utf8'));
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain('set -eu');
  });

  test('served path is the stable `current` link', () => {
    expect(servedModelPath('/models', GGUF)).toBe(`/models/current/${GGUF}`);
    expect(servedModelPath('/models/', 'sub/dir/model.gguf')).toBe('/models/current/sub/dir/model.gguf');
  });
});

describe('modelCacheInitContainer', () => {
  test('runs the mounted script under the image shell with the reference as env', () => {
    const c = modelCacheInitContainer(options());
    expect(c.name).toBe('model-cache');
    expect(c.image).toBe('ghcr.io/oras-project/oras:v1.3.3');
    expect(c.command).toEqual(['/bin/sh', `${MODEL_CACHE_SCRIPT_DIR}/${MODEL_CACHE_SCRIPT_KEY}`]);
    expect(c.args).toBeUndefined();
    expect(envMap(c)).toEqual({
      CACHE_DIR: '/models',
      MODEL_REGISTRY: 'harbor.harbor.svc',
      MODEL_REPOSITORY: 'ml-models/tinyllama-oras',
      MODEL_TAG: 'v1.0.0-gguf',
      MODEL_LAYER_DIGESTS: GGUF_SHA,
      MODEL_FILE: GGUF,
      KEEP_VERSIONS: '2',
      ORAS_PLAIN_HTTP: 'true',
      VERIFY_BLOBS: 'size',
      STALE_TAG_FALLBACK: 'true',
      FETCH_ATTEMPTS: '3',
      RETRY_DELAY_SECONDS: '2',
      ORAS_TIMEOUT_SECONDS: '30',
      WORK_DIR: MODEL_CACHE_WORK_DIR,
      HOME: MODEL_CACHE_WORK_DIR,
    });
    expect(c.volumeMounts).toEqual([
      { name: 'model-cache', mountPath: '/models' },
      { name: MODEL_CACHE_SCRIPT_VOLUME, mountPath: MODEL_CACHE_SCRIPT_DIR, readOnly: true },
      { name: MODEL_CACHE_WORK_VOLUME, mountPath: MODEL_CACHE_WORK_DIR },
    ]);
    expect(c.securityContext).toEqual(restrictedContainerSecurityContext());
    expect(c.resources).toEqual(options().resources);
  });

  test('digest pinning, several layer digests and options map to the script settings', () => {
    const reference = ModelReference.of({ registry: 'harbor.example.com', repository: 'ml/m', digest: MANIFEST, layerDigests: [GGUF_SHA, MANIFEST] });
    const opts = options({ reference, plainHttp: false, keepVersions: 3, verifyOnStart: true, staleTagFallback: false });
    const env = envMap(modelCacheInitContainer(opts));
    expect(env.MODEL_DIGEST).toBe(MANIFEST);
    expect(env.MODEL_TAG).toBeUndefined();
    expect(env.MODEL_LAYER_DIGESTS).toBe(`${GGUF_SHA} ${MANIFEST}`);
    expect(env).toMatchObject({ ORAS_PLAIN_HTTP: 'false', KEEP_VERSIONS: '3', VERIFY_BLOBS: 'sha256', STALE_TAG_FALLBACK: 'false' });
  });

  test('credentials: the Secret is mounted read-only as files; only its name appears', () => {
    const opts = options({ credentialsSecretName: 'robot-puller' });
    const c = modelCacheInitContainer(opts);
    expect(envMap(c).REGISTRY_CREDENTIALS_DIR).toBe(MODEL_CACHE_CREDENTIALS_DIR);
    expect(c.volumeMounts).toContainEqual({ name: MODEL_CACHE_CREDENTIALS_VOLUME, mountPath: MODEL_CACHE_CREDENTIALS_DIR, readOnly: true });
    expect(c.env!.every((e) => e.valueFrom === undefined)).toBe(true);
    expect(modelCacheVolumes(opts)).toContainEqual({
      name: MODEL_CACHE_CREDENTIALS_VOLUME,
      secret: { secretName: 'robot-puller', items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }], defaultMode: 0o440 },
    });
  });

  test.each([
    [{ keepVersions: 0 }, "LlamaInferenceService 'keepVersions': got 0, expected an integer of at least 1"],
    [{ keepVersions: 1.5 }, "'keepVersions': got 1.5"],
    [{ modelFile: '../escape.gguf' }, "'modelFile': got \"../escape.gguf\""],
    [{ modelFile: 'with space.gguf' }, "'modelFile'"],
    [{ modelFile: '' }, "'modelFile'"],
    [{ cacheMountPath: 'models' }, "'cacheMountPath': got \"models\""],
    [{ cacheMountPath: '/' }, "'cacheMountPath'"],
  ] as Array<[Partial<ModelCacheContainerOptions>, string]>)('rejects %j', (overrides, message) => {
    expect(() => modelCacheInitContainer(options(overrides))).toThrow(message);
  });
});

describe('modelCacheVolumes', () => {
  test('script ConfigMap and memory scratch volume; never the cache PVC', () => {
    expect(modelCacheVolumes(options())).toEqual([
      { name: MODEL_CACHE_SCRIPT_VOLUME, configMap: { name: 'llama-model-cache-script', items: [{ key: MODEL_CACHE_SCRIPT_KEY, path: MODEL_CACHE_SCRIPT_KEY }], defaultMode: 0o444 } },
      { name: MODEL_CACHE_WORK_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    ]);
  });

  test('a pod built from them is a valid Kubernetes object', () => {
    const chart = Testing.chart();
    const opts = options({ credentialsSecretName: 'robot-puller' });
    kube(k8s.KubePod, chart, 'pod', {
      metadata: { name: 'p' },
      spec: {
        securityContext: { runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        initContainers: [modelCacheInitContainer(opts)],
        containers: [{ name: 'server', image: 'ghcr.io/ggml-org/llama.cpp:server-b8840', args: ['--model', servedModelPath('/models', GGUF)] }],
        volumes: [{ name: 'model-cache', persistentVolumeClaim: { claimName: 'llama-model-cache' } }, ...modelCacheVolumes(opts)],
      },
    });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const names = objects[0].spec.volumes.map((v: any) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const mount of objects[0].spec.initContainers[0].volumeMounts) expect(names).toContain(mount.name);
  });
});

describe('the container env drives the real script', () => {
  test('with the env the container sets (paths mapped to temp dirs), the model is served at servedModelPath', () => {
    const registry = new FakeRegistry();
    const weights = modelBytes('container-env', 50_000);
    const pushed = registry.push('v1', [{ title: GGUF, content: weights }]);
    const reference = ModelReference.of({ registry: registry.registry, repository: registry.repository, tag: 'v1', layerDigests: [pushed.layers[0].digest] });
    const cache = tempDir('model-cache-env-');
    const work = tempDir('model-cache-env-work-');
    const creds = tempDir('model-cache-env-creds-');
    fs.writeFileSync(path.join(creds, 'username'), 'robot$puller');
    fs.writeFileSync(path.join(creds, 'password'), 'pw');
    registry.setBehaviour({ plainHttp: true, auth: { username: 'robot$puller', password: 'pw' } });
    const env = envMap(modelCacheInitContainer(options({ reference, cacheMountPath: '/models', credentialsSecretName: 'robot' }))) as Record<string, string>;
    const mapped = { ...env, CACHE_DIR: cache, WORK_DIR: work, HOME: work, REGISTRY_CREDENTIALS_DIR: creds };
    const sh = availableShells().shells[0];
    const result = runScript(sh, registry, mapped);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(sha256(fs.readFileSync(servedModelPath(cache, GGUF)))).toBe(sha256(weights));
    expect(runScript(sh, registry, mapped).stdout).toContain('cache hit');
  });
});

import { Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ImageCatalog, PlatformImage } from '../../src/core/images';
import { ModelReference } from '../../src/core/model-reference';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { HarborRobotAccount, RobotPermission } from '../../src/harbor/robot-account';
import {
  CACHE_SCRIPT_CHECKSUM_ANNOTATION, MODEL_ANNOTATION, VELERO_BACKUP_VOLUMES_ANNOTATION, VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION,
} from '../../src/inference/annotations';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService, LlamaInferenceServiceProps } from '../../src/inference/llama-inference-service';
import { MODEL_CACHE_SCRIPT_KEY, modelCacheScript, servedModelPath } from '../../src/inference/model-cache';
import { CacheAccessMode } from '../../src/inference/model-cache-options';
import { ModelArtifact } from '../../src/models/model-artifact';
import { ModelFormat, Quantization } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';
import { container, envMap, find } from '../harbor/helpers';
import { expectValidManifests } from '../validation';

const GGUF = 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf';
const GGUF_SHA = 'sha256:9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0';
const TINYLLAMA_BYTES = 668788096;

function reference(tag = 'v1.0.0-gguf'): ModelReference {
  return ModelReference.of({ registry: 'harbor.harbor.svc', repository: 'ml-models/tinyllama-oras', tag, layerDigests: [GGUF_SHA] });
}

function tinyllama(tag?: string): InferenceModel {
  return InferenceModel.fromReference(reference(tag), GGUF, { sizeBytes: TINYLLAMA_BYTES, plainHttp: true });
}

interface Synthesized {
  readonly service: LlamaInferenceService;
  readonly objects: any[];
  readonly deployment: any;
  readonly pod: any;
  readonly server: any;
}

/** Builds a service (after `before`), synthesizes the chart and validates every object. */
function synth(props: Partial<LlamaInferenceServiceProps> = {}, before?: (chart: Construct) => Partial<LlamaInferenceServiceProps>): Synthesized {
  const chart = Testing.chart();
  const extra = before ? before(chart) : {};
  const service = new LlamaInferenceService(chart, 'llama', { model: tinyllama(), cache: { size: '2Gi' }, ...props, ...extra });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const deployment = find(objects, 'Deployment', service.deploymentName);
  return { service, objects, deployment, pod: deployment.spec.template.spec, server: container(deployment, 'llama-server') };
}

describe('llama-server container', () => {
  test('args are exactly the managed flags, host and port always set', () => {
    const { server, service } = synth();
    expect(server.args).toEqual([
      '--host', '0.0.0.0',
      '--port', '8080',
      '--model', servedModelPath('/models', GGUF),
      '--ctx-size', '2048',
      '--threads', '1',
      '--parallel', '1',
      '--cache-ram', '512',
      '--metrics',
    ]);
    expect(service.modelPath).toBe(servedModelPath('/models', GGUF));
    expect(server.command).toBeUndefined(); // the image's ENTRYPOINT is /app/llama-server
    expect(server.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('threads, parallel, context size, port, GPU layers and extra args, in order', () => {
    const { server } = synth({
      port: 9000, contextSize: 4096, threads: 4, parallel: 2, promptCacheMib: 256, gpu: { count: 1, layers: 20 }, extraArgs: ['--chat-template', 'zephyr', '--flash-attn'],
    });
    expect(server.args).toEqual([
      '--host', '0.0.0.0',
      '--port', '9000',
      '--model', servedModelPath('/models', GGUF),
      '--ctx-size', '4096',
      '--threads', '4',
      '--parallel', '2',
      '--cache-ram', '256',
      '--metrics',
      '--n-gpu-layers', '20',
      '--chat-template', 'zephyr', '--flash-attn',
    ]);
    expect(server.ports[0].containerPort).toBe(9000);
  });

  test('threads default to the CPU limit, else the CPU request, in whole cores (llama.cpp would count the node\'s cores)', () => {
    const threads = (resources: LlamaInferenceServiceProps['resources']) => {
      const args: string[] = synth({ resources }).server.args;
      return args[args.indexOf('--threads') + 1];
    };
    expect(threads(undefined)).toBe('1');
    expect(threads({ cpuRequest: '250m' })).toBe('1');
    expect(threads({ cpuRequest: '2' })).toBe('2');
    expect(threads({ cpuRequest: '2500m' })).toBe('2');
    expect(threads({ cpuRequest: '1', cpuLimit: '4' })).toBe('4');
    expect(threads({ cpuRequest: '500m', cpuLimit: '3.5' })).toBe('3');
    expect(threads({ cpuRequest: '100m', cpuLimit: '500m' })).toBe('1');
    expect(synth({ threads: 8, resources: { cpuRequest: '1' } }).server.args).toEqual(expect.arrayContaining(['--threads', '8']));
  });

  test('the prompt cache (--cache-ram, 8192 MiB upstream) is sized from the memory limit, 0 when little is left; settable', () => {
    const cacheRam = (props: Partial<LlamaInferenceServiceProps>) => {
      const args: string[] = synth(props).server.args;
      expect(args.filter((a) => a === '--cache-ram')).toHaveLength(1);
      return Number(args[args.indexOf('--cache-ram') + 1]);
    };
    const modelMib = TINYLLAMA_BYTES / 2 ** 20;
    // Half of what the limit leaves after the model file and 512 MiB for KV cache and buffers.
    expect(cacheRam({})).toBe(Math.floor((2174 - modelMib - 512) / 2));
    expect(cacheRam({})).toBe(512);
    expect(cacheRam({ resources: { memoryRequest: '4Gi', memoryLimit: '8Gi' } })).toBe(Math.floor((8192 - modelMib - 512) / 2));
    expect(cacheRam({ model: InferenceModel.fromReference(reference(), GGUF) })).toBe((2048 - 512) / 2);
    // Under 64 MiB left: off.
    expect(cacheRam({ resources: { memoryRequest: '1Gi', memoryLimit: '1200Mi' } })).toBe(0);
    expect(cacheRam({ resources: { memoryRequest: '512Mi', memoryLimit: '1Gi' } })).toBe(0);
    expect(cacheRam({ promptCacheMib: 0 })).toBe(0);
    expect(cacheRam({ promptCacheMib: 1024, resources: { memoryRequest: '4Gi', memoryLimit: '4Gi' } })).toBe(1024);
  });

  test('GPUs offload every layer by default', () => {
    expect(synth({ gpu: { count: 2 } }).server.args).toEqual(expect.arrayContaining(['--n-gpu-layers', '999']));
    expect(synth({ gpu: { count: 2 } }).server.args.slice(-2)).toEqual(['--n-gpu-layers', '999']);
  });

  test('the CPU image from the catalog without GPUs, the CUDA image with them; a mirror applies to both', () => {
    expect(synth().server.image).toBe(PlatformImage.LLAMA_CPP_SERVER.reference);
    expect(synth().server.image).toMatch(/:server-b\d+$/);
    expect(synth({ gpu: { count: 0 } }).server.image).toBe(PlatformImage.LLAMA_CPP_SERVER.reference);
    const gpu = synth({ gpu: { count: 1 } });
    expect(gpu.server.image).toBe(PlatformImage.LLAMA_CPP_SERVER_CUDA.reference);
    expect(gpu.service.image).toMatch(/:server-cuda-b\d+$/);
    const mirrored = synth({ gpu: { count: 1 }, images: new ImageCatalog({ registryPrefix: 'registry.local/mirror' }) });
    expect(mirrored.server.image).toBe(`registry.local/mirror/${PlatformImage.LLAMA_CPP_SERVER_CUDA.repository}:${PlatformImage.LLAMA_CPP_SERVER_CUDA.tag}`);
  });

  test('GPU: extended resource limit, tolerations, node selector, runtime class', () => {
    const cpu = synth();
    expect(cpu.server.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(cpu.pod.tolerations).toBeUndefined();
    expect(cpu.pod.nodeSelector).toBeUndefined();

    const defaults = synth({ gpu: { count: 1 } });
    expect(defaults.server.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(defaults.pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(defaults.pod.runtimeClassName).toBeUndefined();

    const custom = synth({
      gpu: {
        count: 2,
        resourceName: 'amd.com/gpu',
        tolerations: [{ key: 'gpu', operator: 'Equal', value: 'mi300', effect: 'NoExecute' }],
        nodeSelector: { 'node.kubernetes.io/instance-type': 'gpu-large' },
        runtimeClassName: 'nvidia',
      },
    });
    expect(custom.server.resources.limits).toEqual(expect.objectContaining({ 'amd.com/gpu': 2 }));
    expect(custom.server.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(custom.pod.tolerations).toEqual([{ key: 'gpu', operator: 'Equal', value: 'mi300', effect: 'NoExecute' }]);
    expect(custom.pod.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'gpu-large' });
    expect(custom.pod.runtimeClassName).toBe('nvidia');
  });

  test('default resources follow the model size; memory always has a limit, CPU none', () => {
    expect(synth().server.resources).toEqual({ requests: { cpu: '1', memory: '1150Mi' }, limits: { memory: '2174Mi' } });
    expect(synth({ model: InferenceModel.fromReference(reference(), GGUF) }).server.resources).toEqual({ requests: { cpu: '1', memory: '1024Mi' }, limits: { memory: '2048Mi' } });
    expect(synth({ resources: { cpuRequest: '2', cpuLimit: '4', memoryRequest: '3Gi', memoryLimit: '4Gi' } }).server.resources)
      .toEqual({ requests: { cpu: '2', memory: '3Gi' }, limits: { cpu: '4', memory: '4Gi' } });
  });

  test('the API key comes from the Secret as LLAMA_API_KEY, never as an argument', () => {
    const { server, objects } = synth({ apiKey: SecretKeyReference.fromSecret('llama-api-key', 'token') });
    expect(server.env).toEqual([{ name: 'LLAMA_API_KEY', valueFrom: { secretKeyRef: { name: 'llama-api-key', key: 'token' } } }]);
    expect(server.args.some((a: string) => a.startsWith('--api-key'))).toBe(false);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(synth().server.env).toBeUndefined();
  });
});

describe('probes', () => {
  test('startup, readiness and liveness GET /health on the server port', () => {
    const { server } = synth({ port: 9001 });
    for (const probe of [server.startupProbe, server.readinessProbe, server.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/health', port: 9001, scheme: 'HTTP' });
    }
    expect(server.readinessProbe).toEqual(expect.objectContaining({ periodSeconds: 10, failureThreshold: 3 }));
    // Lenient liveness: a busy server is not killed (two minutes of failures).
    expect(server.livenessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(server.livenessProbe.periodSeconds * server.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(120);
  });

  test('the startup budget grows with the model size, has a floor and can be overridden', () => {
    const budget = (s: Synthesized) => s.server.startupProbe.periodSeconds * s.server.startupProbe.failureThreshold;
    // TinyLlama loads in seconds: the 2-minute floor.
    const small = synth();
    expect(small.server.startupProbe).toEqual(expect.objectContaining({ periodSeconds: 5, failureThreshold: 24 }));
    expect(small.service.startupTimeoutSeconds).toBe(120);
    // 10 GB: 30 s + 10e9 B / 25 MiB/s = 30 + 382 s.
    const big = synth({ model: InferenceModel.fromReference(reference(), GGUF, { sizeBytes: 10_000_000_000 }), cache: { size: '30Gi' } });
    expect(big.service.startupTimeoutSeconds).toBe(412);
    expect(big.server.startupProbe.failureThreshold).toBe(83);
    expect(budget(big)).toBeGreaterThanOrEqual(412);
    // Unknown size: 10 minutes.
    expect(budget(synth({ model: InferenceModel.fromReference(reference(), GGUF) }))).toBe(600);
    // Override.
    const overridden = synth({ startupTimeout: Duration.minutes(15) });
    expect(overridden.server.startupProbe.failureThreshold).toBe(180);
    expect(synth({ startupTimeout: Duration.seconds(62) }).server.startupProbe.failureThreshold).toBe(13);
  });
});

describe('the time the model cache waits for an unreachable registry', () => {
  const tagOnly = (options: { sizeBytes?: number } = {}) => InferenceModel.fromReference(
    ModelReference.of({ registry: 'harbor.harbor.svc', repository: 'ml-models/tinyllama-oras', tag: 'stable' }), GGUF, { plainHttp: true, ...options });

  /**
   * Worst case before the stale-tag fallback serves, from the init container's env alone: every
   * `oras resolve` attempt runs into ORAS_TIMEOUT_SECONDS, with the script's doubling pauses between.
   */
  function worstFallbackSeconds(deployment: any): number {
    const env = envMap(deployment.spec.template.spec.initContainers.find((c: any) => c.name === 'model-cache'));
    const [attempts, timeout, delay] = [env.FETCH_ATTEMPTS, env.ORAS_TIMEOUT_SECONDS, env.RETRY_DELAY_SECONDS].map(Number);
    let pauses = 0;
    for (let attempt = 1; attempt < attempts; attempt++) pauses += delay * 2 ** (attempt - 1);
    return attempts * timeout + pauses;
  }

  test('is explicit: 3 lookups of at most 30 s each, 2 s and 4 s apart', () => {
    const { deployment, service } = synth({ model: tagOnly({ sizeBytes: TINYLLAMA_BYTES }) });
    expect(worstFallbackSeconds(deployment)).toBe(3 * 30 + 2 + 4);
    expect(service.registryWaitSeconds).toBe(96);
  });

  test.each([
    ['TinyLlama', { model: tagOnly({ sizeBytes: TINYLLAMA_BYTES }) }],
    ['a 10 GB model', { model: tagOnly({ sizeBytes: 10_000_000_000 }), cache: { size: '30Gi' } }],
    ['an unknown size', { model: tagOnly() }],
    ['a startup timeout just under the 600 s floor', { model: tagOnly({ sizeBytes: TINYLLAMA_BYTES }), startupTimeout: Duration.seconds(560) }],
    ['the longest startup timeout', { model: tagOnly({ sizeBytes: TINYLLAMA_BYTES }), startupTimeout: Duration.hours(24) }],
  ] as Array<[string, Partial<LlamaInferenceServiceProps>]>)('%s: the fallback plus the startup probe budget fit the progress deadline', (_name, props) => {
    const { deployment, server, service } = synth(props);
    const worst = worstFallbackSeconds(deployment);
    expect(worst).toBe(service.registryWaitSeconds);
    const startup = server.startupProbe.failureThreshold * server.startupProbe.periodSeconds;
    expect(worst + startup).toBeLessThanOrEqual(deployment.spec.progressDeadlineSeconds);
  });
});

describe('Service, PodDisruptionBudget, rollout strategy, cache PVC', () => {
  test('the rollout deadline covers a registry wait, a pull and a load of big models, never below the default 600 s', () => {
    expect(synth().deployment.spec.progressDeadlineSeconds).toBe(600);
    // 10 GB: 412 s load budget + 954 s pull at 10 MiB/s + 96 s waiting for the registry.
    const big = synth({ model: InferenceModel.fromReference(reference(), GGUF, { sizeBytes: 10_000_000_000 }), cache: { size: '30Gi' } });
    expect(big.deployment.spec.progressDeadlineSeconds).toBe(412 + 954 + 96);
    // Unknown size: 10 minutes of load and 30 of pull, plus the registry wait.
    expect(synth({ model: InferenceModel.fromReference(reference(), GGUF) }).deployment.spec.progressDeadlineSeconds).toBe(2400 + 96);
  });

  test('labels: recommended scheme with the image tag as version; a digest-only override has none', () => {
    const { deployment } = synth();
    expect(deployment.metadata.labels).toEqual(expect.objectContaining({
      'app.kubernetes.io/name': 'llama-server',
      'app.kubernetes.io/instance': 'llama',
      'app.kubernetes.io/component': 'inference',
      'app.kubernetes.io/version': PlatformImage.LLAMA_CPP_SERVER.tag,
      'app.kubernetes.io/part-of': 'cnai-model-platform',
    }));
    const digest = 'sha256:' + 'b'.repeat(64);
    const pinned = synth({ images: new ImageCatalog({ overrides: { 'llama-cpp-server': `registry.local:5000/llama@${digest}` } }) });
    expect(pinned.server.image).toBe(`registry.local:5000/llama@${digest}`);
    expect(pinned.deployment.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    const tagged = synth({ images: new ImageCatalog({ overrides: { 'llama-cpp-server': `registry.local:5000/llama:server-b9000@${digest}` } }) });
    expect(tagged.deployment.metadata.labels['app.kubernetes.io/version']).toBe('server-b9000');
  });

  test('a ClusterIP Service with port name http and the endpoint output', () => {
    const { objects, service } = synth({ namespace: 'serving', name: 'tinyllama', port: 8081 });
    const svc = find(objects, 'Service', 'tinyllama');
    expect(svc.metadata.namespace).toBe('serving');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8081, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    expect(svc.spec.selector).toEqual(service.podLabels);
    expect(service.endpoint).toBe('http://tinyllama.serving.svc:8081');
    expect(service.serviceName).toBe('tinyllama');
    const deployment = find(objects, 'Deployment', 'tinyllama');
    expect(deployment.spec.selector.matchLabels).toEqual(service.podLabels);
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(service.podLabels));
  });

  test('ReadWriteOnce cache (default): one replica, Recreate, no PodDisruptionBudget', () => {
    const { objects, deployment } = synth();
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    const pvc = find(objects, 'PersistentVolumeClaim', 'llama-model-cache');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } });
  });

  test('ReadWriteMany cache: several replicas roll one by one, with a PodDisruptionBudget', () => {
    const { objects, deployment, service } = synth({ replicas: 3, cache: { size: '4Gi', accessMode: CacheAccessMode.READ_WRITE_MANY, storageClassName: 'cephfs' } });
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const pdb = find(objects, 'PodDisruptionBudget', 'llama');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: service.podLabels } });
    expect(find(objects, 'PersistentVolumeClaim', 'llama-model-cache').spec).toEqual({
      accessModes: ['ReadWriteMany'], storageClassName: 'cephfs', resources: { requests: { storage: '4Gi' } },
    });
    // One replica with RWX: still no PDB.
    expect(synth({ cache: { size: '2Gi', accessMode: CacheAccessMode.READ_WRITE_MANY } }).objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('the pod mounts the PVC as the cache volume: read-only in the server', () => {
    const { pod, server, service } = synth();
    expect(pod.volumes.find((v: any) => v.name === service.cacheVolumeName)).toEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'llama-model-cache' } });
    expect(server.volumeMounts).toEqual([
      { name: 'model-cache', mountPath: '/models', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  test('the script ConfigMap carries the model-cache script', () => {
    const { objects } = synth();
    expect(find(objects, 'ConfigMap', 'llama-model-cache-script').data).toEqual({ [MODEL_CACHE_SCRIPT_KEY]: modelCacheScript() });
  });
});

describe('model cache init container and Velero', () => {
  test('the model-cache init container is the first and only one we declare; none is called restore-wait', () => {
    const { pod } = synth();
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['model-cache']);
    expect(pod.initContainers.some((c: any) => c.name === 'restore-wait' || c.name === 'restic-wait')).toBe(false);
    // Nothing that would run before (or beside) Velero's prepended helper.
    expect(pod.initContainers[0].restartPolicy).toBeUndefined();
    // It writes the cache volume.
    expect(pod.initContainers[0].volumeMounts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'model-cache', mountPath: '/models' })]));
    expect(pod.initContainers[0].image).toBe(PlatformImage.ORAS.reference);
  });

  test('the pod template opts the cache volume (by pod volume name) into Velero file-system backup', () => {
    const { deployment, service, pod } = synth();
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations[VELERO_BACKUP_VOLUMES_ANNOTATION]).toBe('model-cache');
    expect(service.cacheVolumeName).toBe('model-cache');
    // A pod volume name, not the PVC name.
    expect(pod.volumes.map((v: any) => v.name)).toContain(annotations[VELERO_BACKUP_VOLUMES_ANNOTATION]);
    expect(annotations[VELERO_BACKUP_VOLUMES_ANNOTATION]).not.toBe(service.cacheClaimName);
  });

  test('Velero backs up only the cache volume in opt-in and in opt-out (defaultVolumesToFsBackup) mode', () => {
    // Velero v1.18 GetVolumesByPod (pkg/util/podvolume/pod_volume.go): opt-in reads the include
    // annotation only; opt-out takes every volume but hostPath, Secret, ConfigMap, projected and
    // downwardAPI ones, minus the exclude annotation.
    const backedUp = (s: Synthesized, defaultVolumesToFsBackup: boolean): string[] => {
      const annotations = s.deployment.spec.template.metadata.annotations;
      const list = (key: string) => (annotations[key] ?? '').split(',').filter((n: string) => n.length > 0);
      if (!defaultVolumesToFsBackup) return list(VELERO_BACKUP_VOLUMES_ANNOTATION);
      const excluded = list(VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION);
      return s.pod.volumes
        .filter((v: any) => !v.hostPath && !v.secret && !v.configMap && !v.projected && !v.downwardAPI)
        .map((v: any) => v.name)
        .filter((name: string) => !excluded.includes(name));
    };
    const robot = synth({}, (chart) => {
      const harbor = new HarborModelRegistry(chart, 'harbor');
      const puller = harbor.addProject('ml-models').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
      return { harbor, pullRobot: puller };
    });
    for (const s of [synth(), robot]) {
      expect(backedUp(s, false)).toEqual(['model-cache']);
      expect(backedUp(s, true)).toEqual(['model-cache']);
    }
    // The scratch emptyDirs are excluded by pod volume name.
    expect(synth().deployment.spec.template.metadata.annotations[VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION]).toBe('tmp,model-cache-work');
  });

  test('a new model tag or digest rolls the pods (template annotation); the image stays the same', () => {
    const v1 = synth({ model: tinyllama('v1.0.0-gguf') });
    const v2 = synth({ model: tinyllama('v1.1.0-gguf') });
    const digest = 'sha256:' + 'a'.repeat(64);
    const pinned = synth({ model: InferenceModel.fromReference(reference('v1.1.0-gguf').withDigest(digest), GGUF, { sizeBytes: TINYLLAMA_BYTES }) });
    const annotation = (s: Synthesized) => s.deployment.spec.template.metadata.annotations[MODEL_ANNOTATION];
    expect(annotation(v1)).toBe('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf');
    expect(annotation(v2)).toBe('harbor.harbor.svc/ml-models/tinyllama-oras:v1.1.0-gguf');
    expect(annotation(pinned)).toBe(`harbor.harbor.svc/ml-models/tinyllama-oras:v1.1.0-gguf@${digest}`);
    expect(v2.server.image).toBe(v1.server.image);
    expect(pinned.server.image).toBe(v1.server.image);
    expect(v2.server.args).toEqual(v1.server.args);
    // The script checksum does not depend on the model.
    expect(v2.deployment.spec.template.metadata.annotations[CACHE_SCRIPT_CHECKSUM_ANNOTATION])
      .toBe(v1.deployment.spec.template.metadata.annotations[CACHE_SCRIPT_CHECKSUM_ANNOTATION]);
  });

  test('the init container gets the model, cache settings and the robot\'s credentials Secret', () => {
    let robot: HarborRobotAccount | undefined;
    const withRobot = synth({}, (chart) => {
      const harbor = new HarborModelRegistry(chart, 'harbor');
      robot = harbor.addProject('ml-models').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
      return { harbor, pullRobot: robot, cache: { size: '3Gi', keepVersions: 3, verifyOnStart: true, staleTagFallback: false } };
    });
    const init = withRobot.pod.initContainers[0];
    expect(envMap(init)).toEqual(expect.objectContaining({
      CACHE_DIR: '/models',
      MODEL_REGISTRY: 'harbor.harbor.svc',
      MODEL_REPOSITORY: 'ml-models/tinyllama-oras',
      MODEL_TAG: 'v1.0.0-gguf',
      MODEL_LAYER_DIGESTS: GGUF_SHA,
      MODEL_FILE: GGUF,
      KEEP_VERSIONS: '3',
      ORAS_PLAIN_HTTP: 'true',
      VERIFY_BLOBS: 'sha256',
      STALE_TAG_FALLBACK: 'false',
    }));
    expect(withRobot.service.pullSecretName).toBe(robot!.secretName);
    const secretVolumes = withRobot.pod.volumes.filter((v: any) => v.secret);
    expect(secretVolumes.map((v: any) => v.secret.secretName)).toEqual([robot!.secretName]);

    const named = synth({ pullSecretName: 'models-pull' });
    expect(named.service.pullSecretName).toBe('models-pull');
    expect(named.pod.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName)).toEqual(['models-pull']);
    const anonymous = synth();
    expect(anonymous.service.pullSecretName).toBeUndefined();
    expect(anonymous.pod.volumes.filter((v: any) => v.secret)).toEqual([]);
    expect(envMap(anonymous.pod.initContainers[0])).toEqual(expect.objectContaining({ VERIFY_BLOBS: 'size', STALE_TAG_FALLBACK: 'true', KEEP_VERSIONS: '2' }));
  });

  test('InferenceModel.fromArtifact serves what a ModelArtifact imports: reference with layer digests, file, size, transport', () => {
    let artifact: ModelArtifact | undefined;
    const { pod, service, server } = synth({}, (chart) => {
      const harbor = new HarborModelRegistry(chart, 'harbor');
      const project = harbor.addProject('ml-models');
      const pusher = project.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] });
      const puller = project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
      artifact = new ModelArtifact(chart, 'tinyllama', {
        project,
        repository: 'tinyllama-oras',
        tag: 'v1.0.0-gguf',
        pushRobot: pusher,
        source: ModelSource.fromHuggingFace('TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF', GGUF, {
          revision: '52e7645ba7c309695bec7ac98f4f005b139cf465', sha256: GGUF_SHA.slice('sha256:'.length), sizeBytes: TINYLLAMA_BYTES,
        }),
        format: ModelFormat.GGUF,
        architecture: 'llama',
        paramSize: '1.1B',
        quantization: Quantization.Q4_K_M,
      });
      return { harbor, pullRobot: puller, model: InferenceModel.fromArtifact(artifact) };
    });
    const model = service.model;
    expect(model.reference).toBe(artifact!.reference);
    expect(model.reference.layerDigests).toEqual([GGUF_SHA]);
    expect([model.modelFile, model.sizeBytes, model.plainHttp]).toEqual([GGUF, TINYLLAMA_BYTES, artifact!.plainHttp]);
    expect(envMap(pod.initContainers[0])).toEqual(expect.objectContaining({
      MODEL_LAYER_DIGESTS: GGUF_SHA, MODEL_FILE: GGUF, ORAS_PLAIN_HTTP: String(artifact!.plainHttp),
    }));
    expect(server.args).toEqual(expect.arrayContaining(['--model', servedModelPath('/models', GGUF)]));
  });
});

describe('security', () => {
  test('non-root pod, restricted containers, read-only root filesystem with a /tmp emptyDir', () => {
    const { pod } = synth({ gpu: { count: 1 } });
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toEqual(expect.objectContaining({
        allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: true,
      }));
      expect(c.securityContext.privileged ?? false).toBe(false);
      expect(c.securityContext.runAsUser ?? 65532).not.toBe(0);
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
    expect(pod.volumes.find((v: any) => v.name === 'tmp')).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('llama');
    expect(pod.hostNetwork ?? false).toBe(false);
  });

  test('the namespace enforces Pod Security restricted (and audits and warns)', () => {
    const { objects } = synth();
    expect(find(objects, 'Namespace', 'ai-inference').metadata.labels).toEqual(expect.objectContaining({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    }));
  });

  test('the namespace precedes everything and Harbor\'s robot namespace is the same object', () => {
    const { objects } = synth({}, (chart) => {
      const harbor = new HarborModelRegistry(chart, 'harbor');
      return { harbor, pullRobot: harbor.addProject('ml-models').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] }) };
    });
    const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'ai-inference');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const first = objects.findIndex((o) => o.metadata.namespace === 'ai-inference');
    expect(objects.indexOf(namespaces[0])).toBeLessThan(first);
  });

  test('two services share one namespace: one Namespace, one default-deny', () => {
    const chart = Testing.chart();
    new LlamaInferenceService(chart, 'a', { name: 'chat', model: tinyllama(), cache: { size: '2Gi' } });
    new LlamaInferenceService(chart, 'b', { name: 'embed', model: tinyllama(), cache: { size: '2Gi' } });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(objects.filter((o) => o.kind === 'Namespace')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual(['chat', 'default-deny', 'embed']);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['chat', 'embed']);
  });

  test('no secret value in the output', () => {
    const { objects } = synth({ apiKey: SecretKeyReference.fromSecret('llama-api-key', 'key'), pullSecretName: 'pull' });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

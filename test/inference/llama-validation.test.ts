import { Duration, Testing } from 'cdk8s';
import { PropValidationError } from '../../src/core/errors';
import { ModelReference } from '../../src/core/model-reference';
import { ensureNamespace } from '../../src/core/names';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { RobotPermission } from '../../src/harbor/robot-account';
import { minimumCacheBytes } from '../../src/inference/cache-storage';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService, LlamaInferenceServiceProps } from '../../src/inference/llama-inference-service';
import { CacheAccessMode } from '../../src/inference/model-cache-options';
import { propErrorOf } from '../harbor/helpers';

const GGUF = 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf';
const TINYLLAMA_BYTES = 668788096;
const REFERENCE = ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf');
const MODEL = InferenceModel.fromReference(REFERENCE, GGUF, { sizeBytes: TINYLLAMA_BYTES, plainHttp: true });

function construct(props: Partial<LlamaInferenceServiceProps>): LlamaInferenceService {
  return new LlamaInferenceService(Testing.chart(), 'llama', { model: MODEL, cache: { size: '2Gi' }, ...props });
}

/** The error names the construct, the prop and the value, says what is allowed and how to fix it. */
function expectError(fn: () => unknown, prop: string, value: string, constructName = 'LlamaInferenceService'): PropValidationError {
  const error = propErrorOf(fn);
  expect(error.construct).toBe(constructName);
  expect(error.prop).toBe(prop);
  expect(error.message).toContain(`${constructName} '${prop}': got ${value}, expected`);
  expect(error.message).toContain('Fix:');
  return error;
}

describe('LlamaInferenceService rejects bad props with a propError', () => {
  test.each([[0, '0'], [-1, '-1'], [2.5, '2.5']])('context size %p', (contextSize, shown) => {
    expectError(() => construct({ contextSize }), 'contextSize', shown);
  });

  test('context size smaller than the parallel slots; zero threads or slots', () => {
    expectError(() => construct({ contextSize: 2, parallel: 4 }), 'contextSize', '2');
    expectError(() => construct({ threads: 0 }), 'threads', '0');
    expectError(() => construct({ parallel: -2 }), 'parallel', '-2');
  });

  test('threads above the CPU limit (CFS throttling) are refused', () => {
    const error = expectError(() => construct({ threads: 4, resources: { cpuRequest: '1', cpuLimit: '2' } }), 'threads', '4');
    expect(error.fix).toContain('cpuLimit');
    expect(() => construct({ threads: 2, resources: { cpuRequest: '1', cpuLimit: '2' } })).not.toThrow();
    expect(() => construct({ threads: 16, resources: { cpuRequest: '1' } })).not.toThrow();
  });

  test.each([
    [-1, '-1'], [1.5, '1.5'], ['512', '"512"'], [2174, '2174'], [5000, '5000'],
  ])('prompt cache size %p (0 up to below the memory limit, in MiB)', (promptCacheMib, shown) => {
    const error = expectError(() => construct({ promptCacheMib: promptCacheMib as number }), 'promptCacheMib', shown);
    expect(error.allowed).toContain('2174Mi');
  });

  test('GPU layers without GPUs', () => {
    const error = expectError(() => construct({ gpu: { count: 0, layers: 20 } }), 'gpu.layers', '20');
    expect(error.fix).toContain('gpu.count');
    expectError(() => construct({ gpu: { count: -1 } }), 'gpu.count', '-1');
  });

  test('malformed GPU resource name, toleration or node selector', () => {
    expectError(() => construct({ gpu: { count: 1, resourceName: 'gpu' } }), 'gpu.resourceName', '"gpu"');
    expectError(() => construct({ gpu: { count: 1, tolerations: [{ key: 'gpu', operator: 'Maybe' }] } }), 'gpu.tolerations[0].operator', '"Maybe"');
    expectError(() => construct({ gpu: { count: 1, tolerations: [{ key: 'gpu', operator: 'Exists', value: 'x' }] } }), 'gpu.tolerations[0].value', '"x"');
    expectError(() => construct({ gpu: { count: 1, tolerations: [{ key: 'gpu', effect: 'NoRun' }] } }), 'gpu.tolerations[0].effect', '"NoRun"');
    expectError(() => construct({ gpu: { count: 1, nodeSelector: { 'bad key!': 'x' } } }), 'gpu.nodeSelector.bad key!', '"bad key!"');
  });

  test('a cache smaller than the model needs suggests the minimum', () => {
    const minimum = minimumCacheBytes(TINYLLAMA_BYTES, 2);
    expect(minimum).toBe(Math.ceil((TINYLLAMA_BYTES * 3) / 0.95));
    const error = expectError(() => construct({ cache: { size: '1Gi' } }), 'cache.size', '"1Gi"');
    expect(error.allowed).toContain(`at least ${minimum} bytes`);
    expect(error.fix).toContain('"2Gi"');
    // Smaller than the model itself, with one version kept.
    const tiny = expectError(() => construct({ cache: { size: '500Mi', keepVersions: 1 } }), 'cache.size', '"500Mi"');
    expect(tiny.allowed).toContain(`at least ${minimumCacheBytes(TINYLLAMA_BYTES, 1)} bytes`);
    expect(tiny.fix).toContain('"2Gi"');
    // Exactly enough passes; an unknown model size is not checked.
    expect(() => construct({ cache: { size: String(minimum) } })).not.toThrow();
    expect(() => construct({ model: InferenceModel.fromReference(REFERENCE, GGUF), cache: { size: '100Mi' } })).not.toThrow();
  });

  test('malformed cache size and storage class', () => {
    expectError(() => construct({ cache: { size: '0Gi' } }), 'cache.size', '"0Gi"');
    expectError(() => construct({ cache: { size: 'big' } }), 'cache.size', '"big"');
    expectError(() => construct({ cache: { size: '2Gi', storageClassName: 'Fast SSD' } }), 'cache.storageClassName', '"Fast SSD"');
    expectError(() => construct({ cache: undefined as any }), 'cache', 'undefined');
  });

  test('cache switches that are not booleans', () => {
    expectError(() => construct({ cache: { size: '2Gi', verifyOnStart: 'yes' as any } }), 'cache.verifyOnStart', '"yes"');
    expectError(() => construct({ cache: { size: '2Gi', staleTagFallback: 1 as any } }), 'cache.staleTagFallback', '1');
  });

  test('keepVersions below 1', () => {
    expectError(() => construct({ cache: { size: '2Gi', keepVersions: 0 } }), 'cache.keepVersions', '0');
    expectError(() => construct({ cache: { size: '2Gi', keepVersions: -3 } }), 'cache.keepVersions', '-3');
  });

  test('several replicas on a ReadWriteOnce cache', () => {
    const error = expectError(() => construct({ replicas: 2 }), 'replicas', '2');
    expect(error.fix).toContain('READ_WRITE_MANY');
    expect(() => construct({ replicas: 2, cache: { size: '2Gi', accessMode: CacheAccessMode.READ_WRITE_MANY } })).not.toThrow();
    expectError(() => construct({ replicas: 0 }), 'replicas', '0');
  });

  test('a robot account that does not list this namespace', () => {
    const chart = Testing.chart();
    const harbor = new HarborModelRegistry(chart, 'harbor');
    const project = harbor.addProject('ml-models');
    const robot = project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ml-jobs'] });
    const error = expectError(() => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, pullRobot: robot }), 'pullRobot', '"robot$ml-models+puller"');
    expect(error.allowed).toContain('"ml-jobs"');
    expect(error.fix).toContain('"ai-inference"');
  });

  test('a robot of another project, of another Harbor, or together with pullSecretName', () => {
    const chart = Testing.chart();
    const harbor = new HarborModelRegistry(chart, 'harbor');
    const other = harbor.addProject('other').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
    const error = expectError(() => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, pullRobot: other }), 'pullRobot', '"robot$other+puller"');
    expect(error.allowed).toContain('"ml-models"');
    const robot = harbor.addProject('ml-models').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
    expectError(() => new LlamaInferenceService(chart, 'x', { model: MODEL, cache: { size: '2Gi' }, pullRobot: robot, pullSecretName: 'pull' }), 'pullSecretName', '"pull"');
    const secondChart = Testing.chart();
    const secondHarbor = new HarborModelRegistry(secondChart, 'harbor');
    expectError(() => new LlamaInferenceService(secondChart, 'llama', { model: MODEL, cache: { size: '2Gi' }, pullRobot: robot, harbor: secondHarbor }), 'pullRobot', '"robot$ml-models+puller"');
  });

  test('a Harbor that does not serve the model\'s registry host', () => {
    const chart = Testing.chart();
    const harbor = new HarborModelRegistry(chart, 'harbor', { namespace: 'registry' });
    expectError(() => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, harbor }), 'harbor', '"harbor.registry.svc"');
  });

  test('explicit registry peers: empty labels, bad namespace or port', () => {
    expectError(() => construct({ harborPodLabels: {} }), 'harborPodLabels', '{}');
    expectError(() => construct({ harborNamespace: 'Harbor' }), 'harborNamespace', '"Harbor"');
    expectError(() => construct({ harborPort: 0 }), 'harborPort', '0');
  });

  test.each([[0, '0'], [-8080, '-8080'], [80, '80'], [65536, '65536'], [8080.5, '8080.5'], ['8080' as any, '"8080"']])('malformed port %p', (port, shown) => {
    expectError(() => construct({ port }), 'port', shown);
  });

  test.each([
    [['--port', '9000'], 0, '"--port"'],
    [['--chat-template', 'zephyr', '--model=/other.gguf'], 2, '"--model=/other.gguf"'],
    [['-m', '/x.gguf'], 0, '"-m"'],
    [['--host', '127.0.0.1'], 0, '"--host"'],
    [['-c', '4096'], 0, '"-c"'],
    [['--threads=8'], 0, '"--threads=8"'],
    [['-np', '4'], 0, '"-np"'],
    [['-ngl', '10'], 0, '"-ngl"'],
    [['--api-key', 'secret'], 0, '"--api-key"'],
    [['--api-key-file', '/k'], 0, '"--api-key-file"'],
    [['-hf', 'TheBloke/x'], 0, '"-hf"'],
    [['--metrics'], 0, '"--metrics"'],
    [['--cache-ram', '0'], 0, '"--cache-ram"'],
    [['-cram=4096'], 0, '"-cram=4096"'],
  ])('extra args that conflict with managed flags: %p', (extraArgs, index, shown) => {
    const error = expectError(() => construct({ extraArgs }), `extraArgs[${index}]`, shown);
    expect(error.fix).toMatch(/remove ".*" from extraArgs and use the prop/);
  });

  test('the value of an extra arg may look like anything; empty entries are refused', () => {
    expect(() => construct({ extraArgs: ['--alias', 'tinyllama', '--chat-template', 'zephyr'] })).not.toThrow();
    expectError(() => construct({ extraArgs: [''] }), 'extraArgs[0]', '""');
  });

  test('startup timeout shorter than one probe period', () => {
    expectError(() => construct({ startupTimeout: Duration.seconds(2) }), 'startupTimeout', '"2 seconds"');
    expectError(() => construct({ startupTimeout: Duration.days(2) }), 'startupTimeout', '"172800 seconds"');
  });

  test('bad names and namespaces', () => {
    expectError(() => construct({ namespace: 'AI' }), 'namespace', '"AI"');
    expectError(() => construct({ name: 'a'.repeat(41) }), 'name', `"${'a'.repeat(41)}"`);
    expectError(() => construct({ clientNamespaces: ['apps', 'Bad_NS'] }), 'clientNamespaces[1]', '"Bad_NS"');
    expectError(() => construct({ pullSecretName: 'Pull Secret' }), 'pullSecretName', '"Pull Secret"');
  });

  test('a model that is not an InferenceModel, an API key that is not a reference', () => {
    const error = propErrorOf(() => construct({ model: REFERENCE as any }));
    expect([error.construct, error.prop]).toEqual(['LlamaInferenceService', 'model']);
    expect(error.fix).toContain('InferenceModel.fromArtifact');
    expectError(() => construct({ apiKey: 'secret' as any }), 'apiKey', '"secret"');
  });

  test('a namespace another construct made privileged', () => {
    const chart = Testing.chart();
    ensureNamespace(chart, 'velero', { 'pod-security.kubernetes.io/enforce': 'privileged' });
    expectError(() => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, namespace: 'velero' }), 'namespace', '"velero"');
  });
});

describe('InferenceModel rejects bad input', () => {
  test.each([['../x.gguf', '"../x.gguf"'], ['dir/./x.gguf', '"dir/./x.gguf"'], ['/abs.gguf', '"/abs.gguf"'], ['a b.gguf', '"a b.gguf"'], ['', '""']])('model file %p', (file, shown) => {
    expectError(() => InferenceModel.fromReference(REFERENCE, file), 'modelFile', shown, 'InferenceModel');
  });

  test('a model file may sit in a directory of the artifact (a relative layer title)', () => {
    expect(InferenceModel.fromReference(REFERENCE, 'gguf/model-Q4_K_M+x.gguf').modelFile).toBe('gguf/model-Q4_K_M+x.gguf');
  });

  test('size and reference', () => {
    expectError(() => InferenceModel.fromReference(REFERENCE, GGUF, { sizeBytes: 0 }), 'sizeBytes', '0', 'InferenceModel');
    expectError(() => InferenceModel.fromReference(REFERENCE, GGUF, { sizeBytes: 1.5 }), 'sizeBytes', '1.5', 'InferenceModel');
    expectError(() => InferenceModel.fromReference('harbor/x:1' as any, GGUF), 'reference', '"harbor/x:1"', 'InferenceModel');
    expectError(() => InferenceModel.fromArtifact({} as any), 'fromArtifact.artifact', '{}', 'InferenceModel');
  });

  test('keeps what it was given', () => {
    const model = InferenceModel.fromReference(REFERENCE, GGUF, { sizeBytes: 42, plainHttp: true });
    expect(model.reference).toBe(REFERENCE);
    expect(model.modelFile).toBe(GGUF);
    expect(model.sizeBytes).toBe(42);
    expect(model.plainHttp).toBe(true);
    expect(InferenceModel.fromReference(REFERENCE, GGUF).plainHttp).toBe(false);
  });
});

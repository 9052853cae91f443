import { ApiObject, Chart, Testing } from 'cdk8s';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { PropValidationError } from '../../src/core/errors';
import { ModelReference } from '../../src/core/model-reference';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService } from '../../src/inference/llama-inference-service';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { bucketIn } from '../backup/helpers';

const MODEL = InferenceModel.fromReference(
  ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf'), 'tinyllama.gguf', { sizeBytes: 668788096, plainHttp: true });

function llama(chart: any, id: string, namespace: string, name?: string): LlamaInferenceService {
  return new LlamaInferenceService(chart, id, { model: MODEL, cache: { size: '2Gi' }, namespace, ...(name ? { name } : {}) });
}

function synthError(chart: any): string {
  try {
    Testing.synth(chart);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('two objects with one identity are refused at synth, naming both constructs', () => {
  test("the user's NetworkPolicy named default-deny would replace the inference namespace's default-deny (a service of that name is refused at construction)", () => {
    const chart = Testing.chart();
    llama(chart, 'chat', 'ai-inference');
    new ApiObject(chart, 'mine', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'ai-inference' }, spec: { podSelector: {} } });
    const message = synthError(chart);
    expect(message).toContain('Chart \'metadata.name\': got "NetworkPolicy ai-inference/default-deny (networking.k8s.io/v1)"');
    expect(message).toContain("LlamaInferenceService 'test/chat'");
    expect(message).toContain("chart 'test'");
    expect(message).toContain('Fix: rename one of them');
    expect(() => llama(Testing.chart(), 'deny', 'ai-inference', 'default-deny')).toThrow(/LlamaInferenceService 'name': got "default-deny"/);
  });

  test("a service named harbor in Harbor's namespace would replace Harbor's entry Service", () => {
    const chart = Testing.chart();
    new HarborModelRegistry(chart, 'harbor');
    llama(chart, 'llama', 'harbor', 'harbor');
    const message = synthError(chart);
    expect(message).toMatch(/got "Service harbor\/harbor \(v1\)", expected .*HarborModelRegistry 'test\/harbor' .* and LlamaInferenceService 'test\/llama' .*both create it/);
  });

  test("the user's own object clashing with a library object, in another chart", () => {
    const app = Testing.app();
    const storageChart = new Chart(app, 'storage-chart');
    new SeaweedFSStorage(storageChart, 'storage');
    const mine = new Chart(app, 'mine');
    new ApiObject(mine, 'scripts', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seaweedfs-scripts', namespace: 'seaweedfs' } });
    expect(synthError(mine)).toMatch(/Chart 'metadata.name': got "ConfigMap seaweedfs\/seaweedfs-scripts \(v1\)", expected .*SeaweedFSStorage 'storage-chart\/storage' .* and chart 'mine' .*both create it/);
  });

  test('same name in another namespace, another kind or another API group is no clash; one Namespace per name', () => {
    const chart = Testing.chart();
    llama(chart, 'a', 'team-a', 'chat');
    llama(chart, 'b', 'team-b', 'chat');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'chat', namespace: 'team-a' } });
    const objects = Testing.synth(chart);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual(['team-a', 'team-b']);
  });
});

describe("a later construct never changes a namespace's Pod Security level set by an earlier one, in either order", () => {
  function expectRefused(build: () => void, construct: string, other: string): void {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropValidationError);
    const e = error as PropValidationError;
    expect([e.construct, e.prop, e.value]).toEqual([construct, 'namespace', 'ai-inference']);
    expect(e.message).toContain('label pod-security.kubernetes.io/enforce no other construct sets differently');
    expect(e.message).toContain(other);
    expect(e.fix).toContain('give one of them a namespace of its own');
  }

  test('Velero after an inference service: restricted would become privileged', () => {
    const chart = Testing.chart();
    llama(chart, 'llama', 'ai-inference');
    expectRefused(() => new VeleroKopiaBackup(chart, 'velero', { namespace: 'ai-inference', bucket: bucketIn('ai-inference') }),
      'VeleroKopiaBackup', "LlamaInferenceService 'test/llama' set it to \"restricted\"");
  });

  test('an inference service after Velero', () => {
    const chart = Testing.chart();
    new VeleroKopiaBackup(chart, 'velero', { namespace: 'ai-inference', bucket: bucketIn('ai-inference') });
    expectRefused(() => llama(chart, 'llama', 'ai-inference'), 'LlamaInferenceService', "VeleroKopiaBackup 'test/velero' set it to \"privileged\"");
  });
});

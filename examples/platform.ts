import { App, Chart } from 'cdk8s';
import {
  HarborModelRegistry, HarborProject, HarborRegistryStorage, InferenceModel, LlamaInferenceService, ModelArtifact,
  ModelFormat, ModelSource, Quantization, RobotPermission, SeaweedFSStorage, VeleroKopiaBackup,
} from '../src';

/** TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF: the seed's model (../shared/reference/llama-cpp-server.md §7). */
export const TINYLLAMA = {
  repository: 'TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF',
  file: 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf',
  revision: '52e7645ba7c309695bec7ac98f4f005b139cf465',
  sha256: '9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0',
  sizeBytes: 668_788_096,
};

/** What the example platform exposes to whoever builds it (the synth entry point, tests). */
export interface ExamplePlatform {
  readonly storage: SeaweedFSStorage;
  readonly registry: HarborModelRegistry;
  readonly models: HarborProject;
  readonly backup: VeleroKopiaBackup;
  readonly model: ModelArtifact;
  readonly inference: LlamaInferenceService;
}

/**
 * The seed's demo platform, as far as it is built so far:
 * - SeaweedFS S3 storage with the buckets `velero` (Velero backups) and `harbor` (Harbor's registry);
 * - Harbor with the project `ml-models`, a push robot for the import Job and a pull robot for `ai-inference`;
 * - TinyLlama imported into `ml-models/tinyllama-oras:v1.0.0-gguf` as a CNAI model artifact and served
 *   by llama.cpp in `ai-inference` through the content-addressed model cache;
 * - Velero with Kopia file-system backup on the `velero` bucket: a nightly Schedule of `ai-inference`
 *   and the seed's one-off Backup `ai-backup`.
 */
export function buildExamplePlatform(app: App): ExamplePlatform {
  const storageChart = new Chart(app, 'storage');
  const storage = new SeaweedFSStorage(storageChart, 'seaweedfs', {
    volumeStorageSize: '50Gi',
  });
  const backupBucket = storage.addBucket('velero', { consumerNamespace: 'velero' });
  const registryBucket = storage.addBucket('harbor', { consumerNamespace: 'harbor' });

  const registryChart = new Chart(app, 'registry');
  registryChart.addDependency(storageChart);
  const registry = new HarborModelRegistry(registryChart, 'harbor', {
    registryStorage: HarborRegistryStorage.s3(registryBucket),
  });
  const models = registry.addProject('ml-models', { storageQuota: '200Gi', autoScan: true });
  const pushRobot = models.addRobotAccount('model-import', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] });
  const pullRobot = models.addRobotAccount('inference-pull', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });

  const modelsChart = new Chart(app, 'models');
  modelsChart.addDependency(registryChart);
  const model = new ModelArtifact(modelsChart, 'tinyllama', {
    project: models,
    repository: 'tinyllama-oras',
    tag: 'v1.0.0-gguf',
    source: ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, {
      revision: TINYLLAMA.revision, sha256: TINYLLAMA.sha256, sizeBytes: TINYLLAMA.sizeBytes,
    }),
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '1.1B',
    quantization: Quantization.Q4_K_M,
    family: 'tinyllama',
    description: 'TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF',
    pushRobot,
  });

  const inferenceChart = new Chart(app, 'inference');
  inferenceChart.addDependency(modelsChart);
  const inference = new LlamaInferenceService(inferenceChart, 'llama', {
    model: InferenceModel.fromArtifact(model),
    pullRobot,
    harbor: registry,
    cache: { size: '5Gi' },
  });

  const backupChart = new Chart(app, 'backup');
  backupChart.addDependency(storageChart);
  const backup = new VeleroKopiaBackup(backupChart, 'velero', {
    bucket: backupBucket,
    // The node-agent must run where inference pods run, GPU nodes included.
    nodeAgentTolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
  backup.scheduleNamespace('ai-inference', { cron: '0 2 * * *', ttl: '168h0m0s' });
  backup.backupNamespace('ai-inference', { name: 'ai-backup' });
  return { storage, registry, models, backup, model, inference };
}

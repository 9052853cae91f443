import { App } from 'cdk8s';
import {
  ModelFormat, ModelPlatform, ModelPlatformProps, ModelSource, PlatformBackup, PlatformModel, PlatformRegistry, PlatformStorage, Quantization,
} from 'cnai-model-platform';

/** TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF: the demo's model (https://huggingface.co/TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF). */
export const TINYLLAMA = {
  repository: 'TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF',
  file: 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf',
  revision: '52e7645ba7c309695bec7ac98f4f005b139cf465',
  sha256: '9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0',
  sizeBytes: 668_788_096,
};

/** Namespace whose pods may call the demo's llama.cpp services (created by you, not by the platform). */
export const DEMO_CLIENT_NAMESPACE = 'inference-clients';

/** Options of {@link buildExamplePlatform}. */
export interface ExamplePlatformOptions {
  /** llama.cpp services serving TinyLlama (the first is `llama`, then `llama-2`, ...). Default 1. */
  readonly inferenceServices?: number;
}

/**
 * The demo platform (from the KubeCon India 2026 talk 'Model Management with Harbor & Velero') as one {@link ModelPlatform}:
 * - SeaweedFS S3 storage with the buckets `velero` (Velero backups) and `harbor` (Harbor's registry);
 * - Harbor with the project `ml-models`, a push robot for the import Job and a pull robot for `ai-inference`;
 * - TinyLlama imported into `ml-models/tinyllama-oras:v1.0.0-gguf` as a CNAI model artifact and served
 *   by llama.cpp in `ai-inference` through the content-addressed model cache;
 * - Velero with Kopia file-system backup on the `velero` bucket: a nightly Schedule of `ai-inference`
 *   and the demo's one-off Backup `ai-backup`.
 */
export function buildExamplePlatform(app: App, options: ExamplePlatformOptions = {}): ModelPlatform {
  return new ModelPlatform(app, 'platform', examplePlatformProps(options));
}

/** The props of the demo (shared by the cdk8s example and the Pulumi program in examples/pulumi). */
export function examplePlatformProps(options: ExamplePlatformOptions = {}): ModelPlatformProps {
  const serviceCount = options.inferenceServices ?? 1;
  const model = PlatformModel.imported({
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
  });
  return {
    storage: PlatformStorage.seaweedFS({ volumeStorageSize: '50Gi' }),
    registry: PlatformRegistry.harbor({
      registryStorageOnBucket: true,
      project: { storageQuota: '200Gi', autoScan: true },
    }),
    models: [model],
    services: Array.from({ length: serviceCount }, (_, i) => ({
      name: i === 0 ? 'llama' : `llama-${i + 1}`,
      model: model.key,
      cache: { size: '5Gi' },
      // The server admits no one by default: pods in this namespace may call it (see README).
      clientNamespaces: [DEMO_CLIENT_NAMESPACE],
    })),
    backup: PlatformBackup.veleroKopia({
      // The node-agent must run where inference pods run, GPU nodes included.
      nodeAgentTolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      scheduleCron: '0 2 * * *',
      scheduleTtl: '168h0m0s',
      oneOffBackupName: 'ai-backup',
    }),
  };
}

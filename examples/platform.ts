import { App, Chart } from 'cdk8s';
import {
  HarborModelRegistry, HarborProject, HarborRegistryStorage, RobotPermission, SeaweedFSStorage,
} from '../src';

/** What the example platform exposes to whoever builds it (the synth entry point, tests). */
export interface ExamplePlatform {
  readonly storage: SeaweedFSStorage;
  readonly registry: HarborModelRegistry;
  readonly models: HarborProject;
}

/**
 * The seed's demo platform, as far as it is built so far:
 * - SeaweedFS S3 storage with the buckets `velero` (Velero backups) and `harbor` (Harbor's registry);
 * - Harbor with the project `ml-models` and a pull robot whose credentials land in `ai-inference`.
 */
export function buildExamplePlatform(app: App): ExamplePlatform {
  const storageChart = new Chart(app, 'storage');
  const storage = new SeaweedFSStorage(storageChart, 'seaweedfs', {
    volumeStorageSize: '50Gi',
  });
  storage.addBucket('velero', { consumerNamespace: 'velero' });
  const registryBucket = storage.addBucket('harbor', { consumerNamespace: 'harbor' });

  const registryChart = new Chart(app, 'registry');
  registryChart.addDependency(storageChart);
  const registry = new HarborModelRegistry(registryChart, 'harbor', {
    registryStorage: HarborRegistryStorage.s3(registryBucket),
  });
  const models = registry.addProject('ml-models', { storageQuota: '200Gi', autoScan: true });
  models.addRobotAccount('inference-pull', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
  return { storage, registry, models };
}

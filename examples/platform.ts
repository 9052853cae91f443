import { App, Chart } from 'cdk8s';
import {
  HarborModelRegistry, HarborProject, HarborRegistryStorage, RobotPermission, SeaweedFSStorage, VeleroKopiaBackup,
} from '../src';

/** What the example platform exposes to whoever builds it (the synth entry point, tests). */
export interface ExamplePlatform {
  readonly storage: SeaweedFSStorage;
  readonly registry: HarborModelRegistry;
  readonly models: HarborProject;
  readonly backup: VeleroKopiaBackup;
}

/**
 * The seed's demo platform, as far as it is built so far:
 * - SeaweedFS S3 storage with the buckets `velero` (Velero backups) and `harbor` (Harbor's registry);
 * - Harbor with the project `ml-models` and a pull robot whose credentials land in `ai-inference`;
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
  models.addRobotAccount('inference-pull', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });

  const backupChart = new Chart(app, 'backup');
  backupChart.addDependency(storageChart);
  const backup = new VeleroKopiaBackup(backupChart, 'velero', {
    bucket: backupBucket,
    // The node-agent must run where inference pods run, GPU nodes included.
    nodeAgentTolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
  backup.scheduleNamespace('ai-inference', { cron: '0 2 * * *', ttl: '168h0m0s' });
  backup.backupNamespace('ai-inference', { name: 'ai-backup' });
  return { storage, registry, models, backup };
}

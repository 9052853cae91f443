import { App, Chart } from 'cdk8s';
import { SeaweedFSStorage } from '../src';

/** What the example platform exposes to whoever builds it (the synth entry point, tests). */
export interface ExamplePlatform {
  readonly storage: SeaweedFSStorage;
}

/**
 * The seed's demo platform. For now: SeaweedFS S3 storage with the buckets the next components use
 * (`velero` for Velero backups, `harbor` for Harbor's registry storage).
 */
export function buildExamplePlatform(app: App): ExamplePlatform {
  const storageChart = new Chart(app, 'storage');
  const storage = new SeaweedFSStorage(storageChart, 'seaweedfs', {
    volumeStorageSize: '50Gi',
  });
  storage.addBucket('velero', { consumerNamespace: 'velero' });
  storage.addBucket('harbor', { consumerNamespace: 'harbor' });
  return { storage };
}

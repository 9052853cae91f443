import { App, Testing } from 'cdk8s';
import { buildExamplePlatform } from '../examples/platform';
import { ImageCatalog } from '../src';
import { expectValidManifests } from './validation';

/** Everything `npm run synth` writes, without touching dist/. */
function synthExample(): any[] {
  const app: App = Testing.app();
  buildExamplePlatform(app);
  return app.charts.flatMap((chart) => chart.toJson());
}

describe('example platform (npm run synth)', () => {
  const objects = synthExample();

  test('every object passes Kubernetes schema and strict field validation', () => {
    expect(objects.length).toBeGreaterThan(20);
    expectValidManifests(objects);
  });

  test('no Secret carries data: credentials are created in-cluster', () => {
    const secrets = objects.filter((o) => o.kind === 'Secret');
    for (const secret of secrets) {
      expect(secret.data ?? {}).toEqual({});
      expect(secret.stringData ?? {}).toEqual({});
    }
  });

  test('no image uses a moving tag', () => {
    const images = objects.flatMap((o) => {
      const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c: any) => c.image as string);
    });
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(ImageCatalog.isPinned(image)).toBe(true);
  });

  test('deploys Harbor on the harbor bucket with project ml-models and a pull robot for ai-inference', () => {
    const registryConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'harbor-registry');
    expect(registryConfig.data['config.yml']).toMatch(/bucket: harbor/);
    expect(registryConfig.data['config.yml']).toMatch(/regionendpoint: http:\/\/seaweedfs-s3\.seaweedfs\.svc:8333/);
    const setupSpec = JSON.stringify(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('harbor-setup')));
    expect(setupSpec).toContain('ml-models');
    expect(setupSpec).toContain('inference-pull');
    const pullSecretRole = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'ai-inference');
    expect(pullSecretRole).toBeDefined();
  });

  test('deploys SeaweedFS with the velero and harbor buckets', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'Namespace/seaweedfs', 'StatefulSet/seaweedfs-master', 'StatefulSet/seaweedfs-volume', 'StatefulSet/seaweedfs-filer', 'Deployment/seaweedfs-s3',
    ]));
    // Each consumer namespace exists and can reach the S3 gateway.
    expect(names).toEqual(expect.arrayContaining(['Namespace/velero', 'Namespace/harbor']));
  });
});

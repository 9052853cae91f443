import { App, Testing } from 'cdk8s';
import { buildExamplePlatform, TINYLLAMA } from '../examples/platform';
import { ImageCatalog } from '../src';
import { describeWithVeleroCrds, expectValidManifests } from './validation';

/** Everything `npm run synth` writes, without touching dist/. */
function synthExample(): any[] {
  const app: App = Testing.app();
  buildExamplePlatform(app);
  return app.charts.flatMap((chart) => chart.toJson());
}

describe('example platform (npm run synth)', () => {
  const objects = synthExample();

  const veleroResources = (o: any) => o.apiVersion === 'velero.io/v1';

  test('every built-in object passes Kubernetes schema and strict field validation', () => {
    expect(objects.length).toBeGreaterThan(20);
    expectValidManifests(objects.filter((o) => !veleroResources(o)));
  });

  describeWithVeleroCrds('Velero custom resources', (crdDir) => {
    test('pass the Velero 1.18.1 CRD schemas strictly', () => {
      expect(objects.filter(veleroResources).map((o) => o.kind).sort()).toEqual(['Backup', 'BackupStorageLocation', 'Schedule']);
      expectValidManifests(objects, { crdSchemaDirs: [crdDir] });
    });
  });

  test('backs up ai-inference to the velero bucket: Schedule and the seed\'s ai-backup', () => {
    const bsl = objects.find((o) => o.kind === 'BackupStorageLocation');
    expect(bsl.spec.objectStorage.bucket).toBe('velero');
    expect(bsl.spec.config.s3Url).toBe('http://seaweedfs-s3.seaweedfs.svc:8333');
    const backup = objects.find((o) => o.kind === 'Backup');
    expect(backup.metadata.name).toBe('ai-backup');
    expect(backup.spec.includedNamespaces).toEqual(['ai-inference']);
    expect(objects.find((o) => o.kind === 'Schedule').spec.template.includedNamespaces).toEqual(['ai-inference']);
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

  test('imports TinyLlama into ml-models/tinyllama-oras:v1.0.0-gguf and serves it in ai-inference', () => {
    const { model, inference } = buildExamplePlatform(Testing.app());
    expect(model.reference.toString()).toBe('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf');
    expect(model.reference.layerDigests).toEqual([`sha256:${TINYLLAMA.sha256}`]);
    expect(model.modelFile).toBe('tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf');
    expect(model.sizeBytes).toBe(668_788_096);
    const server = objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === 'ai-inference');
    const args: string[] = server.spec.template.spec.containers[0].args;
    expect(args.join(' ')).toContain(`--model /models/current/${TINYLLAMA.file}`);
    expect(server.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['model-cache']);
    expect(inference.endpoint).toBe('http://llama.ai-inference.svc:8080');
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

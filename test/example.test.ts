import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { buildExamplePlatform, TINYLLAMA } from '../examples/platform';
import { ImageCatalog, ModelPlatform } from '../src';
import { gatedBackups, withGatedBackups } from './backup/helpers';
import { expectAllValid, serviceHostsIn } from './platform/synth';
import { ModelPod, admittedFlows } from './seaweedfs/policy-flows';
import { imagesOf } from '../src/platform/summary';

/** Everything `npm run synth` writes, without touching dist/. */
function synthExample(): { app: App; platform: ModelPlatform; objects: any[] } {
  const app: App = Testing.app();
  const platform = buildExamplePlatform(app);
  return { app, platform, objects: app.charts.flatMap((chart) => chart.toJson()) };
}

const byName = (objects: any[], kind: string, namespace: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);

describe('the composed demo platform (npm run synth)', () => {
  const { app, platform, objects } = synthExample();

  test('snapshot of every object, in apply order', () => {
    expect(objects).toMatchSnapshot();
  });

  test('every object passes Kubernetes schema, strict field and Velero CRD validation', () => {
    expect(objects.length).toBe(139);
    // The Backup that the one-off backup Job creates is validated too.
    expectAllValid(withGatedBackups(objects));
  });

  test('writes one file per chart whose lexical order is the apply order', () => {
    app.synth();
    const files = fs.readdirSync(app.outdir).filter((f) => f.endsWith('.k8s.yaml'));
    expect(files).toEqual([
      '0000-platform-storage.k8s.yaml',
      '0001-platform-backup.k8s.yaml',
      '0002-platform-registry.k8s.yaml',
      '0003-platform-models.k8s.yaml',
      '0004-platform-inference.k8s.yaml',
      '0005-platform-backup-resources.k8s.yaml',
    ]);
    expect([...files].sort()).toEqual(files);
    // Every chart comes after the charts it depends on.
    const order = platform.chartsInApplyOrder();
    for (const [i, chart] of order.entries()) {
      for (const dependency of chart.node.dependencies) expect(order.indexOf(dependency as any)).toBeLessThan(i);
    }
    expect(fs.readFileSync(path.join(app.outdir, files[5]), 'utf8')).toMatch(/kind: BackupStorageLocation/);
    // Inside a file: Velero's CRD Job before its server, the storage location before the Schedule and the one-off backup's Job.
    const kinds = (chart: string) => order.find((c) => c.node.id === chart)!.toJson().map((o: any) => `${o.kind}/${o.metadata.name}`);
    const backup = kinds('platform-backup');
    expect(backup.findIndex((k: string) => k.startsWith('Job/velero-crd-install'))).toBeLessThan(backup.indexOf('Deployment/velero'));
    expect(kinds('platform-backup-resources')).toEqual([
      'BackupStorageLocation/default', 'Schedule/ai-inference-schedule',
      'ServiceAccount/velero-backup-ai-backup', 'Role/velero-backup-ai-backup', 'RoleBinding/velero-backup-ai-backup',
      'Role/velero-backup-ai-backup', 'RoleBinding/velero-backup-ai-backup', 'ConfigMap/velero-backup-ai-backup',
      'NetworkPolicy/velero-backup-ai-backup', expect.stringMatching(/^Job\/velero-backup-ai-backup-[0-9a-f]{8}$/),
    ]);
  });

  test('no Secret carries data: credentials are created in-cluster', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/"(stringData|password|secretKey)":\s*"[^"]/);
  });

  test('no image uses a moving tag', () => {
    const images = imagesOf(objects);
    expect(images.length).toBeGreaterThanOrEqual(15);
    for (const image of images) expect(ImageCatalog.isPinned(image)).toBe(true);
  });

  test('every object carries an Argo CD sync wave that follows the file order', () => {
    let previous = -Infinity;
    for (const chart of platform.chartsInApplyOrder()) {
      const waves = chart.toJson().map((o: any) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
      for (const wave of waves) expect(Number.isInteger(wave)).toBe(true);
      expect(Math.min(...waves)).toBeGreaterThanOrEqual(previous);
      previous = Math.max(...waves);
    }
  });

  describe('cross-component links', () => {
    test('SeaweedFS bucket "velero" -> Velero BackupStorageLocation', () => {
      const bucket = platform.backupBucket!;
      const bsl = objects.find((o) => o.kind === 'BackupStorageLocation');
      expect(bsl.spec.objectStorage.bucket).toBe(bucket.bucket);
      expect(bucket.bucket).toBe('velero');
      expect(bsl.spec.config.s3Url).toBe(platform.storage!.s3Endpoint);
      expect(bsl.spec.config.s3ForcePathStyle).toBe('true');
      // The bucket's credentials Secret is copied into Velero's namespace, where the bootstrap reads it.
      expect(bucket.credentials!.namespace).toBe('velero');
      const bootstrap = JSON.stringify(objects.filter((o) => o.metadata.namespace === 'velero' && o.kind === 'ConfigMap'));
      expect(bootstrap).toContain(bucket.credentials!.secretName);
      const bucketJobs = JSON.stringify(objects.filter((o) => o.metadata.namespace === 'seaweedfs'));
      expect(bucketJobs).toContain(bucket.credentials!.secretName);
    });

    test('SeaweedFS bucket "harbor" -> Harbor registry storage', () => {
      const bucket = platform.registryBucket!;
      expect(bucket.bucket).toBe('harbor');
      const config = byName(objects, 'ConfigMap', 'harbor', 'harbor-registry').data['config.yml'];
      expect(config).toMatch(/\n\s+bucket: harbor\n/);
      expect(config).toContain(`regionendpoint: ${platform.storage!.s3Endpoint}`);
      const registry = byName(objects, 'Deployment', 'harbor', 'harbor-registry');
      const secretRefs = JSON.stringify(registry.spec.template.spec);
      expect(secretRefs).toContain(bucket.credentials!.secretName);
      expect(bucket.credentials!.namespace).toBe('harbor');
    });

    test('push robot Secret -> the import Job in model-import', () => {
      const robot = platform.pushRobot!;
      expect(robot.fullName).toBe('robot$ml-models+model-import');
      expect(robot.namespaces).toEqual(['model-import']);
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.namespace === 'model-import');
      expect(JSON.stringify(job.spec.template.spec.volumes)).toContain(`"secretName":"${robot.secretName}"`);
      // Harbor's setup Job writes that Secret there (its spec line and its RBAC in model-import).
      const setup = JSON.stringify(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('harbor-setup')));
      expect(setup).toContain(`pullsecret model-import ${robot.secretName}`);
      expect(objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'model-import')).toBeDefined();
    });

    test('pull robot Secret -> the model cache of llama in ai-inference', () => {
      const robot = platform.pullRobot!;
      expect(robot.namespaces).toEqual(['ai-inference']);
      const server = byName(objects, 'Deployment', 'ai-inference', 'llama');
      const credentials = server.spec.template.spec.volumes.find((v: any) => v.name === 'model-cache-registry-credentials');
      expect(credentials.secret.secretName).toBe(robot.secretName);
      expect(server.spec.template.spec.initContainers[0].volumeMounts.map((m: any) => m.name)).toContain(credentials.name);
      const setup = JSON.stringify(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('harbor-setup')));
      expect(setup).toContain(`pullsecret ai-inference ${robot.secretName}`);
      expect(objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'ai-inference')).toBeDefined();
    });

    test('TinyLlama: imported into ml-models/tinyllama-oras:v1.0.0-gguf, served by llama', () => {
      const [artifact] = platform.modelArtifacts;
      expect(artifact.reference.toString()).toBe('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf');
      expect(artifact.reference.layerDigests).toEqual([`sha256:${TINYLLAMA.sha256}`]);
      const [service] = platform.services;
      expect(service.model.reference.toString()).toBe(artifact.reference.toString());
      expect(service.endpoint).toBe('http://llama.ai-inference.svc:8080');
      const server = byName(objects, 'Deployment', 'ai-inference', 'llama');
      expect(server.spec.template.spec.containers[0].args.join(' ')).toContain(`--model /models/current/${TINYLLAMA.file}`);
    });

    test('Velero backs up ai-inference, the model cache PVC included: Schedule (first run skipped) and the demo\'s ai-backup, created by a Job when ready', () => {
      expect(platform.inferenceNamespaces).toEqual(['ai-inference']);
      const schedule = objects.find((o) => o.kind === 'Schedule');
      expect(schedule.spec.template.includedNamespaces).toEqual(['ai-inference']);
      expect(schedule.spec.schedule).toBe('0 2 * * *');
      expect(schedule.spec.skipImmediately).toBe(true);
      expect(objects.filter((o) => o.kind === 'Backup')).toEqual([]);
      const [backup] = gatedBackups(objects);
      expect(backup.metadata.name).toBe('ai-backup');
      expect(backup.spec.includedNamespaces).toEqual(['ai-inference']);
      const server = byName(objects, 'Deployment', 'ai-inference', 'llama');
      const annotation = server.spec.template.metadata.annotations['backup.velero.io/backup-volumes'];
      expect(annotation.split(',')).toContain(platform.services[0].cacheVolumeName);
    });

    test('llama admits its client namespace on the server port, and nobody else', () => {
      const policy = byName(objects, 'NetworkPolicy', 'ai-inference', 'llama');
      expect(policy.spec.ingress).toEqual([{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'inference-clients' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      }]);
      // The same through the policy evaluator: a pod in the client namespace reaches llama:8080.
      const server = byName(objects, 'Deployment', 'ai-inference', 'llama');
      const pods: ModelPod[] = [
        { id: 'llama', namespace: 'ai-inference', labels: server.spec.template.metadata.labels, ip: '10.244.0.10' },
        { id: 'client', namespace: 'inference-clients', labels: { run: 'curl' }, ip: '10.244.0.11' },
        { id: 'other', namespace: 'default', labels: { run: 'curl' }, ip: '10.244.0.12' },
      ];
      expect(admittedFlows(objects, pods, [{ port: 8080, protocol: 'TCP' }], 'ai-inference').filter((f) => f.endsWith('-> llama 8080/TCP')))
        .toEqual(['client -> llama 8080/TCP']);
    });

    test('every Service DNS name a consumer uses exists as a Service', () => {
      const services = new Set(objects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.name}.${o.metadata.namespace}`));
      const used = serviceHostsIn(objects);
      // kubernetes.default.svc is the API server, not part of the platform.
      used.delete('kubernetes.default');
      expect(used.size).toBeGreaterThan(5);
      for (const host of used) expect(services).toContain(host);
    });
  });

  test('summary per component: objects, images and storage (what npm run synth prints)', () => {
    const summaries = platform.summarize();
    expect(summaries.reduce((n, s) => n + s.objectCount, 0)).toBe(objects.length);
    const inference = summaries.find((s) => s.title === 'LlamaInferenceService llama.ai-inference')!;
    expect(inference).toMatchObject({ chart: 'platform-inference', objectCount: 7, storage: ['PVC llama-model-cache 5Gi'] });
    expect(inference.images).toEqual(['ghcr.io/ggml-org/llama.cpp:server-b8840', 'ghcr.io/oras-project/oras:v1.3.3']);
    expect(summaries.filter((s) => s.chart === 'platform-backup-resources').map((s) => s.title))
      .toEqual(['OneOffBackup backup-ai-backup', 'BackupStorageLocation default, Schedule ai-inference-schedule']);
  });

  test('architecture.md: a Mermaid diagram generated from the construct tree', () => {
    const markdown = platform.architectureMarkdown();
    expect(markdown).toContain('```mermaid\nflowchart TB');
    for (const chart of platform.chartsInApplyOrder()) expect(markdown).toContain(`["${platform.chartsInApplyOrder().indexOf(chart)}: ${chart.node.id}"]`);
    for (const component of ['SeaweedFSStorage seaweedfs', 'HarborModelRegistry harbor', 'ModelArtifact tinyllama-oras:v1.0.0-gguf', 'LlamaInferenceService llama.ai-inference', 'VeleroKopiaBackup velero']) {
      expect(markdown).toContain(component);
    }
    expect(markdown.match(/-->\|/g)?.length).toBe(platform.links.length);
    expect(platform.links.length).toBeGreaterThanOrEqual(5);
  });
});

import { ApiObject, Lazy, Testing } from 'cdk8s';
import { expectAllValid, importedModel, synthPlatform } from './synth';
import {
  ClusterNetwork, DnsServer, HarborRegistryStorage, ImageCatalog, ModelPlatform, PlatformBackup, PlatformModel, PlatformRegistry,
  PlatformStorage, S3Bucket, S3Credentials,
} from '../../src';
import { imagesOf } from '../../src/platform/summary';
import { gatedBackups } from '../backup/helpers';
import { expectPropError, propErrorOf } from '../prop-errors';

/** The platform's chart ids, after checking that every chart comes after the charts it depends on. */
function chartIds(platform: ModelPlatform): string[] {
  const order = platform.chartsInApplyOrder();
  for (const [i, chart] of order.entries()) {
    for (const dependency of chart.node.dependencies) expect(order.indexOf(dependency as any)).toBeLessThan(i);
  }
  return order.map((c) => c.node.id);
}
const deployment = (objects: any[], namespace: string, name: string) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === namespace && o.metadata.name === name);
const cacheEnv = (server: any, name: string) => server.spec.template.spec.initContainers[0].env.find((e: any) => e.name === name)?.value;

describe('ModelPlatform', () => {
  test('defaults: SeaweedFS, Harbor with ml-models on a PVC, Velero on the velero bucket; no models, no services', () => {
    const { platform, objects } = synthPlatform();
    expect(chartIds(platform).sort()).toEqual(['platform-backup', 'platform-backup-resources', 'platform-registry', 'platform-storage']);
    expect(platform.modelsProjectName).toBe('ml-models');
    expect(platform.registryHost).toBe('harbor.harbor.svc');
    expect(platform.registryUrl).toBe('http://harbor.harbor.svc');
    expect(platform.registryBucket).toBeUndefined();
    expect(platform.pushRobot).toBeUndefined();
    expect(platform.pullRobot).toBeUndefined();
    expect(platform.inferenceNamespaces).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Schedule')).toEqual([]);
    expect(objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'harbor-registry')).toBeDefined();
    expectAllValid(objects);
  });

  test('A/B: two services on two tags of one repository, in two namespaces, each namespace backed up', () => {
    const { platform, objects } = synthPlatform({
      models: [importedModel('chat', 'v1', 'a'), importedModel('chat', 'v2', 'b')],
      services: [
        { name: 'chat-a', model: 'chat:v1', cache: { size: '1Gi' } },
        { name: 'chat-b', model: 'chat:v2', cache: { size: '1Gi' }, namespace: 'ai-canary' },
      ],
    });
    expect(platform.inferenceNamespaces).toEqual(['ai-canary', 'ai-inference']);
    expect(cacheEnv(deployment(objects, 'ai-inference', 'chat-a'), 'MODEL_TAG')).toBe('v1');
    expect(cacheEnv(deployment(objects, 'ai-canary', 'chat-b'), 'MODEL_TAG')).toBe('v2');
    // One import Job per tag, one pull robot for both namespaces, one Schedule per namespace.
    expect(objects.filter((o) => o.kind === 'Job' && o.metadata.namespace === 'model-import')).toHaveLength(2);
    expect(platform.pullRobot!.namespaces).toEqual(['ai-canary', 'ai-inference']);
    expect(objects.filter((o) => o.kind === 'Schedule').map((o) => o.spec.template.includedNamespaces)).toEqual([['ai-canary'], ['ai-inference']]);
    expectAllValid(objects);
  });

  test('rollback: changing one service\'s model tag changes only that service\'s objects', () => {
    const models = [importedModel('chat', 'v1', 'a'), importedModel('chat', 'v2', 'b')];
    const build = (tagOfB: string) => synthPlatform({
      models,
      services: [
        { name: 'chat-a', model: 'chat:v1', cache: { size: '1Gi' } },
        { name: 'chat-b', model: `chat:${tagOfB}`, cache: { size: '1Gi' } },
      ],
    }).objects;
    const before = build('v2');
    const after = build('v1');
    const key = (o: any) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const changed = after.filter((o) => JSON.stringify(o) !== JSON.stringify(before.find((b) => key(b) === key(o)))).map(key);
    expect(changed).toEqual(['Deployment/ai-inference/chat-b']);
    expect(cacheEnv(deployment(after, 'ai-inference', 'chat-b'), 'MODEL_TAG')).toBe('v1');
  });

  test('the seed\'s one-off backup covers every inference namespace', () => {
    const { objects } = synthPlatform({
      models: [importedModel('chat', 'v1')],
      services: [
        { name: 'chat', model: 'chat:v1', cache: { size: '1Gi' } },
        { name: 'chat', model: 'chat:v1', cache: { size: '1Gi' }, namespace: 'team-b' },
      ],
      backup: PlatformBackup.veleroKopia({ oneOffBackupName: 'ai-backup', scheduleCron: '30 1 * * *', scheduleTtl: '72h0m0s' }),
    });
    expect(gatedBackups(objects).map((o) => [o.metadata.name, o.spec.includedNamespaces])).toEqual([['ai-backup-ai-inference', ['ai-inference']], ['ai-backup-team-b', ['team-b']]]);
    for (const schedule of objects.filter((o) => o.kind === 'Schedule')) {
      expect(schedule.spec.schedule).toBe('30 1 * * *');
      expect(schedule.spec.template.ttl).toBe('72h0m0s');
    }
  });

  test('namespaces as props', () => {
    const { platform, objects } = synthPlatform({
      namespaces: { storage: 's3', registry: 'registry', modelImport: 'imports', inference: 'llm', backup: 'backups' },
      registry: PlatformRegistry.harbor({ registryStorageOnBucket: true }),
      models: [importedModel('chat', 'v1')],
      services: [{ model: 'chat:v1', cache: { size: '1Gi' } }],
    });
    const namespaces = new Set(objects.map((o) => o.metadata.namespace).filter((n) => n !== undefined));
    expect([...namespaces].sort()).toEqual(['backups', 'imports', 'llm', 'registry', 's3']);
    expect(platform.registryHost).toBe('harbor.registry.svc');
    expect(platform.backupBucket!.credentials!.namespace).toBe('backups');
    expect(platform.registryBucket!.credentials!.namespace).toBe('registry');
    expect(objects.find((o) => o.kind === 'Schedule').spec.template.includedNamespaces).toEqual(['llm']);
    expectAllValid(objects);
  });

  test('adoption: existing S3 buckets instead of SeaweedFS', () => {
    const bucket = (name: string, namespace: string) => S3Bucket.fromAttributes({
      endpoint: 'https://s3.example.com',
      bucket: name,
      region: 'eu-west-1',
      credentials: S3Credentials.fromSecret(namespace, `${name}-s3`),
    });
    const { platform, objects } = synthPlatform({
      storage: PlatformStorage.existingBuckets({ backupBucket: bucket('backups', 'velero'), registryBucket: bucket('blobs', 'harbor') }),
      registry: PlatformRegistry.harbor({ registryStorageOnBucket: true }),
    });
    expect(platform.storage).toBeUndefined();
    expect(chartIds(platform).sort()).toEqual(['platform-backup', 'platform-backup-resources', 'platform-registry']);
    const bsl = objects.find((o) => o.kind === 'BackupStorageLocation');
    expect(bsl.spec.objectStorage.bucket).toBe('backups');
    expect(bsl.spec.config.s3Url).toBe('https://s3.example.com');
    expect(objects.find((o) => o.metadata.name === 'harbor-registry' && o.kind === 'ConfigMap').data['config.yml']).toMatch(/bucket: blobs/);
    // External pieces appear in the architecture diagram as their own nodes.
    expect(platform.architectureMarkdown()).toMatch(/x0\(\["existing bucket"\]\)[\s\S]*n\d+ -->\|"BackupStorageLocation on bucket backups at https:\/\/s3.example.com/);
    expectAllValid(objects);
  });

  test('adoption: an existing registry with a robot Secret; models already pushed', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const { platform, objects } = synthPlatform({
      registry: PlatformRegistry.existing({
        registryHost: 'harbor.example.com',
        project: 'models',
        pullSecretName: 'harbor-robot',
        namespace: 'harbor-system',
        entryPodLabels: { app: 'harbor', component: 'nginx' },
      }),
      models: [PlatformModel.existing('chat', 'v1', 'chat.gguf', { digest, sizeBytes: 1_000_000 })],
      services: [{ name: 'chat', model: 'chat:v1', cache: { size: '1Gi' } }],
      backup: PlatformBackup.none(),
    });
    expect(chartIds(platform)).toEqual(['platform-storage', 'platform-inference']);
    expect(platform.registry).toBeUndefined();
    expect(platform.registryUrl).toBe('https://harbor.example.com');
    expect(platform.inferenceModel('chat:v1').reference.toString()).toBe(`harbor.example.com/models/chat:v1@${digest}`);
    const server = deployment(objects, 'ai-inference', 'chat');
    expect(server.spec.template.spec.volumes.find((v: any) => v.secret)?.secret.secretName).toBe('harbor-robot');
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'chat').spec.egress;
    expect(JSON.stringify(egress)).toContain('"kubernetes.io/metadata.name":"harbor-system"');
    expect(objects.filter((o) => o.kind === 'BackupStorageLocation')).toEqual([]);
    expectAllValid(objects);
  });

  test('images: the platform catalog reaches every component', () => {
    const { objects } = synthPlatform({
      images: new ImageCatalog({ registryPrefix: 'mirror.example.com' }),
      models: [importedModel('chat', 'v1')],
      services: [{ model: 'chat:v1', cache: { size: '1Gi' } }],
    });
    const images = imagesOf(objects);
    expect(images.length).toBeGreaterThanOrEqual(15);
    for (const image of images) expect(image).toMatch(/^mirror\.example\.com\//);
  });

  test('network: one setting reaches every API server and DNS egress rule of every component', () => {
    const { objects } = synthPlatform({
      network: new ClusterNetwork({
        apiServerCidrs: ['10.0.0.10/32', '10.0.0.11/32'],
        dnsServers: [DnsServer.kubeDns(), DnsServer.nodeLocalDnsCache()],
      }),
      models: [importedModel('chat', 'v1')],
      services: [{ model: 'chat:v1', cache: { size: '1Gi' } }],
    });
    expectAllValid(objects);
    const rules = objects.filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((p) => (p.spec.egress ?? []).map((rule: any) => ({ policy: `${p.metadata.namespace}/${p.metadata.name}`, rule })));
    const onPort = (port: number) => rules.filter(({ rule }) => rule.ports.some((p: any) => p.port === port));
    // API server egress: the bootstrap Jobs of SeaweedFS, Harbor and Velero, Harbor's setup Job, and
    // Velero's CRD Job, server, node-agent, data-mover and maintenance pods.
    const api = onPort(6443);
    expect(api.map((r) => r.policy).sort()).toEqual([
      'harbor/harbor-secret-bootstrap', 'harbor/harbor-setup',
      'seaweedfs/seaweedfs-secret-bootstrap',
      'velero/velero-crd-install', 'velero/velero-node-agent', 'velero/velero-pod-volume-backup', 'velero/velero-pod-volume-restore',
      'velero/velero-repo-maintenance', 'velero/velero-secret-bootstrap', 'velero/velero-server',
    ]);
    for (const { rule } of api) {
      expect(rule.to).toEqual([{ ipBlock: { cidr: '10.0.0.10/32' } }, { ipBlock: { cidr: '10.0.0.11/32' } }]);
      expect(rule.ports).toEqual([{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }]);
    }
    // DNS egress: every namespace of the platform, each through the same peers.
    const dns = onPort(53);
    expect(new Set(dns.map((r) => r.policy.split('/')[0]))).toEqual(new Set(['seaweedfs', 'harbor', 'model-import', 'ai-inference', 'velero']));
    for (const { rule } of dns) {
      expect(rule.to).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
        { ipBlock: { cidr: '169.254.20.10/32' } },
      ]);
    }
  });

  test('network: a component\'s own network may repeat the platform\'s, not contradict it', () => {
    const network = new ClusterNetwork({ apiServerCidrs: ['10.0.0.10/32'] });
    expect(() => synthPlatform({ network, storage: PlatformStorage.seaweedFS({ network: new ClusterNetwork({ apiServerCidrs: ['10.0.0.10/32'] }) }) })).not.toThrow();
    const error = (props: any) => propErrorOf(() => new ModelPlatform(Testing.app(), 'platform', props));
    const own = new ClusterNetwork({ apiServerCidrs: ['10.9.9.9/32'] });
    for (const [props, prop] of [
      [{ network, storage: PlatformStorage.seaweedFS({ network: own }) }, 'storage.network'],
      [{ network, registry: PlatformRegistry.harbor({ network: own }) }, 'registry.network'],
      [{ network, backup: PlatformBackup.veleroKopia({ network: own }) }, 'backup.network'],
      [{ storage: PlatformStorage.seaweedFS({ network: own }) }, 'storage.network'],
    ] as const) {
      const e = error(props);
      expectPropError(e, 'ModelPlatform', prop, '"a ClusterNetwork"');
      expect(e.fix).toContain('network');
    }
    expectPropError(error({ network: { apiServerCidrs: ['10.0.0.10/32'] } }), 'ModelPlatform', 'network', '{"apiServerCidrs":["10.0.0.10/32"]}');
  });

  test('sync waves: 10 × chart level + the object\'s own wave; turned off with syncWaves: false', () => {
    const { platform } = synthPlatform();
    const charts = platform.chartsInApplyOrder();
    const objectsOf = (id: string) => charts.find((c) => c.node.id === id)!.toJson();
    // Levels: the longest chain of charts below: storage 0, backup 1 (its bucket), backup-resources 2
    // (after backup; no inference chart without services), registry 0 (no bucket by default).
    const levels: Record<string, number> = { 'platform-storage': 0, 'platform-backup': 1, 'platform-backup-resources': 2, 'platform-registry': 0 };
    const base = (id: string) => 10 * levels[id];
    const [storage, backup, resources] = ['platform-storage', 'platform-backup', 'platform-backup-resources'].map(objectsOf);
    const wave = (o: any) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect(new Set(storage.filter((o: any) => o.kind !== 'Namespace').map(wave))).toEqual(new Set([String(base('platform-storage'))]));
    // Velero gives its namespace wave -1 wherever it is created (here by the bucket's credentials copy).
    expect(wave(storage.find((o: any) => o.kind === 'Namespace' && o.metadata.name === 'velero'))).toBe(String(base('platform-storage') - 1));
    // Velero's CRD Job keeps its place before the install (own wave -1), the BSL after it (own wave 1).
    expect(wave(backup.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('velero-crd-install')))).toBe(String(base('platform-backup') - 1));
    expect(wave(backup.find((o: any) => o.kind === 'Deployment'))).toBe(String(base('platform-backup')));
    expect(wave(resources.find((o: any) => o.kind === 'BackupStorageLocation'))).toBe(String(base('platform-backup-resources') + 1));
    // Synthesizing twice does not add the offset twice.
    expect(objectsOf('platform-backup-resources').map(wave)).toEqual(resources.map(wave));

    const plain = synthPlatform({ syncWaves: false, backup: PlatformBackup.none() }).objects;
    expect(plain.filter((o) => wave(o) !== undefined)).toEqual([]);
  });

  test('sync waves of objects added to a platform chart later: a string or Lazy own wave is kept, a non-integer one is an error', () => {
    const wave = (o: any) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    const { platform } = synthPlatform();
    const backupChart = platform.charts.find((c) => c.node.id === 'platform-backup')!; // level 1
    const cm = (id: string, annotations?: Record<string, string>) =>
      new ApiObject(backupChart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id, namespace: 'velero', annotations } });
    cm('plain');
    cm('early', { 'argocd.argoproj.io/sync-wave': '-2' });
    cm('lazy').metadata.addAnnotation('argocd.argoproj.io/sync-wave', Lazy.any({ produce: () => '3' }) as unknown as string);
    const objects = backupChart.toJson();
    const byName = (name: string) => objects.find((o: any) => o.metadata.name === name);
    expect([wave(byName('plain')), wave(byName('early')), wave(byName('lazy'))]).toEqual(['10', '8', '13']);

    cm('bad', { 'argocd.argoproj.io/sync-wave': 'soon' });
    expect(() => backupChart.toJson()).toThrow(/ModelPlatform: ConfigMap bad has sync wave "soon", expected an integer/);
  });

  describe('rejects bad input, naming the prop, the value and the fix', () => {
    const error = (props: any) => propErrorOf(() => new ModelPlatform(Testing.app(), 'platform', props));

    test('an imported model with an existing registry', () => {
      const e = error({ registry: PlatformRegistry.existing({ registryHost: 'r.example.com', project: 'm' }), models: [importedModel('chat', 'v1')] });
      expectPropError(e, 'ModelPlatform', 'models[0]', '"chat:v1"');
      expect(e.fix).toMatch(/PlatformModel.existing/);
    });
    test('a service naming an undeclared model', () => {
      const e = error({ models: [importedModel('chat', 'v1')], services: [{ model: 'chat:v9', cache: { size: '1Gi' } }] });
      expectPropError(e, 'ModelPlatform', 'services[0].model', '"chat:v9"');
      expect(e.allowed).toContain('chat:v1');
    });
    test('a model declared twice', () => {
      expectPropError(error({ models: [importedModel('chat', 'v1'), importedModel('chat', 'v1', 'b')] }), 'ModelPlatform', 'models[1]', '"chat:v1"');
    });
    test('two services with one name in one namespace', () => {
      const e = error({
        models: [importedModel('chat', 'v1')],
        services: [{ model: 'chat:v1', cache: { size: '1Gi' } }, { model: 'chat:v1', cache: { size: '1Gi' } }],
      });
      expectPropError(e, 'ModelPlatform', 'services[1].name', '"llama"');
    });
    test('registryStorageOnBucket together with registryStorage', () => {
      const e = error({ registry: PlatformRegistry.harbor({ registryStorageOnBucket: true, registryStorage: HarborRegistryStorage.persistentVolume({ size: '10Gi' }) }) });
      expectPropError(e, 'ModelPlatform', 'registry.registryStorageOnBucket', 'true');
    });
    test('existing buckets without a backup bucket while backups are on', () => {
      const e = error({ storage: PlatformStorage.existingBuckets({}) });
      expectPropError(e, 'ModelPlatform', 'storage.backupBucket', 'undefined');
      expect(e.fix).toMatch(/S3Bucket.fromAttributes/);
    });
    test('a component namespace that contradicts the platform\'s', () => {
      const e = error({ namespaces: { storage: 's3' }, storage: PlatformStorage.seaweedFS({ namespace: 'seaweedfs' }) });
      expectPropError(e, 'ModelPlatform', 'storage.namespace', '"seaweedfs"');
      expect(e.fix).toContain('namespaces.storage');
    });
    test('a namespace that is not a DNS label', () => {
      expectPropError(error({ namespaces: { inference: 'AI_Inference' } }), 'ModelPlatform', 'namespaces.inference', '"AI_Inference"');
    });
    test('a storage, registry or backup that is not made by its factory', () => {
      expectPropError(error({ storage: { seaweedFS: {} } }), 'ModelPlatform', 'storage', '{"seaweedFS":{}}');
      expectPropError(error({ registry: 'harbor' }), 'ModelPlatform', 'registry', '"harbor"');
      expectPropError(error({ backup: true }), 'ModelPlatform', 'backup', 'true');
    });
    test('a one-off backup name that is not a DNS label', () => {
      const e = error({
        models: [importedModel('chat', 'v1')],
        services: [{ model: 'chat:v1', cache: { size: '1Gi' } }],
        backup: PlatformBackup.veleroKopia({ oneOffBackupName: 'AI Backup' }),
      });
      expectPropError(e, 'ModelPlatform', 'backup.oneOffBackupName', '"AI Backup"');
    });
    test('component errors keep their own construct name', () => {
      const e = error({ models: [importedModel('chat', 'v1')], services: [{ model: 'chat:v1', cache: { size: '-1Gi' } }] });
      expect(e.construct).toBe('LlamaInferenceService');
    });
  });
});

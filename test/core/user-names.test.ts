import { Chart, Testing } from 'cdk8s';
import { PlatformBackup } from '../../src';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { ModelReference } from '../../src/core/model-reference';
import { fittedName } from '../../src/core/names';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { RobotPermission } from '../../src/harbor/robot-account';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService } from '../../src/inference/llama-inference-service';
import { ModelArtifact } from '../../src/models/model-artifact';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { bucketIn } from '../backup/helpers';
import { platform, seedProps } from '../models/helpers';
import { expectAllValid, importedModel, synthPlatform } from '../platform/synth';
import { expectPropError, propErrorOf } from '../prop-errors';
import { expectValidManifests } from '../validation';

const MODEL = InferenceModel.fromReference(
  ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf'), 'tinyllama.gguf', { sizeBytes: 668788096, plainHttp: true });

const SYSTEM = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

describe('system namespaces are refused for components that label their namespace and lock it down', () => {
  const components: Array<[string, (chart: Chart, ns: string) => unknown]> = [
    ['SeaweedFSStorage', (chart, ns) => new SeaweedFSStorage(chart, 'storage', { namespace: ns })],
    ['HarborModelRegistry', (chart, ns) => new HarborModelRegistry(chart, 'harbor', { namespace: ns })],
    ['LlamaInferenceService', (chart, ns) => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, namespace: ns })],
    ['VeleroKopiaBackup', (chart, ns) => new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn(ns), namespace: ns })],
    ['ModelArtifact', (chart, ns) => {
      const p = platform({}, chart);
      const pusher = p.project.addRobotAccount('system-pusher', { permissions: [RobotPermission.PUSH], namespaces: [ns] });
      return new ModelArtifact(chart, 'model', seedProps(p, { namespace: ns, pushRobot: pusher }));
    }],
  ];
  test.each(components.flatMap(([name, build]) => SYSTEM.map((ns) => [name, ns, build] as const)))('%s in %s', (construct, ns, build) => {
    const error = propErrorOf(() => build(Testing.chart(), ns));
    expect(error.prop).toBe('namespace');
    expect(error.message).toContain(`got "${ns}"`);
    expect(error.message).toContain("not one of the cluster's system namespaces (default, kube-system, kube-public, kube-node-lease)");
    expect(error.message).toContain(`${construct} 'test/`);
    expect(error.fix).toMatch(/namespace of its own/);
  });

  test('Velero may back up the default namespace and a robot may write its pull secret there: no Namespace object for it', () => {
    const chart = Testing.chart();
    const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn('velero') });
    velero.scheduleNamespace('default', { cron: '0 2 * * *' });
    velero.backupNamespace('kube-system', { name: 'system-backup' });
    const registry = new HarborModelRegistry(chart, 'harbor');
    registry.addProject('ml-models').addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['default'] });
    const objects = [...Testing.synth(chart), ...Testing.synth(velero.resourcesChart)];
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual(['harbor', 'velero']);
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.namespace === 'default')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.namespace === 'kube-system')).toHaveLength(1);
    expectValidManifests(objects.filter((o) => o.apiVersion !== 'velero.io/v1'));
  });
});

describe('names that become Service names are RFC 1035 labels', () => {
  test.each([
    ['LlamaInferenceService', (chart: Chart) => new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, name: '7b' })],
    ['HarborModelRegistry', (chart: Chart) => new HarborModelRegistry(chart, 'harbor', { name: '7b' })],
    ['SeaweedFSStorage', (chart: Chart) => new SeaweedFSStorage(chart, 'storage', { name: '7b' })],
  ])('%s name "7b" is refused with a name that starts with a letter', (construct, build) => {
    const error = propErrorOf(() => build(Testing.chart()));
    expectPropError(error, construct, 'name', '"7b"');
    expect(error.allowed).toContain('starting with a letter');
    expect(error.fix).toBe('use a name such as "m-7b"');
  });

  test('a ModelPlatform service named 7b is refused', () => {
    const error = propErrorOf(() => synthPlatform({ models: [importedModel('chat', 'v1')], services: [{ name: '7b', model: 'chat:v1', cache: { size: '1Gi' } }] }));
    expect(error.message).toContain("LlamaInferenceService 'name': got \"7b\"");
  });

  test('llama-7b is accepted', () => {
    const chart = Testing.chart();
    new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, name: 'llama-7b' });
    expect(Testing.synth(chart).some((o) => o.kind === 'Service' && o.metadata.name === 'llama-7b')).toBe(true);
  });
});

describe('ModelPlatform construct ids never collide for valid configurations', () => {
  test('services a/b-c and a-b/c', () => {
    const { objects } = synthPlatform({
      models: [importedModel('chat', 'v1')],
      services: [
        { name: 'b-c', model: 'chat:v1', cache: { size: '1Gi' }, namespace: 'a' },
        { name: 'c', model: 'chat:v1', cache: { size: '1Gi' }, namespace: 'a-b' },
      ],
    });
    const deployments = objects.filter((o) => o.kind === 'Deployment' && ['a', 'a-b'].includes(o.metadata.namespace));
    expect(deployments.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['a-b/c', 'a/b-c']);
    expectAllValid(objects);
  });

  test('models team/a:b and team-a:b', () => {
    const { objects } = synthPlatform({
      models: [importedModel('team/a', 'b', 'a'), importedModel('team-a', 'b', 'b')],
      services: [
        { name: 'one', model: 'team/a:b', cache: { size: '1Gi' } },
        { name: 'two', model: 'team-a:b', cache: { size: '1Gi' } },
      ],
    });
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.namespace === 'model-import');
    expect(jobs).toHaveLength(2);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'model-import').map((o) => o.metadata.name);
    expect(configMaps).toContain('team-a-b');
    expect(configMaps.find((name) => /^team-a-b-[0-9a-f]{8}$/.test(name))).toBeDefined();
    expectAllValid(objects);
  });
});

describe('names the library derives fit whatever the user was allowed to give', () => {
  const long = (prefix: string) => `${prefix}${'x'.repeat(63 - prefix.length)}`;

  test('fittedName keeps short names, and shortens long ones to a distinct name with the suffix kept', () => {
    expect(fittedName(48, 'ai-inference', 'schedule')).toBe('ai-inference-schedule');
    const a = fittedName(48, long('team-a-'), 'schedule');
    const b = fittedName(48, long('team-b-'), 'schedule');
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(48);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9a-f]{8}-schedule$/);
    }
    expect(a).not.toBe(b);
    expect(fittedName(63, 'x', 'y'.repeat(70))).toMatch(/^x-y+-[0-9a-f]{8}$/);
    expect(fittedName(63, 'x', 'y'.repeat(70))).toHaveLength(63);
  });

  test('a 63-character inference namespace works with the default Schedule and the one-off Backups of two namespaces', () => {
    const first = long('ai-inference-');
    const second = long('ai-inference-b-');
    const { objects } = synthPlatform({
      models: [importedModel('chat', 'v1')],
      services: [
        { name: 'chat', model: 'chat:v1', cache: { size: '1Gi' }, namespace: first },
        { name: 'chat', model: 'chat:v1', cache: { size: '1Gi' }, namespace: second },
      ],
      backup: PlatformBackup.veleroKopia({ oneOffBackupName: 'ai-backup' }),
    });
    const schedules = objects.filter((o) => o.kind === 'Schedule');
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) expect(schedule.metadata.name.length).toBeLessThanOrEqual(63 - 15);
    expect(new Set(schedules.map((o) => o.metadata.name)).size).toBe(2);
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('velero-backup-'));
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((o) => o.metadata.name)).size).toBe(2);
    expectAllValid(objects);
  });

  test('VeleroKopiaBackup defaults for a 63-character namespace: schedule, backup and restore names', () => {
    const chart = Testing.chart();
    const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn('velero') });
    const ns = long('team-');
    const schedule = velero.scheduleNamespace(ns, { cron: '0 2 * * *' });
    velero.backupNamespace(ns);
    const restore = velero.restore({ scheduleName: schedule.name });
    expect(schedule.name).toMatch(/-schedule$/);
    expect(schedule.name.length).toBeLessThanOrEqual(48);
    expect(restore.name).toMatch(/-restore$/);
    expect(restore.name.length).toBeLessThanOrEqual(63);
  });

  test('two long one-off backup names that share their first 50 characters get two Jobs', () => {
    const chart = Testing.chart();
    const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn('velero') });
    velero.backupNamespace('ai-inference', { name: `${'b'.repeat(55)}-one` });
    velero.backupNamespace('ai-inference', { name: `${'b'.repeat(55)}-two` });
    const jobs = Testing.synth(velero.resourcesChart).filter((o) => o.kind === 'Job');
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((o) => o.metadata.name)).size).toBe(2);
    for (const job of jobs) expect(job.metadata.name.length).toBeLessThanOrEqual(63);
  });
});

test('LlamaInferenceService name default-deny is refused at construction (its NetworkPolicy would replace the default-deny one)', () => {
  const error = propErrorOf(() => new LlamaInferenceService(Testing.chart(), 'llama', { model: MODEL, cache: { size: '2Gi' }, name: 'default-deny' }));
  expectPropError(error, 'LlamaInferenceService', 'name', '"default-deny"');
});

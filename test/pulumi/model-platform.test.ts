import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { examplePlatformProps } from '../../examples/platform';
import { ModelPlatform, ModelPlatformProps, PlatformBackup } from '../../src';
import { describeWithVeleroCrds, expectValidManifests } from '../validation';
// The package names, as a Pulumi program imports them. jest maps both to src/ (.projenrc.ts), so
// `cnai-model-platform` and `../../src` above are the same module: one copy of the library.
import { Registered, unwrap, useRecordingMocks } from './mocks';
import * as byPackageName from 'cnai-model-platform';
import { DEPENDS_ON_ANNOTATION, JOB_AWAIT_MARGIN_SECONDS, ModelPlatform as PulumiModelPlatform, ModelPlatformArgs, TIMEOUT_ANNOTATION } from 'cnai-model-platform/pulumi';

const registered = useRecordingMocks();

const TINYLLAMA_KEY = 'tinyllama-oras:v1.0.0-gguf';
const CHARTS = ['platform-storage', 'platform-backup', 'platform-registry', 'platform-models', 'platform-inference', 'platform-backup-resources'];


interface Deployed {
  readonly component: PulumiModelPlatform;
  /** ConfigGroup name -> its `objs` input. */
  readonly groups: Map<string, any[]>;
  /** Every object handed to a ConfigGroup. */
  readonly objs: any[];
  /** ConfigGroup name -> the options it was created with (seen through a transformation). */
  readonly opts: Map<string, pulumi.ResourceOptions>;
}

/** Creates the component and waits until the mock monitor has seen every ConfigGroup. */
async function deploy(name: string, args: ModelPlatformArgs): Promise<Deployed> {
  const opts = new Map<string, pulumi.ResourceOptions>();
  // Transformations are inherited by children and see each child's final options (parent, dependsOn).
  const component = new PulumiModelPlatform(name, args, {
    transformations: [a => {
      opts.set(a.name, a.opts);
      return undefined;
    }],
  });
  await Promise.all(Object.values(component.deployment.configGroups).map(g => unwrap(g.urn)));
  // Registrations of all tests accumulate; the ConfigGroup names of one component share its name as prefix.
  const groups = new Map(registered
    .filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith(`${name}-platform-`))
    .map(r => [r.name, r.inputs.objs as any[]]));
  return { component, groups, objs: [...groups.values()].flat(), opts };
}

/** What `cdk8s synth` of the same props writes: every document of the App, in file order. */
function cdk8sSynth(props: ModelPlatformProps): any[] {
  const app = new App();
  new ModelPlatform(app, 'platform', props);
  return parseAllDocuments(app.synthYaml()).map(doc => doc.toJSON());
}

function key(obj: any): string {
  return `${obj.apiVersion} ${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function dependsOn(obj: any): string[] {
  const value: string | undefined = obj.metadata.annotations?.[DEPENDS_ON_ANNOTATION];
  return value === undefined ? [] : value.split(',');
}

/** A deep copy without the depends-on annotation (the one thing the adapter rewrites). */
/** The object without the annotations the Pulumi side adds (depends-on, Job await timeout). */
function withoutPulumiAnnotations(obj: any): any {
  const copy = JSON.parse(JSON.stringify(obj));
  delete copy.metadata.annotations?.[DEPENDS_ON_ANNOTATION];
  delete copy.metadata.annotations?.[TIMEOUT_ANNOTATION];
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  return copy;
}

function find(objs: any[], kind: string, name: string): any {
  const obj = objs.find(o => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`no ${kind} ${name} among ${objs.length} objects`);
  return obj;
}

function expectValidExceptVelero(objs: any[]): void {
  expectValidManifests(objs.filter(o => o.apiVersion !== 'velero.io/v1'));
}

/** The demo with two services, a BackupStorageLocation prefix and skipAwait (built on first use, shared by two tests). */
let variantDeployment: Promise<Deployed> | undefined;
function variant(): Promise<Deployed> {
  variantDeployment ??= deploy('variant', {
    ...examplePlatformProps({ inferenceServices: 2 }),
    backup: PlatformBackup.veleroKopia({ prefix: 'cluster-a/velero' }),
    skipAwait: true,
  });
  return variantDeployment;
}

// The seed's demo is built once (cdk8s' dependency sort makes each synth take seconds under jest).
let demo: Deployed;
let demoSynth: any[];
beforeAll(async () => {
  demo = await deploy('demo', examplePlatformProps());
  demoSynth = cdk8sSynth(examplePlatformProps());
});

describe('ModelPlatform (Pulumi)', () => {
  test('loads one copy of the library through the package name and ../../src', () => {
    expect(byPackageName.ModelPlatform).toBe(ModelPlatform);
    expect(byPackageName.PlatformBackup).toBe(PlatformBackup);
  });

  test('registers exactly the objects cdk8s synth produces, one ConfigGroup per chart with a stable name', async () => {
    const { component, groups, objs } = demo;

    expect([...groups.keys()].sort()).toEqual(CHARTS.map(c => `demo-${c}`).sort());
    expect(Object.keys(component.deployment.configGroups).sort()).toEqual([...CHARTS].sort());
    expect(objs).toHaveLength(demoSynth.length);
    expect(objs.map(key).sort()).toEqual(demoSynth.map(key).sort());
    expect(new Set(objs.map(key)).size).toBe(objs.length);
    // The same objects, not a second implementation: only the depends-on and await-timeout annotations differ.
    const synthByKey = new Map(demoSynth.map(o => [key(o), withoutPulumiAnnotations(o)]));
    for (const obj of objs) expect(withoutPulumiAnnotations(obj)).toEqual(synthByKey.get(key(obj)));
    // Each ConfigGroup holds exactly its chart's objects, in the chart's order.
    for (const chart of component.platform.charts) {
      expect(groups.get(`demo-${chart.node.id}`)!.map(key)).toEqual(chart.toJson().map(key));
    }
    expect(await unwrap(component.objectCount)).toBe(demoSynth.length);

    // The component has its type token; the chart deployment is its child.
    const self = registered.find(r => r.name === 'demo' && r.type === 'cnai-model-platform:index:ModelPlatform');
    expect(self).toBeDefined();
    expect(await unwrap(component.deployment.urn))
      .toBe('urn:pulumi:stack::project::cnai-model-platform:index:ModelPlatform$cnai-model-platform:index:Cdk8sChartDeployment::demo');
    expect(demo.opts.get('demo')!.parent).toBe(component);
    // Only plain values reach the engine as component inputs (no construct tree, no class instances).
    expect(Object.keys(self!.inputs).every(k => ['namespaces', 'syncWaves', 'skipAwait', 'defaultNamespace'].includes(k))).toBe(true);

    expectValidExceptVelero(objs);
  });

  test('Jobs with a deadline are awaited for that deadline plus a margin, the others for the provider default', () => {
    const jobs = demo.objs.filter(o => o.kind === 'Job');
    const withDeadline = jobs.filter(j => j.spec.activeDeadlineSeconds !== undefined);
    // The model import (TinyLlama: ~32 min, over the provider's 10 min) and the bucket Job.
    expect(withDeadline.map(j => j.metadata.name).sort()).toEqual(
      demoSynth.filter(o => o.kind === 'Job' && o.spec.activeDeadlineSeconds !== undefined).map(o => o.metadata.name).sort());
    expect(withDeadline.length).toBeGreaterThanOrEqual(2);
    for (const job of withDeadline) {
      expect(job.metadata.annotations[TIMEOUT_ANNOTATION]).toBe(String(job.spec.activeDeadlineSeconds + JOB_AWAIT_MARGIN_SECONDS));
    }
    const importJob = withDeadline.find(j => j.metadata.name.startsWith('tinyllama-oras'))!;
    expect(Number(importJob.metadata.annotations[TIMEOUT_ANNOTATION])).toBeGreaterThan(30 * 60);
    for (const job of jobs.filter(j => j.spec.activeDeadlineSeconds === undefined)) {
      expect(job.metadata.annotations?.[TIMEOUT_ANNOTATION]).toBeUndefined();
    }
    // cdk8s synth output carries no Pulumi annotation.
    for (const obj of demoSynth) expect(obj.metadata.annotations?.[TIMEOUT_ANNOTATION]).toBeUndefined();
  });

  test('object names are stable: a second construction hands over the same objects', async () => {
    const again = await deploy('again', examplePlatformProps());
    expect([...again.groups.keys()]).toEqual([...demo.groups.keys()].map(n => n.replace(/^demo-/, 'again-')));
    expect(again.objs.map(key)).toEqual(demo.objs.map(key));
    expect(again.objs).toEqual(demo.objs);
  });

  test('apply order: depends-on annotations inside a chart, dependsOn between the ConfigGroups', () => {
    const { component, groups, opts } = demo;
    const backup = component.platform.backup!;
    const cg = component.deployment.configGroups;

    // The Velero server waits for the CRD Job of its chart.
    const backupObjs = groups.get('demo-platform-backup')!;
    expect(dependsOn(find(backupObjs, 'Deployment', 'velero'))).toEqual([backup.crdInstallJobRef]);
    expect(backup.crdInstallJobRef).toBe(`batch/namespaces/velero/Job/${find(backupObjs, 'Job', backup.crdInstallJobName).metadata.name}`);
    // The Velero custom resources keep their depends-on annotations on objects of their own chart; the
    // references to the CRD Job (another chart: a ConfigGroup cannot resolve it) became dependsOn instead.
    const resources = groups.get('demo-platform-backup-resources')!;
    const bslRef = `velero.io/namespaces/velero/BackupStorageLocation/${backup.backupStorageLocationName}`;
    expect(dependsOn(find(resources, 'Schedule', 'ai-inference-schedule'))).toEqual([bslRef]);
    // The one-off backup's Job waits for the location too, and is awaited up to its deadline plus 2 minutes.
    const gate = resources.find(o => o.kind === 'Job' && o.metadata.name.startsWith('velero-backup-ai-backup-'));
    expect(dependsOn(gate)).toEqual([bslRef]);
    expect(gate.metadata.annotations['pulumi.com/timeoutSeconds']).toBe(String(3600 + 300 + 120));
    expect(dependsOn(find(resources, 'BackupStorageLocation', 'default'))).toEqual([]);
    expect(dependsOn(demoSynth.find(o => o.kind === 'BackupStorageLocation'))).toEqual([backup.crdInstallJobRef]);
    expect(opts.get('demo-platform-backup-resources')!.dependsOn).toEqual(expect.arrayContaining([cg['platform-backup']]));

    // Later charts wait for earlier ones.
    const sorted = Object.fromEntries(Object.entries(component.deployment.chartDependencies).map(([c, deps]) => [c, [...deps].sort()]));
    expect(sorted).toEqual({
      'platform-storage': [],
      'platform-backup': ['platform-storage'],
      'platform-registry': ['platform-storage'],
      'platform-models': ['platform-registry'],
      // Its namespace comes from the registry chart, which it already reaches through models.
      'platform-inference': ['platform-models'],
      'platform-backup-resources': ['platform-backup', 'platform-inference'],
    });
    for (const [chart, deps] of Object.entries(component.deployment.chartDependencies)) {
      const options = opts.get(`demo-${chart}`)!;
      expect(options.parent).toBe(component.deployment);
      expect(options.dependsOn).toEqual(deps.map(d => cg[d]));
    }
    // Namespaces are created by the first chart that uses them (the provider applies a Namespace
    // before the namespaced objects of its ConfigGroup; later ConfigGroups wait for it).
    expect(groups.get('demo-platform-storage')!.filter(o => o.kind === 'Namespace').map(o => o.metadata.name).sort())
      .toEqual(['harbor', 'seaweedfs', 'velero']);
  });

  test('outputs resolve to what the cdk8s construct reports', async () => {
    const { component } = demo;
    const platform = component.platform;

    expect(await unwrap(component.harborUrl)).toBe('http://harbor.harbor.svc');
    expect(await unwrap(component.harborUrl)).toBe(platform.registryUrl);
    expect(await unwrap(component.registryHost)).toBe('harbor.harbor.svc');
    const references = await unwrap(component.modelReferences);
    expect(Object.keys(references)).toEqual([TINYLLAMA_KEY]);
    expect(references[TINYLLAMA_KEY]).toMatch(/^harbor\.harbor\.svc\/ml-models\/tinyllama-oras:v1\.0\.0-gguf/);
    expect(references[TINYLLAMA_KEY]).toBe(platform.inferenceModel(TINYLLAMA_KEY).reference.toString());
    expect(await unwrap(component.inferenceEndpoints)).toEqual({ 'ai-inference/llama': 'http://llama.ai-inference.svc:8080' });
    expect(await unwrap(component.backupLocation)).toEqual({ bucket: 'velero', endpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333' });
    expect(demo.groups.size).toBe(CHARTS.length);
    expect(registered.filter(r => r.name.startsWith('demo-platform-')).every(r => r.inputs.skipAwait === undefined)).toBe(true);
  });

  test('skipAwait, a backup prefix and several services', async () => {
    const { component, objs } = await variant();
    expect(await unwrap(component.backupLocation))
      .toEqual({ bucket: 'velero', endpoint: 'http://seaweedfs-s3.seaweedfs.svc:8333', prefix: 'cluster-a/velero' });
    expect(await unwrap(component.inferenceEndpoints)).toEqual({
      'ai-inference/llama': 'http://llama.ai-inference.svc:8080',
      'ai-inference/llama-2': 'http://llama-2.ai-inference.svc:8080',
    });
    expect(registered.filter(r => r.name.startsWith('variant-platform-')).every(r => r.inputs.skipAwait === true)).toBe(true);
    expect(find(objs, 'BackupStorageLocation', 'default').spec.objectStorage.prefix).toBe('cluster-a/velero');
    expectValidExceptVelero(objs);
  });

  test('PlatformBackup.none(): no backup charts, backupLocation undefined', async () => {
    const props = { ...examplePlatformProps(), backup: PlatformBackup.none() };
    const { component, groups, objs } = await deploy('nobackup', props);
    const expected = cdk8sSynth(props);

    expect([...groups.keys()].sort())
      .toEqual(['nobackup-platform-inference', 'nobackup-platform-models', 'nobackup-platform-registry', 'nobackup-platform-storage']);
    expect(objs.map(key).sort()).toEqual(expected.map(key).sort());
    expect(objs.some(o => o.apiVersion === 'velero.io/v1' || o.metadata.namespace === 'velero')).toBe(false);
    expect(await unwrap(component.backupLocation)).toBeUndefined();
    expect(await unwrap(component.objectCount)).toBe(expected.length);
    expectValidManifests(objs);
  });

  test('invalid args raise a ResourceError carrying the library message', () => {
    const props = { ...examplePlatformProps(), services: [{ name: 'llama', model: 'missing:v1' }] };
    let libraryMessage = '';
    try {
      new ModelPlatform(new App(), 'platform', props);
    } catch (error) {
      libraryMessage = (error as Error).message;
    }
    expect(libraryMessage).toMatch(/^ModelPlatform 'services\[0\]\.model': got "missing:v1", expected the key of one of the platform's models/);

    let raised: unknown;
    try {
      new PulumiModelPlatform('bad', props);
    } catch (error) {
      raised = error;
    }
    expect(raised).toBeInstanceOf(pulumi.ResourceError);
    expect((raised as pulumi.ResourceError).message).toBe(libraryMessage);
    expect((raised as pulumi.ResourceError).resource).toBeInstanceOf(PulumiModelPlatform);

    // Not a props object at all, and a value of the wrong class.
    expect(() => new PulumiModelPlatform('null', null as unknown as ModelPlatformArgs))
      .toThrow(/^ModelPlatform 'args': got null, expected a ModelPlatformArgs object/);
    expect(() => new PulumiModelPlatform('wrong', { backup: 'none' as unknown as PlatformBackup }))
      .toThrow(pulumi.ResourceError);
    expect(() => new PulumiModelPlatform('wrong2', { backup: 'none' as unknown as PlatformBackup }))
      .toThrow(/^ModelPlatform 'backup': got "none", expected a PlatformBackup/);
  });
});


describeWithVeleroCrds('ModelPlatform (Pulumi) Velero custom resources', (veleroCrdDir) => {
  test('every object handed to the ConfigGroups is valid, Velero custom resources against their CRDs', async () => {
    const velero = demo.objs.filter(o => o.apiVersion === 'velero.io/v1');
    // The one-off Backup is created by a Job, not handed to Pulumi.
    expect(velero.map(o => o.kind).sort()).toEqual(['BackupStorageLocation', 'Schedule']);
    expectValidManifests(demo.objs, { crdSchemaDirs: [veleroCrdDir] });
    expectValidManifests((await variant()).objs, { crdSchemaDirs: [veleroCrdDir] });
  });
});

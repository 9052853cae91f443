import * as pulumi from '@pulumi/pulumi';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Registered, unwrap, useRecordingMocks } from './mocks';
import { Cdk8sChartDeployment, DEPENDS_ON_ANNOTATION, TIMEOUT_ANNOTATION } from '../../src/pulumi';

const registered = useRecordingMocks();

beforeEach(() => {
  registered.length = 0;
});


/** Waits until every ConfigGroup is registered with the mock monitor and returns their records. */
async function registeredGroups(deployment: Cdk8sChartDeployment): Promise<Registered[]> {
  await Promise.all(Object.values(deployment.configGroups).map(g => unwrap(g.urn)));
  return registered.filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup');
}

/**
 * The mock does not see resource options, but `transformations` given to the component are
 * inherited by its children and run in the SDK before registration, with the final options.
 */
function captureOpts(): { captured: Map<string, pulumi.ResourceOptions>; opts: pulumi.ComponentResourceOptions } {
  const captured = new Map<string, pulumi.ResourceOptions>();
  const opts: pulumi.ComponentResourceOptions = {
    transformations: [a => {
      captured.set(a.name, a.opts);
      return undefined;
    }],
  };
  return { captured, opts };
}

function configMap(scope: Construct, id: string, namespace?: string): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id, namespace } });
}

function annotation(obj: any): string | undefined {
  return obj.metadata.annotations?.[DEPENDS_ON_ANNOTATION];
}

/** The depends-on references of an object, in annotation order. */
function refsOf(obj: any): string[] {
  return (annotation(obj) ?? '').split(',');
}

function byName(objs: any[], name: string): any {
  const obj = objs.find(o => o.metadata.name === name);
  if (!obj) throw new Error(`no object named ${name}`);
  return obj;
}

describe('Cdk8sChartDeployment', () => {
  test('registers every object of a 2-chart app, one ConfigGroup per chart with a stable name', async () => {
    const app = new App();
    const infra = new Chart(app, 'infra');
    new ApiObject(infra, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    configMap(infra, 'settings', 'ns');
    const web = new Chart(app, 'web', { namespace: 'ns' });
    new ApiObject(web, 'deploy', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } });
    configMap(web, 'web-config');

    const deployment = new Cdk8sChartDeployment('platform', { app });
    const groups = await registeredGroups(deployment);

    expect(Object.keys(deployment.configGroups)).toEqual(['infra', 'web']);
    expect(groups.map(g => g.name).sort()).toEqual(['platform-infra', 'platform-web']);
    for (const chart of [infra, web]) {
      const group = groups.find(g => g.name === `platform-${chart.node.id}`)!;
      const expected = chart.toJson();
      expect(group.inputs.objs).toHaveLength(expected.length);
      expect(group.inputs.objs.map((o: any) => `${o.kind}/${o.metadata.name}`))
        .toEqual(expected.map(o => `${o.kind}/${o.metadata.name}`));
      // Without dependencies the objects are passed through unchanged.
      expect(group.inputs.objs).toEqual(expected);
    }
    // The component is registered with its type token, the ConfigGroups are its children.
    expect(registered.find(r => r.name === 'platform')?.type).toBe('cnai-model-platform:index:Cdk8sChartDeployment');
    expect(await unwrap(deployment.configGroups.web.urn))
      .toBe('urn:pulumi:stack::project::cnai-model-platform:index:Cdk8sChartDeployment$kubernetes:yaml/v2:ConfigGroup::platform-web');
  });

  test('object dependencies become depends-on annotations (namespaced, cluster-scoped, core and non-core groups)', async () => {
    const app = new App();
    const chart = new Chart(app, 'apps');
    const ns = new ApiObject(chart, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    const role = new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } });
    const cm = configMap(chart, 'cm', 'ns');
    const deploy = new ApiObject(chart, 'deploy', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' } });
    const pod = new ApiObject(chart, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod-a', namespace: 'ns', annotations: { [DEPENDS_ON_ANNOTATION]: '/namespaces/ns/ConfigMap/cm' } },
    });
    // A dependency on a plain construct expands to every ApiObject under it.
    const bundle = new Construct(chart, 'bundle');
    configMap(bundle, 'one', 'ns');
    configMap(bundle, 'two'); // no namespace: the provider's default namespace applies
    // A cluster-scoped custom kind, known through its CRD in the same chart.
    new ApiObject(chart, 'crd', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'issuers.example.com' },
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'ClusterIssuer', plural: 'issuers' } },
    });
    const issuer = new ApiObject(chart, 'issuer', { apiVersion: 'example.com/v1', kind: 'ClusterIssuer', metadata: { name: 'ca' } });

    cm.addDependency(ns);
    deploy.addDependency(cm, role);
    pod.addDependency(deploy, bundle, issuer);

    const deployment = new Cdk8sChartDeployment('deps', { app });
    const [group] = await registeredGroups(deployment);
    const objs = group.inputs.objs;

    expect(annotation(byName(objs, 'cm'))).toBe('/Namespace/ns');
    expect(refsOf(byName(objs, 'web')).sort())
      .toEqual(['/namespaces/ns/ConfigMap/cm', 'rbac.authorization.k8s.io/ClusterRole/reader']);
    // Existing references (to objects of the same chart) are kept first; new ones are appended without duplicates.
    expect(refsOf(byName(objs, 'pod-a'))).toEqual(expect.arrayContaining([
      '/namespaces/ns/ConfigMap/cm',
      'apps/namespaces/ns/Deployment/web',
      '/namespaces/ns/ConfigMap/one',
      '/namespaces/default/ConfigMap/two',
      'example.com/ClusterIssuer/ca',
    ]));
    expect(refsOf(byName(objs, 'pod-a'))).toHaveLength(5);
    expect(refsOf(byName(objs, 'pod-a'))[0]).toBe('/namespaces/ns/ConfigMap/cm');
    expect(annotation(byName(objs, 'ns'))).toBeUndefined();
    expect(annotation(byName(objs, 'reader'))).toBeUndefined();

    expect((await unwrap(deployment.objectRefs)).apps).toEqual(expect.arrayContaining([
      '/Namespace/ns', 'apps/namespaces/ns/Deployment/web', 'example.com/ClusterIssuer/ca',
    ]));
  });

  test('defaultNamespace is used for namespaced objects without a namespace', async () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const a = configMap(chart, 'a');
    a.addDependency(configMap(chart, 'b'));
    const deployment = new Cdk8sChartDeployment('dn', { app, defaultNamespace: 'team' });
    const [group] = await registeredGroups(deployment);
    expect(annotation(byName(group.inputs.objs, 'a'))).toBe('/namespaces/team/ConfigMap/b');
  });

  test('chart dependencies become dependsOn between ConfigGroups', async () => {
    const app = new App();
    const crds = new Chart(app, 'crds');
    const operator = new Chart(app, 'operator');
    const workloads = new Chart(app, 'workloads');
    const crdObj = configMap(crds, 'crd-cm', 'ns');
    configMap(operator, 'op-cm', 'ns');
    const wl = configMap(workloads, 'wl-cm', 'ns');
    operator.addDependency(crds); // explicit chart dependency
    wl.addDependency(crdObj); // construct dependency across charts -> chart dependency

    const { captured, opts } = captureOpts();
    const deployment = new Cdk8sChartDeployment('order', { app }, opts);
    const groups = await registeredGroups(deployment);
    expect(groups).toHaveLength(3);

    expect(deployment.chartDependencies).toEqual({ crds: [], operator: ['crds'], workloads: ['crds'] });
    const cg = deployment.configGroups;
    expect(captured.get('order-operator')?.dependsOn).toEqual([cg.crds]);
    expect(captured.get('order-workloads')?.dependsOn).toEqual([cg.crds]);
    expect(captured.get('order-crds')?.dependsOn).toEqual([]);
    for (const name of ['order-crds', 'order-operator', 'order-workloads']) {
      expect(captured.get(name)?.parent).toBe(deployment);
    }
    // Cross-chart references are not annotations (the provider cannot resolve them across groups).
    const wlGroup = groups.find(g => g.name === 'order-workloads')!;
    expect(annotation(wlGroup.inputs.objs[0])).toBeUndefined();
  });

  test('depends-on annotations written by constructs across charts become ConfigGroup dependsOn', async () => {
    const app = new App();
    const install = new Chart(app, 'install');
    const resources = new Chart(app, 'resources');
    configMap(install, 'job-cm', 'velero');
    const local = configMap(resources, 'local-cm', 'velero');
    // As VeleroKopiaBackup does: a custom resource names the CRD Job of the install chart, plus a
    // local object and one that is not deployed at all.
    new ApiObject(resources, 'schedule', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'schedule',
        namespace: 'velero',
        annotations: { [DEPENDS_ON_ANNOTATION]: '/namespaces/velero/ConfigMap/job-cm,/namespaces/velero/ConfigMap/local-cm,batch/namespaces/x/Job/gone' },
      },
    });
    void local;

    const { captured, opts } = captureOpts();
    const deployment = new Cdk8sChartDeployment('cross', { app }, opts);
    const groups = await registeredGroups(deployment);
    const resourcesGroup = groups.find(g => g.name === 'cross-resources')!;
    // Only the reference inside the same ConfigGroup survives (the provider rejects external ones).
    expect(annotation(byName(resourcesGroup.inputs.objs, 'schedule'))).toBe('/namespaces/velero/ConfigMap/local-cm');
    expect(deployment.chartDependencies.resources).toEqual(['install']);
    expect(captured.get('cross-resources')?.dependsOn).toEqual([deployment.configGroups.install]);
  });

  test('charts given out of order are created dependencies first; missing dependencies are skipped', async () => {
    const app = new App();
    const base = new Chart(app, 'base');
    const top = new Chart(app, 'top');
    configMap(base, 'base-cm', 'ns');
    configMap(top, 'top-cm', 'ns');
    top.addDependency(base);

    const { captured, opts } = captureOpts();
    const both = new Cdk8sChartDeployment('both', { charts: [top, base] }, opts);
    await registeredGroups(both);
    expect(captured.get('both-top')?.dependsOn).toEqual([both.configGroups.base]);

    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    const only = new Cdk8sChartDeployment('only', { charts: [top] });
    await registeredGroups(only);
    expect(only.chartDependencies).toEqual({ top: [] });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("depends on chart 'base'"), only);
    warn.mockRestore();
  });

  test('nested charts get their own ConfigGroup and the parent depends on it', async () => {
    const app = new App();
    const parent = new Chart(app, 'parent');
    const child = new Chart(parent, 'child');
    configMap(parent, 'p', 'ns');
    configMap(child, 'c', 'ns');
    const deployment = new Cdk8sChartDeployment('nest', { app });
    const groups = await registeredGroups(deployment);
    expect(groups.map(g => g.name).sort()).toEqual(['nest-parent', 'nest-parent-child']);
    expect(deployment.chartDependencies).toEqual({ 'parent-child': [], 'parent': ['parent-child'] });
    expect(groups.find(g => g.name === 'nest-parent-child')!.inputs.objs.map((o: any) => o.metadata.name)).toEqual(['c']);
  });

  test('does not mutate the cdk8s ApiObjects', async () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'ns' });
    const a = new ApiObject(chart, 'a', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { [DEPENDS_ON_ANNOTATION]: '/namespaces/ns/Secret/s' } },
    });
    a.addDependency(configMap(chart, 'b'));
    const before = app.synthYaml();
    const jsonBefore = chart.toJson();

    const deployment = new Cdk8sChartDeployment('immutable', { app });
    const [group] = await registeredGroups(deployment);

    expect(annotation(group.inputs.objs.find((o: any) => o.metadata.name !== 'b'))).toContain('/namespaces/ns/ConfigMap/b');
    expect(app.synthYaml()).toBe(before);
    expect(chart.toJson()).toEqual(jsonBefore);
    expect(a.metadata.toJson().annotations).toEqual({ [DEPENDS_ON_ANNOTATION]: '/namespaces/ns/Secret/s' });
  });

  test('Job await timeouts: deadline + 2 min; an existing annotation wins; no deadline or no batch Job, no annotation', async () => {
    const app = new App();
    const chart = new Chart(app, 'jobs', { namespace: 'ns' });
    const job = (name: string, spec: object, annotations?: Record<string, string>) => new ApiObject(chart, name, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name, annotations }, spec: { template: { spec: { containers: [] } }, ...spec },
    });
    job('long', { activeDeadlineSeconds: 3600 });
    job('pinned', { activeDeadlineSeconds: 3600 }, { [TIMEOUT_ANNOTATION]: '60' });
    job('open', {});
    new ApiObject(chart, 'other', { apiVersion: 'example.com/v1', kind: 'Job', metadata: { name: 'other' }, spec: { activeDeadlineSeconds: 5 } });

    const [group] = await registeredGroups(new Cdk8sChartDeployment('timeouts', { app }));
    const timeout = (name: string) => byName(group.inputs.objs, name).metadata.annotations?.[TIMEOUT_ANNOTATION];
    expect(timeout('long')).toBe('3720');
    expect(timeout('pinned')).toBe('60');
    expect(timeout('open')).toBeUndefined();
    expect(timeout('other')).toBeUndefined();
  });

  test('an object without metadata.name raises a ResourceError naming chart, kind and path', () => {
    const app = new App();
    const chart = new Chart(app, 'broken');
    const obj = configMap(chart, 'nameless', 'ns');
    obj.addJsonPatch(JsonPatch.remove('/metadata/name'));
    expect(() => new Cdk8sChartDeployment('broken', { app })).toThrow(pulumi.ResourceError);
    expect(() => new Cdk8sChartDeployment('broken2', { app }))
      .toThrow(/Chart 'broken'.*v1 ConfigMap at construct path 'broken\/nameless'.*metadata\.name=undefined/);

    const kindless = new Chart(new App(), 'kindless');
    configMap(kindless, 'k', 'ns').addJsonPatch(JsonPatch.remove('/kind'));
    expect(() => new Cdk8sChartDeployment('kindless', { charts: [kindless] }))
      .toThrow(/Chart 'kindless'.*construct path 'kindless\/k'.*kind=undefined/);
  });

  test('bad arguments raise ResourceErrors that name the argument', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    configMap(chart, 'x');
    expect(() => new Cdk8sChartDeployment('neither', {})).toThrow(/exactly one of args\.app and args\.charts, but got neither/);
    expect(() => new Cdk8sChartDeployment('both', { app, charts: [chart] })).toThrow(/but got both/);
    expect(() => new Cdk8sChartDeployment('empty', { app: new App() })).toThrow(/args\.app contains no charts/);
    expect(() => new Cdk8sChartDeployment('twice', { charts: [chart, chart] })).toThrow(pulumi.ResourceError);
    expect(() => new Cdk8sChartDeployment('wrong', { charts: [{} as Chart] })).toThrow(/args\.charts\[0\] is .*not a cdk8s Chart/);
  });

  test('cyclic chart dependencies raise a ResourceError', () => {
    const app = new App();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    configMap(a, 'x');
    configMap(b, 'y');
    a.addDependency(b);
    b.addDependency(a);
    // Pass the charts directly: app.charts itself would already throw inside cdk8s.
    expect(() => new Cdk8sChartDeployment('cycle', { charts: [a, b] })).toThrow(/Charts depend on each other in a cycle: a -> b -> a/);
  });

  test('outputs resolve', async () => {
    const app = new App();
    const one = new Chart(app, 'one');
    configMap(one, 'a', 'ns');
    configMap(one, 'b', 'ns');
    const two = new Chart(app, 'two');
    new ApiObject(two, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });

    const deployment = new Cdk8sChartDeployment('out', { app, skipAwait: true });
    const groups = await registeredGroups(deployment);

    expect(await unwrap(deployment.objectCount)).toBe(3);
    expect(await unwrap(deployment.objectRefs)).toEqual({
      one: ['/namespaces/ns/ConfigMap/a', '/namespaces/ns/ConfigMap/b'],
      two: ['/Namespace/ns'],
    });
    // Under mocks the ConfigGroup state is its inputs, so `resources` is empty.
    expect(await unwrap(deployment.resources)).toEqual([]);
    expect(groups.every(g => g.inputs.skipAwait === true)).toBe(true);
  });
});

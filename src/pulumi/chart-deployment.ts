import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import {
  addDependsOn, awaitJobDeadline, chartApiObjects, localizeDependsOn, chartDependencies, checkObject, clusterScopedKinds, Fail, KubeObject,
  objectRef, sortCharts,
} from './chart-objects';

/** Arguments of `Cdk8sChartDeployment`. Give exactly one of `app` and `charts`. */
export interface Cdk8sChartDeploymentArgs {
  /** A cdk8s App: all its charts (nested ones included) are deployed. */
  readonly app?: App;
  /** The charts to deploy. Dependencies on charts not in this list are ignored with a warning. */
  readonly charts?: readonly Chart[];
  /** Passed to every ConfigGroup: do not wait for the objects to become ready. Default false. */
  readonly skipAwait?: pulumi.Input<boolean>;
  /**
   * Namespace used in depends-on references to namespaced objects that have no
   * `metadata.namespace`. It must match the provider's default namespace (the provider fills it
   * in before resolving references). Default `default`.
   */
  readonly defaultNamespace?: string;
}

/**
 * Deploys the objects of cdk8s charts with one `kubernetes:yaml/v2:ConfigGroup` per chart.
 *
 * - ConfigGroups are named `<name>-<chart path with '/' replaced by '-'>` (stable, no random suffix)
 *   and depend (`dependsOn`) on the ConfigGroups of the charts their chart depends on.
 * - Dependencies between ApiObjects of one chart become `config.kubernetes.io/depends-on`
 *   annotations on the (copied) objects; the cdk8s constructs are not modified.
 * - A Job with `spec.activeDeadlineSeconds` is awaited that long plus 2 minutes
 *   (`pulumi.com/timeoutSeconds`) instead of the provider's 10 minutes; an annotation already
 *   there wins. Other Jobs keep the default: set the annotation on them to wait longer.
 */
export class Cdk8sChartDeployment extends pulumi.ComponentResource {
  /** One ConfigGroup per chart, keyed by chart key (chart path with '/' replaced by '-'). */
  public readonly configGroups: Readonly<Record<string, k8s.yaml.v2.ConfigGroup>>;
  /** Chart key -> keys of the deployed charts whose ConfigGroups it depends on. */
  public readonly chartDependencies: Readonly<Record<string, readonly string[]>>;
  /** Chart key -> the depends-on style reference (`<group>/[namespaces/<ns>/]<kind>/<name>`) of each object. */
  public readonly objectRefs: pulumi.Output<Record<string, string[]>>;
  /** Number of Kubernetes objects handed to the ConfigGroups. */
  public readonly objectCount: pulumi.Output<number>;
  /** The `resources` of all ConfigGroups, concatenated in creation (dependency) order. */
  public readonly resources: pulumi.Output<any[]>;

  constructor(name: string, args: Cdk8sChartDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Only plain values go to the engine as component inputs: a cdk8s App is a construct tree
    // (cyclic, huge) and must not be serialized.
    super('cnai-model-platform:index:Cdk8sChartDeployment', name, {
      skipAwait: args.skipAwait, defaultNamespace: args.defaultNamespace,
    }, opts);
    const fail: Fail = message => {
      throw new pulumi.ResourceError(message, this);
    };

    const charts = this.selectCharts(args, fail);
    const defaultNamespace = args.defaultNamespace ?? 'default';

    // Synthesize every chart first: cdk8s resolves construct dependencies across the whole app
    // (adding ApiObject and chart dependencies) and validates during toJson(). JSON.parse/stringify
    // gives us copies we may annotate without touching anything cdk8s holds.
    const synthesized = new Map<Chart, KubeObject[]>();
    for (const chart of charts) {
      synthesized.set(chart, JSON.parse(JSON.stringify(chart.toJson())));
    }
    const clusterScoped = clusterScopedKinds([...synthesized.values()].flat());

    const keys = new Map<Chart, string>();
    for (const chart of charts) {
      const key = chart.node.path.replace(/\//g, '-');
      const clash = [...keys].find(([, k]) => k === key);
      if (clash) {
        fail(`args.charts: the charts '${clash[0].node.path}' and '${chart.node.path}' both map to the ConfigGroup name `
          + `'${name}-${key}' (each chart may be listed once, and chart paths must stay distinct after '/' -> '-'). Rename one chart.`);
      }
      keys.set(chart, key);
    }

    // Which chart holds each object, by depends-on reference: annotations written by constructs
    // may point into another chart, which a ConfigGroup rejects (cli-utils ExternalDependencyError).
    const chartOfRef = new Map<string, Chart>();
    for (const chart of charts) {
      for (const obj of synthesized.get(chart)!) chartOfRef.set(objectRef(obj, clusterScoped, defaultNamespace), chart);
    }

    // Per chart: objects with their depends-on annotations, and chart-level dependencies.
    const chartDeps = new Map<Chart, Set<Chart>>();
    const objectsByChart = new Map<Chart, KubeObject[]>();
    const refsByChart: Record<string, string[]> = {};
    for (const chart of charts) {
      const objects = synthesized.get(chart)!;
      const apiObjects = chartApiObjects(chart);
      if (apiObjects.length !== objects.length) {
        // Would mean cdk8s changed how it selects a chart's objects; refuse rather than mis-annotate.
        fail(`Chart '${chart.node.path}': found ${apiObjects.length} ApiObjects but toJson() returned ${objects.length} objects; `
          + 'this cdk8s version is not supported by Cdk8sChartDeployment.');
      }
      apiObjects.forEach((o, i) => checkObject(objects[i], chart.node.path, o.node.path, fail));
      objects.forEach(awaitJobDeadline);

      const refs = objects.map(obj => objectRef(obj, clusterScoped, defaultNamespace));
      const index = new Map(apiObjects.map((o, i) => [o, i]));
      const deps = chartDependencies(chart);
      // Cross-chart references already on objects become ConfigGroup dependsOn edges instead.
      for (const obj of objects) {
        for (const target of localizeDependsOn(obj, chart, chartOfRef)) {
          if (target !== chart) deps.charts.add(target);
        }
      }
      for (const [source, targets] of deps.objects) {
        // Sort by synthesis order so the annotation is deterministic.
        const targetRefs = [...targets].map(t => index.get(t)!).sort((a, b) => a - b).map(i => refs[i]);
        addDependsOn(objects[index.get(source)!], targetRefs);
      }
      // No extra "depends on my Namespace" edges: the provider already orders a Namespace before
      // the namespaced objects of the same ConfigGroup (cli-utils heuristics), and an annotation
      // on every object would also end up on every live object.

      chartDeps.set(chart, deps.charts);
      objectsByChart.set(chart, objects);
      refsByChart[keys.get(chart)!] = refs;
    }

    // ConfigGroups in dependency order, so a dependency's ConfigGroup exists when needed.
    const configGroups: Record<string, k8s.yaml.v2.ConfigGroup> = {};
    const dependencyKeys: Record<string, string[]> = {};
    const groupOf = new Map<Chart, k8s.yaml.v2.ConfigGroup>(); // insertion order = creation order
    for (const chart of sortCharts(charts, chartDeps, fail)) {
      const key = keys.get(chart)!;
      const dependsOn: k8s.yaml.v2.ConfigGroup[] = [];
      dependencyKeys[key] = [];
      for (const dep of chartDeps.get(chart)!) {
        const group = groupOf.get(dep);
        if (!group) {
          // Fire-and-forget like every Pulumi log call.
          void pulumi.log.warn(`Chart '${chart.node.path}' depends on chart '${dep.node.path}', which this deployment does not `
            + 'include; add it to args.charts or order the deployments with the dependsOn resource option.', this);
          continue;
        }
        dependsOn.push(group);
        dependencyKeys[key].push(keys.get(dep)!);
      }
      const group = new k8s.yaml.v2.ConfigGroup(`${name}-${key}`, {
        objs: objectsByChart.get(chart)!,
        skipAwait: args.skipAwait,
      }, { parent: this, dependsOn });
      groupOf.set(chart, group);
      configGroups[key] = group;
    }

    this.configGroups = Object.freeze(configGroups);
    this.chartDependencies = Object.freeze(dependencyKeys);
    this.objectRefs = pulumi.output(refsByChart);
    this.objectCount = pulumi.output(Object.values(refsByChart).reduce((n, refs) => n + refs.length, 0));
    // A ConfigGroup's `resources` can be undefined (e.g. under unit-test mocks); treat it as empty.
    this.resources = pulumi.all([...groupOf.values()].map(g => g.resources))
      .apply(lists => lists.flatMap(list => list ?? []));

    this.registerOutputs({
      objectRefs: this.objectRefs,
      objectCount: this.objectCount,
      resources: this.resources,
    });
  }

  /** The charts to deploy, validated. */
  private selectCharts(args: Cdk8sChartDeploymentArgs, fail: Fail): Chart[] {
    if ((args.app === undefined) === (args.charts === undefined)) {
      fail(`Cdk8sChartDeployment needs exactly one of args.app and args.charts, but got ${args.app ? 'both' : 'neither'}. `
        + 'Pass a cdk8s App as args.app, or a list of its charts as args.charts.');
    }
    const charts = args.app ? args.app.charts : [...args.charts!];
    charts.forEach((chart, i) => {
      if (!(chart instanceof Chart)) {
        fail(`args.charts[${i}] is ${String(chart)}, not a cdk8s Chart. Pass Chart instances (from the same cdk8s copy `
          + 'as this package), e.g. app.charts.');
      }
    });
    if (charts.length === 0) {
      fail(`args.${args.app ? 'app' : 'charts'} contains no charts, so there is nothing to deploy. Add a Chart to the App `
        + 'or pass at least one chart.');
    }
    return charts;
  }
}

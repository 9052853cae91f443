import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { kube } from './kube-object';

/** Value of `app.kubernetes.io/part-of` on every object the library creates. */
export const PART_OF = 'cnai-model-platform';

/** Recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
export interface AppLabels {
  /** `app.kubernetes.io/name`: the application, e.g. `seaweedfs`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: distinguishes several installs of one application. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: the role inside the application, e.g. `master`. */
  readonly component?: string;
  /** `app.kubernetes.io/version`: the application version. */
  readonly version?: string;
}

/** Labels for metadata: the selector labels plus part-of, version and managed-by. */
export function standardLabels(labels: AppLabels): Record<string, string> {
  return {
    ...selectorLabels(labels),
    ...(labels.version ? { 'app.kubernetes.io/version': labelValue(labels.version) } : {}),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/**
 * Labels that select a component's pods. Version is left out on purpose: selectors are immutable
 * on Deployments and StatefulSets, so they must survive upgrades.
 */
export function selectorLabels(labels: AppLabels): Record<string, string> {
  return {
    'app.kubernetes.io/name': labels.name,
    'app.kubernetes.io/instance': labels.instance,
    ...(labels.component ? { 'app.kubernetes.io/component': labels.component } : {}),
  };
}

/** Label values are at most 63 characters of `[A-Za-z0-9._-]`. */
function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63);
}

/**
 * A stable object name: the parts joined with '-'. Objects that users or other constructs refer to
 * by name get these instead of cdk8s' hashed names, so names never change between synths.
 */
export function stableName(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('-');
}

const NAMESPACES = new WeakMap<Construct, Map<string, ApiObject>>();

/**
 * The Namespace object for `name`, created once per cdk8s App.
 *
 * Several constructs meet in one namespace (SeaweedFS copies bucket credentials into `velero`,
 * Velero installs into it). The first construct that asks creates the Namespace as its own child;
 * later askers reuse it and, when they live in another chart, that chart is made to depend on the
 * owner's chart, so cdk8s names the output files in an order that applies the Namespace first.
 *
 * Call it before creating any object in that namespace: cdk8s emits objects without explicit
 * dependencies in construct-tree order, so the Namespace then precedes them in the file.
 */
export function ensureNamespace(scope: IConstruct, name: string, labels: Record<string, string> = {}): ApiObject {
  const app = scope.node.root as Construct;
  let registry = NAMESPACES.get(app);
  if (!registry) {
    registry = new Map();
    NAMESPACES.set(app, registry);
  }
  const askingChart = Chart.of(scope);
  const existing = registry.get(name);
  if (existing) {
    const owningChart = Chart.of(existing);
    if (owningChart !== askingChart && !dependsOnChart(askingChart, owningChart)) askingChart.addDependency(owningChart);
    for (const [key, value] of Object.entries(labels)) existing.metadata.addLabel(key, value);
    return existing;
  }
  const namespace = kube(k8s.KubeNamespace, scope as Construct, `namespace-${name}`, {
    metadata: { name, labels: { 'app.kubernetes.io/part-of': PART_OF, ...labels } },
  });
  registry.set(name, namespace);
  return namespace;
}

/**
 * Whether `chart` already depends on `target`, directly or through other charts. A redundant direct
 * dependency changes no order, but cdk8s turns every chart dependency into one between every pair
 * of their objects and walks all paths at synth, so it costs time.
 */
function dependsOnChart(chart: Chart, target: Chart, seen = new Set<Chart>()): boolean {
  for (const dependency of chart.node.dependencies) {
    if (!(dependency instanceof Chart) || seen.has(dependency)) continue;
    if (dependency === target) return true;
    seen.add(dependency);
    if (dependsOnChart(dependency, target, seen)) return true;
  }
  return false;
}

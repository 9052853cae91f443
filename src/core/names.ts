import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { propError } from './errors';
import { kube } from './kube-object';
import { PropContext } from './validate';

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

/**
 * `value` as a label value: at most 63 characters of `[A-Za-z0-9._-]`, starting and ending with a
 * letter or digit (a version tag such as `v2.14_` or `_rc` would otherwise be refused by the API server).
 */
export function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * A stable object name: the parts joined with '-'. Objects that users or other constructs refer to
 * by name get these instead of cdk8s' hashed names, so names never change between synths.
 */
export function stableName(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('-');
}

/** A Namespace of the App and, per label, the value and the construct that set it first. */
interface NamespaceEntry {
  readonly object: ApiObject;
  readonly labels: Map<string, { readonly value: string; readonly owner: string }>;
}

/**
 * A name the library derives from the parts joined with '-', at most `maxLength` characters. When
 * the joined name is longer (a 63-character namespace plus `-schedule`), it keeps its start, then
 * the first 8 hex of its sha256 (two long names that share a prefix stay distinct), then the last
 * part when that is short (the suffix that says what the object is).
 */
export function fittedName(maxLength: number, ...parts: string[]): string {
  const joined = stableName(...parts);
  if (joined.length <= maxLength) return joined;
  const hash = shortHash(joined);
  const last = parts.length > 1 ? parts[parts.length - 1] : '';
  const suffix = last.length > 0 && last.length <= 16 ? `-${last}` : '';
  const head = joined.slice(0, maxLength - hash.length - 1 - suffix.length).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`;
}

/** The first 8 hex of the sha256 of `text`: a name suffix that tells two similar names apart. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Namespaces every cluster has and that the library must not own: it labels its namespaces (Pod
 * Security), adds namespace-wide default-deny NetworkPolicies and writes Namespace objects that
 * `kubectl delete -f` would delete.
 */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const NAMESPACES = new WeakMap<Construct, Map<string, NamespaceEntry>>();

/**
 * The App's Namespace object `name`, created on first use.
 *
 * Several constructs meet in one namespace (SeaweedFS copies bucket credentials into `velero`,
 * Velero installs into it). The first construct that asks creates the Namespace as its own child;
 * later askers reuse it and, when they live in another chart, that chart is made to depend on the
 * owner's chart, so cdk8s names the output files in an order that applies the Namespace first.
 *
 * `labels` are added to it. A label another construct already set to a different value (a Pod
 * Security level above all: a later construct must never loosen what an earlier one enforces, and
 * the order of construction must not matter) is refused with an error naming both constructs;
 * `ctx` is the asking construct's namespace prop for that error.
 *
 * Call it before creating any object in that namespace: cdk8s emits objects without explicit
 * dependencies in construct-tree order, so the Namespace then precedes them in the file.
 */
export function ensureNamespace(scope: IConstruct, name: string, labels: Record<string, string> = {}, ctx?: PropContext): ApiObject {
  if (SYSTEM_NAMESPACES.includes(name)) {
    throw propError({
      construct: ctx?.construct ?? scope.node.path,
      prop: ctx?.prop ?? 'namespace',
      value: name,
      allowed: `a namespace of the platform's own, not one of the cluster's system namespaces (${SYSTEM_NAMESPACES.join(', ')}): `
        + `${constructName(scope)} labels its namespace and locks it down with a default-deny NetworkPolicy`,
      fix: 'use a namespace of its own, e.g. the default of the prop',
    });
  }
  const app = scope.node.root as Construct;
  let registry = NAMESPACES.get(app);
  if (!registry) {
    registry = new Map();
    NAMESPACES.set(app, registry);
  }
  const askingChart = Chart.of(scope);
  const existing = registry.get(name);
  if (existing) {
    for (const [key, value] of Object.entries(labels)) {
      const set = existing.labels.get(key);
      if (set !== undefined && set.value !== value) {
        throw propError({
          construct: ctx?.construct ?? scope.node.path,
          prop: ctx?.prop ?? 'namespace',
          value: name,
          allowed: `a namespace whose label ${key} no other construct sets differently: ${set.owner} set it to "${set.value}", `
            + `${constructName(scope)} needs "${value}"`,
          fix: `give one of them a namespace of its own (the ${set.owner} one stays in "${name}")`,
        });
      }
    }
    const owningChart = Chart.of(existing.object);
    if (owningChart !== askingChart && !dependsOnChart(askingChart, owningChart)) askingChart.addDependency(owningChart);
    addLabels(existing, labels, constructName(scope));
    return existing.object;
  }
  const object = kube(k8s.KubeNamespace, scope as Construct, `namespace-${name}`, {
    metadata: { name, labels: { 'app.kubernetes.io/part-of': PART_OF } },
  });
  const entry: NamespaceEntry = { object, labels: new Map() };
  addLabels(entry, labels, constructName(scope));
  registry.set(name, entry);
  return object;
}

/**
 * Makes sure namespace `name` exists before objects the library places in it without owning it
 * (a pull secret's Role, a readiness Role): the system namespaces exist on every cluster and are
 * left alone: any other is created (unlabelled) through `ensureNamespace`.
 */
export function ensureForeignNamespace(scope: IConstruct, name: string): void {
  if (!SYSTEM_NAMESPACES.includes(name)) ensureNamespace(scope, name);
}

/** `ClassName 'construct/path'`, how errors name a construct of the App. */
export function constructName(scope: IConstruct): string {
  return `${scope.constructor.name} '${scope.node.path}'`;
}

function addLabels(entry: NamespaceEntry, labels: Record<string, string>, owner: string): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!entry.labels.has(key)) entry.labels.set(key, { value, owner });
    entry.object.metadata.addLabel(key, value);
  }
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

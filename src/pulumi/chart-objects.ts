/**
 * Pure cdk8s -> Kubernetes-object logic used by `Cdk8sChartDeployment`.
 *
 * Nothing here imports Pulumi: every function works on cdk8s constructs and on the JSON copies
 * returned by `Chart.toJson()`, and reports bad input through the `fail` callback so the caller
 * can turn it into a `pulumi.ResourceError` bound to its component.
 */
import { ApiObject, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The annotation the Pulumi Kubernetes provider (kubernetes cli-utils) reads for explicit ordering. */
export const DEPENDS_ON_ANNOTATION = 'config.kubernetes.io/depends-on';

/** Raises an error: the caller decides which error type. */
export type Fail = (message: string) => never;

/** A Kubernetes object as produced by `ApiObject.toJson()`. */
export type KubeObject = { [key: string]: any };

/**
 * Built-in cluster-scoped kinds, keyed `<group>/<kind>` (core group = empty string).
 * Kinds not listed here (and not declared cluster-scoped by a CRD in the deployment) are
 * treated as namespaced.
 */
const BUILTIN_CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'certificates.k8s.io/CertificateSigningRequest',
]);

/** `apps/v1` -> `apps`, `v1` -> `` (core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The set of cluster-scoped `<group>/<kind>` keys: the built-in ones plus every custom kind whose
 * CustomResourceDefinition (anywhere in `objects`) says `spec.scope: Cluster`.
 */
export function clusterScopedKinds(objects: readonly KubeObject[]): ReadonlySet<string> {
  const result = new Set(BUILTIN_CLUSTER_SCOPED);
  for (const obj of objects) {
    const spec = obj.spec;
    if (obj.kind === 'CustomResourceDefinition' && spec?.scope === 'Cluster' && spec.group && spec.names?.kind) {
      result.add(`${spec.group}/${spec.names.kind}`);
    }
  }
  return result;
}

/**
 * The depends-on reference of an object: `<group>/namespaces/<ns>/<kind>/<name>` or, for
 * cluster-scoped objects, `<group>/<kind>/<name>`. An object with `metadata.namespace` is always
 * namespaced. A namespaced object without one gets `defaultNamespace`, because the provider
 * fills in its default namespace before it resolves the references.
 *
 * The provider keys objects by their literal `metadata.namespace` (cli-utils ObjMetadata), so
 * even a cluster-scoped kind that carries a namespace (cdk8s copies a chart's `namespace` onto
 * every object) is referenced in the namespaced form, which is what matches it.
 */
export function objectRef(obj: KubeObject, clusterScoped: ReadonlySet<string>, defaultNamespace: string): string {
  const group = groupOf(obj.apiVersion);
  const { name, namespace } = obj.metadata;
  if (!namespace && clusterScoped.has(`${group}/${obj.kind}`)) {
    return `${group}/${obj.kind}/${name}`;
  }
  return `${group}/namespaces/${namespace || defaultNamespace}/${obj.kind}/${name}`;
}

/** The ApiObjects cdk8s synthesizes for `chart`, in the same order as `chart.toJson()`. */
export function chartApiObjects(chart: Chart): ApiObject[] {
  // Same selection and order as cdk8s' own chart synthesis: topological order, and an object
  // belongs only to its closest parent chart (nested charts are separate charts).
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .filter(o => Chart.of(o) === chart);
}

/** The chart a construct belongs to, or undefined (e.g. the App itself). */
function chartOf(c: IConstruct): Chart | undefined {
  try {
    return Chart.of(c);
  } catch {
    return undefined;
  }
}

/** All ApiObjects in the subtree of `scope` (including itself) that belong to `chart`. */
function apiObjectsIn(scope: IConstruct, chart: Chart): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/** Dependencies found in one chart's construct tree. */
export interface ChartDependencies {
  /** ApiObject -> the ApiObjects of the same chart it must be applied after. */
  readonly objects: Map<ApiObject, Set<ApiObject>>;
  /** Other charts this chart depends on (explicitly, via nesting, or via a construct dependency). */
  readonly charts: Set<Chart>;
}

/**
 * Collects the dependencies declared with `node.addDependency` in `chart`. A dependency between
 * two constructs becomes a dependency of every ApiObject under the source on every ApiObject
 * under the target (the same expansion cdk8s applies); a target in another chart becomes a
 * chart-level dependency.
 */
export function chartDependencies(chart: Chart): ChartDependencies {
  const objects = new Map<ApiObject, Set<ApiObject>>();
  const charts = new Set<Chart>();
  for (const source of chart.node.findAll()) {
    if (chartOf(source) !== chart) continue; // constructs of nested charts are handled by their own chart
    for (const target of source.node.dependencies) {
      const targetChart = chartOf(target);
      if (!targetChart) continue;
      if (targetChart !== chart) {
        charts.add(targetChart);
        continue;
      }
      const targets = apiObjectsIn(target, chart);
      for (const s of apiObjectsIn(source, chart)) {
        for (const t of targets) {
          if (s === t) continue;
          const set = objects.get(s) ?? new Set<ApiObject>();
          set.add(t);
          objects.set(s, set);
        }
      }
    }
  }
  // cdk8s makes a parent chart depend on its nested charts.
  for (const child of chart.node.children) {
    if (child instanceof Chart) charts.add(child);
  }
  return { objects, charts };
}

/** Fails unless the object has the fields the provider asserts (apiVersion, kind, metadata.name). */
export function checkObject(obj: KubeObject, chartPath: string, constructPath: string, fail: Fail): void {
  const name = obj.metadata?.name;
  if (typeof obj.apiVersion !== 'string' || !obj.apiVersion || typeof obj.kind !== 'string' || !obj.kind) {
    fail(`Chart '${chartPath}': the object at construct path '${constructPath}' has apiVersion=${JSON.stringify(obj.apiVersion)} `
      + `and kind=${JSON.stringify(obj.kind)}; both must be non-empty strings. Fix the ApiObject's props or JSON patches.`);
  }
  if (typeof name !== 'string' || name === '') {
    fail(`Chart '${chartPath}': the ${obj.apiVersion} ${obj.kind} at construct path '${constructPath}' has `
      + `metadata.name=${JSON.stringify(name)}; the Pulumi Kubernetes provider requires a non-empty metadata.name. `
      + 'Set metadata.name on the ApiObject or remove the JSON patch that deletes it.');
  }
}

/**
 * Adds `refs` to the object's depends-on annotation (in place, so only pass JSON copies),
 * keeping any references already present and dropping duplicates.
 */
export function addDependsOn(obj: KubeObject, refs: readonly string[]): void {
  if (refs.length === 0) return;
  const metadata = obj.metadata;
  const annotations: { [key: string]: string } = metadata.annotations ?? {};
  const existing = (annotations[DEPENDS_ON_ANNOTATION] ?? '').split(',').map(s => s.trim()).filter(s => s !== '');
  annotations[DEPENDS_ON_ANNOTATION] = [...new Set([...existing, ...refs])].join(',');
  metadata.annotations = annotations;
}

/** The provider's per-object await timeout (pulumi-kubernetes reads it when no customTimeouts are set). */
export const TIMEOUT_ANNOTATION = 'pulumi.com/timeoutSeconds';
/** Added to a Job's activeDeadlineSeconds: its pod may start a little after the Job's startTime. */
export const JOB_AWAIT_MARGIN_SECONDS = 120;

/**
 * Gives a Job with `spec.activeDeadlineSeconds` an await timeout of that deadline plus a margin (in
 * place, so only pass JSON copies), unless it has one: the provider's default of 10 minutes would
 * fail `pulumi up` while a long Job (a model import) is still within its own deadline.
 */
export function awaitJobDeadline(obj: KubeObject): void {
  const deadline = obj.spec?.activeDeadlineSeconds;
  if (obj.kind !== 'Job' || groupOf(obj.apiVersion) !== 'batch' || typeof deadline !== 'number') return;
  const annotations: { [key: string]: string } = obj.metadata.annotations ?? {};
  if (annotations[TIMEOUT_ANNOTATION] !== undefined) return;
  annotations[TIMEOUT_ANNOTATION] = String(deadline + JOB_AWAIT_MARGIN_SECONDS);
  obj.metadata.annotations = annotations;
}

/**
 * Keeps in `obj`'s depends-on annotation only references to objects of its own chart (a ConfigGroup
 * cannot resolve others) and returns the charts the removed references point into, so the caller
 * can order the ConfigGroups instead. References to objects outside the deployment are removed too.
 */
export function localizeDependsOn(obj: KubeObject, chart: Chart, chartOfRef: ReadonlyMap<string, Chart>): Set<Chart> {
  const annotations = obj.metadata.annotations;
  const value = annotations?.[DEPENDS_ON_ANNOTATION];
  const targets = new Set<Chart>();
  if (annotations === undefined || value === undefined) return targets;
  const local: string[] = [];
  for (const ref of String(value).split(',').map((s: string) => s.trim()).filter((s: string) => s !== '')) {
    const target = chartOfRef.get(ref);
    if (target === chart) local.push(ref);
    else if (target !== undefined) targets.add(target);
  }
  if (local.length > 0) annotations[DEPENDS_ON_ANNOTATION] = local.join(',');
  else delete annotations[DEPENDS_ON_ANNOTATION];
  return targets;
}

/**
 * Orders `charts` so that every chart comes after the charts it depends on (among `charts`),
 * keeping the given order otherwise. Fails on a cycle.
 */
export function sortCharts(charts: readonly Chart[], deps: ReadonlyMap<Chart, ReadonlySet<Chart>>, fail: Fail): Chart[] {
  const result: Chart[] = [];
  const state = new Map<Chart, 'visiting' | 'done'>();
  const visit = (chart: Chart, trail: Chart[]): void => {
    const s = state.get(chart);
    if (s === 'done') return;
    if (s === 'visiting') {
      fail(`Charts depend on each other in a cycle: ${[...trail, chart].map(c => c.node.path).join(' -> ')}. `
        + 'Remove one of the chart dependencies (chart.addDependency or construct dependencies across charts).');
    }
    state.set(chart, 'visiting');
    for (const dep of deps.get(chart) ?? []) {
      if (deps.has(dep)) visit(dep, [...trail, chart]);
    }
    state.set(chart, 'done');
    result.push(chart);
  };
  for (const chart of charts) visit(chart, []);
  return result;
}

import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** What one component of a `ModelPlatform` put into one chart. */
export interface PlatformComponentSummary {
  /** Id of the chart (its file is `<index>-<chart>.k8s.yaml`). */
  readonly chart: string;
  /** Construct path of the component, or of the chart for objects created directly in it. */
  readonly path: string;
  /** `<class> <id>` of the component, e.g. `HarborModelRegistry harbor`, or the objects' `<kind> <name>` list. */
  readonly title: string;
  /** Number of Kubernetes objects. */
  readonly objectCount: number;
  /** Objects per kind, e.g. `2 NetworkPolicy, 1 Job`. */
  readonly kinds: string;
  /** Container images of its pods, sorted. */
  readonly images: string[];
  /** Storage it claims: PVCs and StatefulSet claim templates with their sizes. */
  readonly storage: string[];
}

/**
 * Per chart (in the given order), one summary per component construct that owns objects of the
 * chart, and one for the objects created directly in the chart (e.g. Velero's custom resources).
 */
export function summarizeCharts(charts: readonly Chart[]): PlatformComponentSummary[] {
  const summaries: PlatformComponentSummary[] = [];
  for (const chart of charts) {
    const loose: ApiObject[] = [];
    for (const child of chart.node.children) {
      if (child instanceof ApiObject) {
        if (Chart.of(child) === chart) loose.push(child);
        continue;
      }
      const objects = objectsOf(child, chart);
      if (objects.length > 0) summaries.push(summarize(chart, child.node.path, `${child.constructor.name} ${child.node.id}`, objects));
    }
    if (loose.length > 0) summaries.push(summarize(chart, chart.node.path, loose.map((o) => `${o.kind} ${o.name}`).join(', '), loose));
  }
  return summaries;
}

/** Objects per kind of synthesized manifests, e.g. `2 NetworkPolicy, 1 Job`. */
export function countKinds(manifests: readonly any[]): string {
  const kinds = new Map<string, number>();
  for (const m of manifests) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  return [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

/** Container images (init containers included) of the pods of synthesized manifests, sorted, once each. */
export function imagesOf(manifests: readonly any[]): string[] {
  const images = new Set<string>();
  for (const m of manifests) {
    const pod = m.spec?.template?.spec ?? m.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) images.add(c.image);
  }
  return [...images].sort();
}

/** PVCs and StatefulSet claim templates of synthesized manifests, with their sizes. */
export function storageOf(manifests: readonly any[]): string[] {
  const claims: string[] = [];
  for (const m of manifests) {
    if (m.kind === 'PersistentVolumeClaim') claims.push(`PVC ${m.metadata.name} ${m.spec.resources.requests.storage}`);
    for (const t of m.spec?.volumeClaimTemplates ?? []) claims.push(`${m.metadata.name} claim template ${t.metadata.name} ${t.spec.resources.requests.storage}`);
  }
  return claims;
}

function summarize(chart: Chart, path: string, title: string, objects: ApiObject[]): PlatformComponentSummary {
  const manifests = objects.map((o) => o.toJson());
  return {
    chart: chart.node.id,
    path,
    title,
    objectCount: manifests.length,
    kinds: countKinds(manifests),
    images: imagesOf(manifests),
    storage: storageOf(manifests),
  };
}

/** ApiObjects at or below `scope` that belong to `chart` (not to a nested chart). */
function objectsOf(scope: IConstruct, chart: Chart): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

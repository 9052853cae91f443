import { ApiObject, Chart } from 'cdk8s';
import { ANNOTATIONS } from './context';
import { propError } from '../core/errors';
import { requireLabels } from '../core/kube-syntax';
import { PropContext, requireDnsLabel } from '../core/validate';

/** Where and how Velero custom resources are emitted. */
export interface CustomResourceTarget {
  /** The chart that holds custom resources (applied after the CRD bootstrap). */
  readonly chart: Chart;
  /** Velero's namespace. */
  readonly namespace: string;
  /** Metadata labels. */
  readonly labels: Record<string, string>;
}

/** Options of one custom resource. */
export interface CustomResourceOptions {
  readonly kind: string;
  readonly name: string;
  readonly spec: Record<string, unknown>;
  /** Argo CD sync wave. */
  readonly wave: string;
  /** `config.kubernetes.io/depends-on` references (kpt, Pulumi), in order. */
  readonly dependsOn: readonly string[];
  /** Extra metadata labels. */
  readonly labels?: Record<string, string>;
}

/**
 * A `velero.io/v1` object with the apply-order annotations: Argo CD sync wave, dry-run skipped
 * while the CRD does not exist yet (the CRD Job creates it during the same sync), depends-on.
 */
export function veleroResource(target: CustomResourceTarget, options: CustomResourceOptions): ApiObject {
  const id = `${options.kind.toLowerCase()}-${options.name}`;
  if (target.chart.node.tryFindChild(id)) {
    throw propError({
      construct: 'VeleroKopiaBackup',
      prop: `${options.kind} name`,
      value: options.name,
      allowed: `a ${options.kind} name not used yet in chart ${target.chart.node.path}`,
      fix: 'pass another name',
    });
  }
  return new ApiObject(target.chart, id, {
    apiVersion: 'velero.io/v1',
    kind: options.kind,
    metadata: {
      name: options.name,
      namespace: target.namespace,
      labels: { ...target.labels, ...(options.labels ?? {}) },
      annotations: {
        [ANNOTATIONS.syncWave]: options.wave,
        [ANNOTATIONS.syncOptions]: 'SkipDryRunOnMissingResource=true',
        [ANNOTATIONS.dependsOn]: options.dependsOn.join(','),
      },
    },
    spec: options.spec,
  });
}

/** A `config.kubernetes.io/depends-on` reference: `<group>/namespaces/<ns>/<kind>/<name>` (core group empty). */
export function namespacedRef(group: string, namespace: string, kind: string, name: string): string {
  return `${group}/namespaces/${namespace}/${kind}/${name}`;
}

/**
 * `base` with `extra` merged in: objects are merged key by key (recursively), anything else in
 * `extra` replaces the value of `base`. Used for the `extraSpec` escape hatches.
 */
export function mergeSpec(ctx: PropContext, base: Record<string, unknown>, extra: { [key: string]: any } | undefined): Record<string, unknown> {
  if (extra === undefined) return base;
  if (!isPlainObject(extra)) {
    throw propError({ ...ctx, value: extra, allowed: 'an object of spec fields', fix: 'pass e.g. { hooks: { resources: [...] } }' });
  }
  return deepMerge(base, extra);
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes undefined fields so the manifest only carries what was asked for. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** A list of namespaces (each an RFC 1123 label): undefined stays undefined. */
export function namespaceList(ctx: PropContext, values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values)) {
    throw propError({ ...ctx, value: values, allowed: 'a list of namespace names', fix: 'pass e.g. ["ai-inference"]' });
  }
  return values.map((ns, i) => requireDnsLabel({ construct: ctx.construct, prop: `${ctx.prop}[${i}]` }, ns));
}

/** A list of resource names such as `persistentvolumeclaims` or `deployments.apps`: undefined stays undefined. */
export function resourceList(ctx: PropContext, values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || !/^(\*|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.test(v))) {
    throw propError({ ...ctx, value: values, allowed: 'a list of resource names (plural, optionally with group), e.g. ["persistentvolumeclaims", "deployments.apps"]', fix: 'use the names `kubectl api-resources` lists' });
  }
  return [...values];
}

/** A label selector from matchLabels: undefined stays undefined. */
export function labelSelector(ctx: PropContext, labels: { [key: string]: string } | undefined): { matchLabels: Record<string, string> } | undefined {
  if (labels === undefined) return undefined;
  return { matchLabels: requireLabels(ctx, labels, "{ 'app.kubernetes.io/name': 'llama' }", true) };
}

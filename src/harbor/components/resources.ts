import { k8s } from 'cdk8s-plus-30';
import { ComputeResources } from '../../core/compute-resources';
import { Wire } from '../../core/kube-object';
import { ComponentResourceDefaults, resourceRequirements } from '../../core/pod-security';
import { PropContext, requirePlainObject } from '../../core/validate';

/** CPU and memory of each Harbor container: every field left out takes the component's default. */
export interface HarborComponentResources {
  /**
   * core.
   * @default - 100m CPU, 256Mi memory requested; 1Gi memory limit
   */
  readonly core?: ComputeResources;
  /**
   * portal (nginx serving the UI).
   * @default - 100m CPU, 256Mi memory requested; 512Mi memory limit
   */
  readonly portal?: ComputeResources;
  /**
   * registry.
   * @default - 100m CPU, 256Mi memory requested; 1Gi memory limit
   */
  readonly registry?: ComputeResources;
  /**
   * registryctl.
   * @default - 100m CPU, 256Mi memory requested; 512Mi memory limit
   */
  readonly registryctl?: ComputeResources;
  /**
   * jobservice.
   * @default - 100m CPU, 256Mi memory requested; 1Gi memory limit
   */
  readonly jobservice?: ComputeResources;
  /**
   * Internal PostgreSQL (its /dev/shm, up to 512Mi, counts against the limit).
   * @default - 100m CPU, 256Mi memory requested; 1Gi memory limit
   */
  readonly database?: ComputeResources;
  /**
   * Internal Redis.
   * @default - 100m CPU, 256Mi memory requested; 512Mi memory limit
   */
  readonly redis?: ComputeResources;
  /**
   * Trivy adapter.
   * @default - 200m CPU, 512Mi memory requested; 1 CPU, 1Gi memory limit (the chart's values)
   */
  readonly trivy?: ComputeResources;
  /**
   * Exporter.
   * @default - 100m CPU, 256Mi memory requested; 512Mi memory limit
   */
  readonly exporter?: ComputeResources;
  /**
   * Entry nginx.
   * @default - 100m CPU, 256Mi memory requested; 512Mi memory limit
   */
  readonly nginx?: ComputeResources;
}

/**
 * Resolved resources, plus the database's permission init container (fixed, the chart's 100m/128Mi example).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export type ResolvedResources = { readonly [K in keyof Required<HarborComponentResources>]: Wire<k8s.ResourceRequirements> } & {
  readonly databaseInit: Wire<k8s.ResourceRequirements>;
};

/*
 * Requests are the chart's commented suggestion (100m/256Mi, goharbor/harbor-helm@v1.18.4:values.yaml) except
 * Trivy, whose resources the chart sets. Memory limits are ours: the chart sets none.
 */
const SMALL: ComponentResourceDefaults = { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '512Mi' };
const LARGE: ComponentResourceDefaults = { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '1Gi' };
const DEFAULTS: { [K in keyof Required<HarborComponentResources>]: ComponentResourceDefaults } = {
  core: LARGE,
  portal: SMALL,
  registry: LARGE,
  registryctl: SMALL,
  jobservice: LARGE,
  database: LARGE,
  redis: SMALL,
  trivy: { cpuRequest: '200m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  exporter: SMALL,
  nginx: SMALL,
};

/**
 * Validates the resources prop (`ctx.prop` is `resources`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveComponentResources(ctx: PropContext, given: HarborComponentResources | undefined): ResolvedResources {
  if (given !== undefined) requirePlainObject(ctx, given, "{ core: { memoryLimit: '1Gi' } }");
  const resolved: Record<string, Wire<k8s.ResourceRequirements>> = {};
  for (const [component, defaults] of Object.entries(DEFAULTS)) {
    resolved[component] = resourceRequirements(
      { construct: ctx.construct, prop: `${ctx.prop}.${component}` },
      (given as Record<string, ComputeResources | undefined> | undefined)?.[component],
      defaults,
    );
  }
  resolved.databaseInit = resourceRequirements({ construct: ctx.construct, prop: `${ctx.prop}.database` }, undefined, {
    cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '128Mi',
  });
  return resolved as unknown as ResolvedResources;
}

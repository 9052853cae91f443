import { k8s } from 'cdk8s-plus-30';
import { ComputeResources } from './compute-resources';
import { propError } from './errors';
import { Wire } from './kube-object';
import { PropContext, parseByteQuantity, parseCpuQuantity } from './validate';

/** A component's default resources: requests and a memory limit are mandatory, a CPU limit optional. */
export interface ComponentResourceDefaults {
  readonly cpuRequest: string;
  readonly cpuLimit?: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/**
 * The `resources` of a container: `given` (validated, each field optional) over `defaults`.
 * Throws a propError naming `ctx.prop` + field for a malformed quantity or a request above its limit.
 */
export function resourceRequirements(
  ctx: PropContext,
  given: ComputeResources | undefined,
  defaults: ComponentResourceDefaults,
): Wire<k8s.ResourceRequirements> {
  const field = (name: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${name}` });
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw propError({ ...ctx, value: given, allowed: 'a ComputeResources object', fix: "pass e.g. { cpuRequest: '250m', memoryLimit: '1Gi' }, or leave it out for the defaults" });
  }
  const cpuRequest = given?.cpuRequest ?? defaults.cpuRequest;
  const cpuLimit = given?.cpuLimit ?? defaults.cpuLimit;
  const memoryRequest = given?.memoryRequest ?? defaults.memoryRequest;
  const memoryLimit = given?.memoryLimit ?? defaults.memoryLimit;

  const cpuRequestMillis = parseCpuQuantity(field('cpuRequest'), cpuRequest);
  const memoryRequestBytes = parseByteQuantity(field('memoryRequest'), memoryRequest, '128Mi');
  const memoryLimitBytes = parseByteQuantity(field('memoryLimit'), memoryLimit, '512Mi');
  if (memoryRequestBytes > memoryLimitBytes) {
    throw propError({
      ...field('memoryRequest'),
      value: memoryRequest,
      allowed: `a request no larger than the memory limit (${memoryLimit})`,
      fix: `lower memoryRequest or raise memoryLimit to at least ${memoryRequest}`,
    });
  }
  const limits: Record<string, string> = { memory: memoryLimit.trim() };
  if (cpuLimit !== undefined) {
    const cpuLimitMillis = parseCpuQuantity(field('cpuLimit'), cpuLimit);
    if (cpuRequestMillis > cpuLimitMillis) {
      throw propError({
        ...field('cpuRequest'),
        value: cpuRequest,
        allowed: `a request no larger than the CPU limit (${cpuLimit})`,
        fix: `lower cpuRequest or raise cpuLimit to at least ${cpuRequest}`,
      });
    }
    limits.cpu = cpuLimit.trim();
  }
  return {
    requests: {
      cpu: cpuRequest.trim(),
      memory: memoryRequest.trim(),
    },
    limits,
  };
}

/** Options for `restrictedPodSecurityContext`. */
export interface RestrictedPodOptions {
  /** UID the containers run as. Must not be 0. */
  readonly runAsUser: number;
  /** Primary GID. @default runAsUser */
  readonly runAsGroup?: number;
  /**
   * Group that owns mounted volumes (kubelet chowns/chmods PVCs and emptyDirs to it).
   * @default - none (volumes keep their ownership)
   */
  readonly fsGroup?: number;
}

/**
 * A pod security context that satisfies the `restricted` Pod Security Standard: non-root with a
 * fixed UID/GID, seccomp `RuntimeDefault`. With `fsGroup` the ownership change is skipped when the
 * volume root already matches (`OnRootMismatch`), so large PVCs do not get a recursive chown on
 * every start.
 */
export function restrictedPodSecurityContext(options: RestrictedPodOptions): Wire<k8s.PodSecurityContext> {
  if (!Number.isInteger(options.runAsUser) || options.runAsUser <= 0) {
    throw new Error(`restrictedPodSecurityContext: runAsUser must be a positive integer, got ${options.runAsUser}`);
  }
  return {
    runAsNonRoot: true,
    runAsUser: options.runAsUser,
    runAsGroup: options.runAsGroup ?? options.runAsUser,
    ...(options.fsGroup !== undefined ? { fsGroup: options.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Options for `restrictedContainerSecurityContext`. */
export interface RestrictedContainerOptions {
  /**
   * Mount the image's root filesystem read-only: every written path must then be a volume.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * A container security context for the `restricted` Pod Security Standard: no privilege
 * escalation, every capability dropped, non-root, seccomp `RuntimeDefault`, read-only root
 * filesystem unless the caller documents why not.
 */
export function restrictedContainerSecurityContext(options: RestrictedContainerOptions = {}): Wire<k8s.SecurityContext> {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

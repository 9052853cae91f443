import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { CacheAccessMode, ModelCacheOptions } from './model-cache-options';
import { ComputeResources } from '../core/compute-resources';
import { propError } from '../core/errors';
import { kube } from '../core/kube-object';
import { PropContext, parseByteQuantity, requireDnsSubdomain, requireInteger, requireNonEmpty } from '../core/validate';

/** Validated `ModelCacheOptions`. */
export interface ResolvedCache {
  /** Size as given (trimmed). */
  readonly size: string;
  readonly sizeBytes: number;
  readonly storageClassName?: string;
  readonly accessMode: CacheAccessMode;
  readonly keepVersions: number;
  readonly verifyOnStart: boolean;
  readonly staleTagFallback: boolean;
  readonly resources?: ComputeResources;
}

/** Default resources of the model-cache init container. */
export const CACHE_INIT_RESOURCES = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' };

/**
 * Share of a volume a non-root writer can fill: ext4 (the usual block-volume filesystem) reserves 5%
 * of its blocks for root by default, and our containers never run as root.
 */
export const USABLE_FRACTION = 0.95;

/**
 * Smallest cache for a model of `modelBytes` with `keepVersions`: the cache evicts old versions only
 * after switching to a new one, so while a new version is pulled it holds `keepVersions` kept
 * versions plus the new one (worst case: no blob shared), on a filesystem that leaves
 * `USABLE_FRACTION` to non-root writers.
 */
export function minimumCacheBytes(modelBytes: number, keepVersions: number): number {
  return Math.ceil((modelBytes * (keepVersions + 1)) / USABLE_FRACTION);
}

/** `bytes` as a quantity a user would write: whole Gi when at least 1Gi, else whole Mi (rounded up). */
export function suggestQuantity(bytes: number): string {
  return bytes >= 2 ** 30 ? `${Math.ceil(bytes / 2 ** 30)}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

/** Validates `ModelCacheOptions` against the model's size (when known). */
export function resolveCache(ctx: PropContext, cache: ModelCacheOptions, modelBytes: number | undefined): ResolvedCache {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (cache === undefined || cache === null || typeof cache !== 'object') {
    throw propError({ ...ctx, value: cache, allowed: 'a ModelCacheOptions object with at least a size', fix: "pass e.g. { size: '2Gi' }" });
  }
  const sizeBytes = parseByteQuantity(at('size'), cache.size, '2Gi');
  const keepVersions = requireInteger(at('keepVersions'), cache.keepVersions ?? 2, 1, 100);
  const accessMode = cache.accessMode ?? CacheAccessMode.READ_WRITE_ONCE;
  if (!Object.values(CacheAccessMode).includes(accessMode)) {
    throw propError({ ...at('accessMode'), value: accessMode, allowed: 'CacheAccessMode.READ_WRITE_ONCE or CacheAccessMode.READ_WRITE_MANY', fix: 'use a CacheAccessMode value' });
  }
  const storageClassName = cache.storageClassName === undefined
    ? undefined
    : requireDnsSubdomain(at('storageClassName'), requireNonEmpty(at('storageClassName'), cache.storageClassName, 'standard'));
  if (modelBytes !== undefined) {
    const minimum = minimumCacheBytes(modelBytes, keepVersions);
    if (sizeBytes < minimum) {
      throw propError({
        ...at('size'),
        value: cache.size,
        allowed: `at least ${minimum} bytes (${Math.ceil(minimum / 2 ** 20)}Mi): ${keepVersions} kept version(s) of the ${modelBytes}-byte model `
          + `plus the one being pulled, and the ${Math.round((1 - USABLE_FRACTION) * 100)}% a filesystem reserves for root`,
        fix: `set cache.size to "${suggestQuantity(minimum)}" or more, or lower cache.keepVersions`,
      });
    }
  }
  const verifyOnStart = requireBoolean(at('verifyOnStart'), cache.verifyOnStart, false);
  const staleTagFallback = requireBoolean(at('staleTagFallback'), cache.staleTagFallback, true);
  return {
    size: cache.size.trim(), sizeBytes, storageClassName, accessMode, keepVersions, verifyOnStart, staleTagFallback, resources: cache.resources,
  };
}

function requireBoolean(ctx: PropContext, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw propError({ ...ctx, value, allowed: 'true or false', fix: `pass a boolean or leave it out for ${fallback}` });
  }
  return value;
}

/** Options of `cacheClaim`. */
export interface CacheClaimOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly cache: ResolvedCache;
}

/** The cache PVC. */
export function cacheClaim(scope: Construct, id: string, options: CacheClaimOptions): k8s.KubePersistentVolumeClaim {
  return kube(k8s.KubePersistentVolumeClaim, scope, id, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      accessModes: [options.cache.accessMode],
      ...(options.cache.storageClassName !== undefined ? { storageClassName: options.cache.storageClassName } : {}),
      resources: { requests: { storage: options.cache.size } },
    },
  });
}

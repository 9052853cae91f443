import { k8s } from 'cdk8s-plus-30';
import { GpuOptions, GpuToleration } from './gpu';
import { propError } from '../core/errors';
import { requireLabels, requireTolerations } from '../core/kube-syntax';
import { PropContext, requireDnsSubdomain, requireInteger } from '../core/validate';

/** Resolved GPU settings: `undefined` from `resolveGpu` means CPU only. */
export interface ResolvedGpu {
  readonly count: number;
  readonly layers: number;
  readonly resourceName: string;
  readonly tolerations: k8s.Toleration[];
  readonly nodeSelector?: Record<string, string>;
  readonly runtimeClassName?: string;
}

/** All layers: llama.cpp caps `--n-gpu-layers` at the model's layer count (older builds take a number only). */
export const ALL_GPU_LAYERS = 999;

const EXTENDED_RESOURCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Validates `GpuOptions`: `undefined` (or a count of 0) means no GPU. */
export function resolveGpu(ctx: PropContext, gpu: GpuOptions | undefined): ResolvedGpu | undefined {
  if (gpu === undefined) return undefined;
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (gpu === null || typeof gpu !== 'object') {
    throw propError({ ...ctx, value: gpu, allowed: 'a GpuOptions object', fix: 'pass e.g. { count: 1 }, or leave it out to run on CPU' });
  }
  const count = requireInteger(at('count'), gpu.count, 0, 64);
  if (count === 0) {
    if (gpu.layers !== undefined && gpu.layers !== 0) {
      throw propError({
        ...at('layers'),
        value: gpu.layers,
        allowed: 'no GPU layers when gpu.count is 0 (there is no GPU to offload to)',
        fix: 'request GPUs with gpu.count >= 1, or remove gpu.layers',
      });
    }
    return undefined;
  }
  const layers = requireInteger(at('layers'), gpu.layers ?? ALL_GPU_LAYERS, 0, 100000);
  const resourceName = gpu.resourceName ?? 'nvidia.com/gpu';
  if (typeof resourceName !== 'string' || !EXTENDED_RESOURCE.test(resourceName) || resourceName.startsWith('kubernetes.io/')) {
    throw propError({
      ...at('resourceName'),
      value: resourceName,
      allowed: 'an extended resource name "<domain>/<name>"',
      fix: 'use the name your device plugin advertises, e.g. "nvidia.com/gpu" or "amd.com/gpu"',
    });
  }
  const tolerations = gpu.tolerations === undefined
    ? [{ key: resourceName, operator: 'Exists', effect: 'NoSchedule' }]
    : tolerationList(at('tolerations'), gpu.tolerations);
  const nodeSelector = gpu.nodeSelector === undefined ? undefined : requireLabelMap(at('nodeSelector'), gpu.nodeSelector, "{ 'nvidia.com/gpu.present': 'true' }");
  const runtimeClassName = gpu.runtimeClassName === undefined ? undefined : requireDnsSubdomain(at('runtimeClassName'), gpu.runtimeClassName);
  return { count, layers, resourceName, tolerations, nodeSelector, runtimeClassName };
}

function tolerationList(ctx: PropContext, tolerations: GpuToleration[]): k8s.Toleration[] {
  return requireTolerations(ctx, tolerations, "[{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]", 'Equal');
}

/** A map of label keys to values (node selector, pod labels), validated like the API server does. */
export function requireLabelMap(ctx: PropContext, labels: { [key: string]: string }, example: string): Record<string, string> {
  return requireLabels(ctx, labels, example);
}

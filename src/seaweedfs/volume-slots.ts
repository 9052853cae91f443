import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/**
 * Volume-slot planning: the "7 slots per bucket" trap of SeaweedFS (seaweedfs/seaweedfs@3.73, files named below).
 *
 * Facts (3.73 source):
 * - With `volume -max=0` a volume server offers `floor(free_bytes / limit_bytes) - 1` slots per
 *   disk (`Store.MaybeAdjustVolumeMax`, weed/storage/store.go), where `limit_bytes` is the master's
 *   `-volumeSizeLimitMB` × 2^20. `free_bytes` is statfs `Bfree` of the PVC.
 * - Every S3 bucket is its own collection; the default collection (`""`) takes the filer's own
 *   writes. The first write to a collection grows it by `copy_N` logical volumes at once
 *   (`WEED_MASTER_VOLUME_GROWTH_COPY_1` = 7, `_2` = 6, `_3` = 3, `_OTHER` = 1 by default,
 *   weed/topology/volume_growth.go), each logical volume taking `copyCount` slots on distinct servers.
 * - When slots run out, the next collection gets "no more writable volumes" and its writes fail.
 *
 * Formula (what this module guarantees):
 *
 *   collections      = buckets + 1                                  (bucket collections + default)
 *   neededPerServer  = ceil(collections × copyCount × growth / volumeServers)
 *   free             = volumeSize × FREE_FRACTION                   (filesystem overhead, reserved blocks)
 *   slotsPerServer   = floor(free / (volumeSizeLimitMB × 2^20)) - 1
 *   requirement      : slotsPerServer >= neededPerServer
 *   ⇒ volumeSizeLimitMB = min(PREFERRED_MAX_LIMIT_MB, floor(free / 2^20 / (neededPerServer + 1)))
 *
 * `growth` starts at the upstream default for the copy count and is lowered one step at a time
 * until the resulting limit is at least MIN_LIMIT_MB; if even `growth = 1` does not fit, the PVC
 * is too small and the caller gets the minimum size. Smaller volumes (rather than the largest that
 * fit) leave free slots after the first growth, so a busy bucket can keep growing while idle ones
 * hold little space: slots are shared, volumes are not.
 */

/** Share of the PVC counted as free for new volumes (ext4/xfs metadata and reserved blocks). */
export const FREE_FRACTION = 0.9;
/** Upper bound for the computed volume size limit: the chart's 1000 MB, a good compaction unit. */
export const PREFERRED_MAX_LIMIT_MB = 1000;
/** Lower bound for a computed limit: below it the PVC is reported as too small. */
export const MIN_LIMIT_MB = 100;
/** The master refuses limits above 30000 MB (`weed/command/master.go`). */
export const MAX_LIMIT_MB = 30000;
/** Upstream growth defaults by copy count (`weed/command/scaffold/master.toml`). */
export const DEFAULT_GROWTH: Readonly<Record<'copy1' | 'copy2' | 'copy3' | 'copyOther', number>> = { copy1: 7, copy2: 6, copy3: 3, copyOther: 1 };

const MIB = 2 ** 20;

/** Inputs of `planVolumeSlots`. */
export interface VolumeSlotInputs {
  /** Size of each volume server's PVC in bytes. */
  readonly volumeSizeBytes: number;
  /** Number of volume servers. */
  readonly volumeServers: number;
  /** Number of declared buckets. */
  readonly buckets: number;
  /** Copies per volume (replication X+Y+Z+1). */
  readonly copyCount: number;
  /** A fixed limit chosen by the user instead of the computed one. */
  readonly fixedLimitMB?: number;
}

/** The numbers written into the master's flags and env. */
export interface VolumeSlotPlan {
  /** `master -volumeSizeLimitMB`. */
  readonly volumeSizeLimitMB: number;
  /** Logical volumes a collection grows by at once, for the configured copy count. */
  readonly growthCount: number;
  /** Env `WEED_MASTER_VOLUME_GROWTH_*` values (the configured copy count gets `growthCount`, others never more). */
  readonly growthEnv: Readonly<Record<string, string>>;
  /** Buckets + the default collection. */
  readonly collections: number;
  /** Slots every volume server offers with this limit. */
  readonly slotsPerServer: number;
  /** Slots each volume server must offer for every collection's first growth. */
  readonly neededPerServer: number;
}

/** Slots one server offers for `limitMB` (store.go, with no volume yet). */
export function slotsPerServer(volumeSizeBytes: number, limitMB: number): number {
  return Math.floor(Math.floor(volumeSizeBytes * FREE_FRACTION) / (limitMB * MIB)) - 1;
}

/** Upstream default growth for a copy count. */
export function defaultGrowth(copyCount: number): number {
  if (copyCount === 1) return DEFAULT_GROWTH.copy1;
  if (copyCount === 2) return DEFAULT_GROWTH.copy2;
  if (copyCount === 3) return DEFAULT_GROWTH.copy3;
  return DEFAULT_GROWTH.copyOther;
}

function neededPerServer(inputs: VolumeSlotInputs, growth: number): number {
  return Math.ceil(((inputs.buckets + 1) * inputs.copyCount * growth) / inputs.volumeServers);
}

/** Largest limit (MB) that still offers `needed` slots per server. */
function largestFittingLimitMB(volumeSizeBytes: number, needed: number): number {
  return Math.floor(Math.floor(volumeSizeBytes * FREE_FRACTION) / MIB / (needed + 1));
}

/** The smallest PVC (whole MiB) on which `needed` slots fit at `limitMB`. */
export function minimumVolumeSizeMiB(needed: number, limitMB: number): number {
  let mib = Math.ceil(((needed + 1) * limitMB) / FREE_FRACTION);
  while (slotsPerServer(mib * MIB, limitMB) < needed) mib++;
  return mib;
}

/**
 * Chooses `-volumeSizeLimitMB` and the growth counts so that every collection's first growth fits,
 * or throws a propError on `ctx` (the volume size prop) naming the minimum PVC size.
 */
export function planVolumeSlots(ctx: PropContext, sizeText: string, inputs: VolumeSlotInputs): VolumeSlotPlan {
  const collections = inputs.buckets + 1;
  const maxGrowth = defaultGrowth(inputs.copyCount);
  for (let growth = maxGrowth; growth >= 1; growth--) {
    const needed = neededPerServer(inputs, growth);
    const limit = inputs.fixedLimitMB ?? Math.min(PREFERRED_MAX_LIMIT_MB, largestFittingLimitMB(inputs.volumeSizeBytes, needed));
    const fits = inputs.fixedLimitMB !== undefined ? slotsPerServer(inputs.volumeSizeBytes, limit) >= needed : limit >= MIN_LIMIT_MB;
    if (fits) {
      return {
        volumeSizeLimitMB: limit,
        growthCount: growth,
        growthEnv: growthEnv(inputs.copyCount, growth),
        collections,
        slotsPerServer: slotsPerServer(inputs.volumeSizeBytes, limit),
        neededPerServer: needed,
      };
    }
  }
  const neededAtOne = neededPerServer(inputs, 1);
  const limit = inputs.fixedLimitMB ?? MIN_LIMIT_MB;
  const minimum = minimumVolumeSizeMiB(neededAtOne, limit);
  throw propError({
    ...ctx,
    value: sizeText,
    allowed: `a volume PVC large enough for ${inputs.buckets} bucket(s) + the default collection: at least ${minimum}Mi per volume server ` +
      `(${collections} collections × ${inputs.copyCount} copies × 1 volume of ${limit} MB spread over ${inputs.volumeServers} server(s), ` +
      `slots = floor(${FREE_FRACTION} × size / ${limit} MB) - 1)`,
    fix: `set ${ctx.prop} to "${minimum}Mi" or more, declare fewer buckets, or add volume servers`,
  });
}

function growthEnv(copyCount: number, growth: number): Record<string, string> {
  const value = (count: number, upstream: number): string => String(count === copyCount ? growth : Math.min(upstream, growth));
  return {
    WEED_MASTER_VOLUME_GROWTH_COPY_1: value(1, DEFAULT_GROWTH.copy1),
    WEED_MASTER_VOLUME_GROWTH_COPY_2: value(2, DEFAULT_GROWTH.copy2),
    WEED_MASTER_VOLUME_GROWTH_COPY_3: value(3, DEFAULT_GROWTH.copy3),
    WEED_MASTER_VOLUME_GROWTH_COPY_OTHER: String(copyCount >= 4 ? growth : Math.min(DEFAULT_GROWTH.copyOther, growth)),
  };
}

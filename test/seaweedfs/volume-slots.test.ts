import * as fc from 'fast-check';
import { container, envMap, find, synth } from './helpers';
import { PropValidationError } from '../../src/core/errors';
import {
  FREE_FRACTION, MIN_LIMIT_MB, PREFERRED_MAX_LIMIT_MB, VolumeSlotInputs, defaultGrowth, minimumVolumeSizeMiB, planVolumeSlots, slotsPerServer,
} from '../../src/seaweedfs/volume-slots';

const GI = 2 ** 30;
const MI = 2 ** 20;
const ctx = { construct: 'SeaweedFSStorage', prop: 'volumeStorageSize' };
const plan = (sizeGi: number, inputs: Omit<VolumeSlotInputs, 'volumeSizeBytes'>) => planVolumeSlots(ctx, `${sizeGi}Gi`, { volumeSizeBytes: sizeGi * GI, ...inputs });

describe('volume slots (slots = floor(free / limit) - 1, every collection grows by copy_N volumes at once)', () => {
  test('slot formula of store.go with 90% of the PVC counted as free', () => {
    expect(FREE_FRACTION).toBe(0.9);
    // 20Gi: 18432 MiB free; 1000 MB volumes → floor(18.43) - 1 = 17 slots.
    expect(slotsPerServer(20 * GI, 1000)).toBe(17);
    // The 30000 MB default on a 10Gi disk gives no slot at all (the trap in the reference).
    expect(slotsPerServer(10 * GI, 30000)).toBe(-1);
  });

  test('upstream growth defaults per copy count', () => {
    expect([1, 2, 3, 4].map(defaultGrowth)).toEqual([7, 6, 3, 1]);
  });

  test.each([
    // size, buckets, servers, copies → limit, growth, slots per server, needed per server
    [20, 0, 1, 1, 1000, 7, 17, 7],
    [20, 1, 1, 1, 1000, 7, 17, 14],
    [20, 2, 1, 1, 837, 7, 21, 21],
    [10, 1, 1, 1, 614, 7, 14, 14],
    [10, 2, 1, 1, 418, 7, 21, 21],
    [20, 2, 2, 2, 970, 6, 18, 18],
    [100, 5, 1, 1, 1000, 7, 91, 42],
    // Small disk: growth is lowered until volumes of >= 100 MB fit.
    [2, 2, 1, 1, 115, 5, 15, 15],
  ])('%sGi, %s bucket(s), %s server(s), %s copies → -volumeSizeLimitMB=%s, growth %s', (size, buckets, servers, copies, limit, growth, slots, needed) => {
    const p = plan(size, { buckets, volumeServers: servers, copyCount: copies });
    expect(p).toEqual(expect.objectContaining({
      volumeSizeLimitMB: limit, growthCount: growth, slotsPerServer: slots, neededPerServer: needed, collections: buckets + 1,
    }));
    // Every collection's first growth fits.
    expect(p.slotsPerServer).toBeGreaterThanOrEqual(Math.ceil((buckets + 1) * copies * growth / servers));
  });

  test('growth env: the configured copy count gets the computed growth, the others never more than upstream', () => {
    expect(plan(2, { buckets: 2, volumeServers: 1, copyCount: 1 }).growthEnv).toEqual({
      WEED_MASTER_VOLUME_GROWTH_COPY_1: '5', WEED_MASTER_VOLUME_GROWTH_COPY_2: '5', WEED_MASTER_VOLUME_GROWTH_COPY_3: '3', WEED_MASTER_VOLUME_GROWTH_COPY_OTHER: '1',
    });
    expect(plan(20, { buckets: 2, volumeServers: 2, copyCount: 2 }).growthEnv).toEqual({
      WEED_MASTER_VOLUME_GROWTH_COPY_1: '6', WEED_MASTER_VOLUME_GROWTH_COPY_2: '6', WEED_MASTER_VOLUME_GROWTH_COPY_3: '3', WEED_MASTER_VOLUME_GROWTH_COPY_OTHER: '1',
    });
  });

  test('a fixed limit keeps the limit and lowers growth to fit', () => {
    const p = plan(10, { buckets: 2, volumeServers: 1, copyCount: 1, fixedLimitMB: 1000 });
    // 9216 MiB / 1000 → 8 slots; 3 collections × 2 = 6 ≤ 8.
    expect(p).toMatchObject({ volumeSizeLimitMB: 1000, growthCount: 2, slotsPerServer: 8, neededPerServer: 6 });
  });

  test('too small: a propError naming the minimum size, which is exactly the smallest size that works', () => {
    let error: PropValidationError | undefined;
    try {
      plan(1, { buckets: 10, volumeServers: 1, copyCount: 1 });
    } catch (e) {
      error = e as PropValidationError;
    }
    expect(error).toBeInstanceOf(PropValidationError);
    // 11 collections × 1 volume of 100 MB: floor(0.9 × size / 100 MB) - 1 >= 11 → 1334Mi.
    expect(error!.message).toContain("SeaweedFSStorage 'volumeStorageSize': got \"1Gi\"");
    expect(error!.message).toContain('at least 1334Mi');
    expect(error!.fix).toContain('"1334Mi"');
    expect(minimumVolumeSizeMiB(11, MIN_LIMIT_MB)).toBe(1334);
    expect(() => planVolumeSlots(ctx, '1334Mi', { volumeSizeBytes: 1334 * MI, buckets: 10, volumeServers: 1, copyCount: 1 })).not.toThrow();
    expect(() => planVolumeSlots(ctx, '1333Mi', { volumeSizeBytes: 1333 * MI, buckets: 10, volumeServers: 1, copyCount: 1 })).toThrow(PropValidationError);
  });

  test('property: any plan lets every collection grow, with a limit between 100 and 1000 MB', () => {
    fc.assert(fc.property(
      fc.integer({ min: 256, max: 2 * 1024 * 1024 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }),
      (sizeMiB, buckets, servers, copies) => {
        fc.pre(copies <= servers);
        const inputs = { volumeSizeBytes: sizeMiB * MI, buckets, volumeServers: servers, copyCount: copies };
        let p;
        try {
          p = planVolumeSlots(ctx, `${sizeMiB}Mi`, inputs);
        } catch (e) {
          expect(e).toBeInstanceOf(PropValidationError);
          const minimum = Number(/at least (\d+)Mi/.exec((e as Error).message)![1]);
          expect(minimum).toBeGreaterThan(sizeMiB);
          expect(() => planVolumeSlots(ctx, `${minimum}Mi`, { ...inputs, volumeSizeBytes: minimum * MI })).not.toThrow();
          return;
        }
        expect(p.volumeSizeLimitMB).toBeGreaterThanOrEqual(MIN_LIMIT_MB);
        expect(p.volumeSizeLimitMB).toBeLessThanOrEqual(PREFERRED_MAX_LIMIT_MB);
        expect(p.growthCount).toBeGreaterThanOrEqual(1);
        expect(p.growthCount).toBeLessThanOrEqual(defaultGrowth(copies));
        expect(slotsPerServer(sizeMiB * MI, p.volumeSizeLimitMB) * servers).toBeGreaterThanOrEqual((buckets + 1) * copies * p.growthCount);
      },
    ), { numRuns: 300 });
  });
});

describe('SeaweedFSStorage writes the plan into the master', () => {
  test('flags, env and outputs follow the declared buckets', () => {
    const { storage, objects } = synth({ volumeStorageSize: '2Gi' }, [['velero', { consumerNamespace: 'velero' }], ['registry', { consumerNamespace: 'harbor' }]]);
    const master = container(find(objects, 'StatefulSet', 'seaweedfs-master'));
    expect(master.args).toContain('-volumeSizeLimitMB=115');
    expect(envMap(master).WEED_MASTER_VOLUME_GROWTH_COPY_1).toBe('5');
    expect(storage.volumeSizeLimitMB).toBe(115);
    expect(storage.volumeGrowthCount).toBe(5);
  });

  test('a fixed volumeSizeLimitMB prop is kept', () => {
    const { storage, objects } = synth({ volumeSizeLimitMB: 500 }, [['velero', { consumerNamespace: 'velero' }]]);
    expect(container(find(objects, 'StatefulSet', 'seaweedfs-master')).args).toContain('-volumeSizeLimitMB=500');
    expect(storage.volumeGrowthCount).toBe(7);
  });
});

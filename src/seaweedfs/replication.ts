import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/**
 * A SeaweedFS replica placement `XYZ` (`weed/storage/super_block/replica_placement.go`):
 * X extra copies in other data centers, Y in other racks of the same data center, Z on other
 * servers of the same rack. Stored as one byte, so X*100+Y*10+Z must be at most 255.
 */
export interface ReplicaPlacement {
  readonly text: string;
  readonly otherDataCenters: number;
  readonly otherRacks: number;
  readonly sameRack: number;
  /** Physical copies of every volume: X + Y + Z + 1. */
  readonly copyCount: number;
}

/**
 * Parses and checks a replication string against the topology this construct deploys: every
 * volume server runs in one data center and one rack (no `-dataCenter`/`-rack` flags), so only
 * `00Z` placements can be satisfied, and only with at least Z+1 volume servers.
 */
export function parseReplication(ctx: PropContext, value: string, volumeServers: number): ReplicaPlacement {
  if (typeof value !== 'string' || !/^[0-9]{3}$/.test(value) || Number(value) > 255) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a SeaweedFS replication string of three digits XYZ with X*100+Y*10+Z <= 255 (e.g. "000" single copy, "001" two copies on different servers)',
      fix: 'use "000" for one volume server or "001" for two copies on two volume servers',
    });
  }
  const [x, y, z] = value.split('').map(Number);
  const placement: ReplicaPlacement = { text: value, otherDataCenters: x, otherRacks: y, sameRack: z, copyCount: x + y + z + 1 };
  if (x > 0 || y > 0) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a placement within one data center and one rack ("00Z"): this construct runs every volume server in the default data center and rack',
      fix: `use "00${Math.min(x + y + z, 9)}" with at least ${Math.min(x + y + z, 9) + 1} volume servers to keep ${x + y + z + 1} copies on different servers`,
    });
  }
  if (z + 1 > volumeServers) {
    throw propError({
      ...ctx,
      value,
      allowed: `a placement the ${volumeServers} declared volume server(s) can satisfy: "${value}" keeps ${z + 1} copies on ${z + 1} different volume servers`,
      fix: `set volumeServers to at least ${z + 1}, or lower replication to "00${volumeServers - 1}"`,
    });
  }
  return placement;
}

import { ApiObject, Chart } from 'cdk8s';

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Waves per chart level: room for the waves components set inside their chart (-1..2 today). */
const WAVES_PER_LEVEL = 10;

/** The wave each object had before the platform numbered it (so repeated validation is idempotent). */
const OWN_WAVES = new WeakMap<ApiObject, number>();

/**
 * Gives every object of `charts` the Argo CD sync wave `10 × level + its own wave` (0 when it has
 * none), where a chart's level is the length of the longest chain of charts it depends on. One Argo
 * CD Application over all files then syncs every chart after the charts it depends on (independent
 * charts in the same wave), and the waves a component sets inside its chart keep their order.
 *
 * Levels come from the chart dependencies alone: cdk8s's `App.charts` orders the whole construct
 * graph and costs far more than this, and validation runs once per synthesized chart.
 * Returns a validation error for a wave that is not an integer.
 */
export function applySyncWaves(charts: readonly Chart[]): string[] {
  const errors: string[] = [];
  const levels = new Map<Chart, number>();
  for (const chart of charts) {
    const base = chartLevel(chart, levels, new Set()) * WAVES_PER_LEVEL;
    for (const object of chart.node.findAll()) {
      if (!(object instanceof ApiObject) || Chart.of(object) !== chart) continue;
      let own = OWN_WAVES.get(object);
      if (own === undefined) {
        const current = object.metadata.toJson()?.annotations?.[SYNC_WAVE];
        own = current === undefined ? 0 : Number(current);
        if (!Number.isInteger(own)) {
          errors.push(`ModelPlatform: ${object.kind} ${object.name} has sync wave ${JSON.stringify(current)}, expected an integer; set an integer wave or turn syncWaves off`);
          continue;
        }
        OWN_WAVES.set(object, own);
      }
      object.metadata.addAnnotation(SYNC_WAVE, String(base + own));
    }
  }
  return errors;
}

/** Longest chain of chart dependencies below `chart` (a cycle is left for cdk8s to report). */
function chartLevel(chart: Chart, levels: Map<Chart, number>, visiting: Set<Chart>): number {
  const known = levels.get(chart);
  if (known !== undefined) return known;
  if (visiting.has(chart)) return 0;
  visiting.add(chart);
  let level = 0;
  for (const dependency of chart.node.dependencies) {
    if (dependency instanceof Chart) level = Math.max(level, chartLevel(dependency, levels, visiting) + 1);
  }
  visiting.delete(chart);
  levels.set(chart, level);
  return level;
}

import { ApiObject, Chart } from 'cdk8s';

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Waves per chart: room for the waves components set inside their chart (-1..2 today). */
const WAVES_PER_CHART = 10;

/** The wave each object had before the platform numbered it (so repeated validation is idempotent). */
const OWN_WAVES = new WeakMap<ApiObject, number>();

/**
 * Gives every object of `charts` the Argo CD sync wave `10 × chart index + its own wave` (0 when it
 * has none): one Argo CD Application over all files then syncs in the same order as `kubectl apply`
 * of the files in lexical order, and the waves a component sets inside its chart keep their order.
 * Returns a validation error for a wave that is not an integer.
 */
export function applySyncWaves(charts: readonly Chart[]): string[] {
  const errors: string[] = [];
  charts.forEach((chart, index) => {
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
      object.metadata.addAnnotation(SYNC_WAVE, String(index * WAVES_PER_CHART + own));
    }
  });
  return errors;
}

import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { VELERO, VeleroContext, veleroLabels } from './context';
import { kube } from '../core/kube-object';

/** Resources of the Kopia maintenance Jobs, as quantity strings (all four are written). */
export interface MaintenanceJobSettings {
  readonly cpuRequest: string;
  /** "0" means no limit (Velero treats a zero quantity as unbounded). */
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly keepLatestMaintenanceJobs: number;
}

/**
 * The `--repo-maintenance-job-configmap` ConfigMap. Velero 1.17 removed the server flags
 * `--keep-latest-maintenance-jobs` and `--maintenance-job-{cpu,mem}-{request,limit}` (though
 * `velero install` 1.18 still writes them), so these settings live in key `global` as JSON
 * (pkg/repository/maintenance/maintenance.go@v1.18.1). Velero copies all four podResources fields
 * as given and fails to parse an empty one, so every field is written.
 */
export function buildMaintenanceConfigMap(scope: Construct, ctx: VeleroContext, settings: MaintenanceJobSettings): string {
  const global = {
    podResources: {
      cpuRequest: settings.cpuRequest,
      cpuLimit: settings.cpuLimit,
      memoryRequest: settings.memoryRequest,
      memoryLimit: settings.memoryLimit,
    },
    keepLatestMaintenanceJobs: settings.keepLatestMaintenanceJobs,
  };
  kube(k8s.KubeConfigMap, scope, 'repo-maintenance', {
    metadata: { name: VELERO.maintenanceConfigMap, namespace: ctx.namespace, labels: veleroLabels(ctx, 'repo-maintenance') },
    data: { global: JSON.stringify(global) },
  });
  return VELERO.maintenanceConfigMap;
}

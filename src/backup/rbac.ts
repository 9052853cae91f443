import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { VELERO, VeleroContext, veleroLabels } from './context';
import { kube } from '../core/kube-object';

/**
 * ServiceAccount `velero` and its ClusterRoleBinding to `cluster-admin`, as `velero install`
 * creates them (velero-io/velero@v1.18.1:pkg/install/resources.go).
 *
 * Why cluster-admin: Velero backs up and restores arbitrary resources of any namespace, including
 * RBAC objects and CRDs. Restoring a Role or ClusterRoleBinding requires holding every permission
 * it grants (or `escalate`/`bind`), and a backup must be able to list every API group, including
 * ones installed later. A narrower ClusterRole would therefore have to allow `*` on `*` anyway or
 * silently skip resources, so this library keeps upstream's binding; the risk is contained by the
 * Velero namespace (only Velero's own pods run there, behind default-deny NetworkPolicies).
 */
export function buildServiceAccount(scope: Construct, ctx: VeleroContext): { serviceAccountName: string; clusterRoleBindingName: string } {
  const labels = veleroLabels(ctx, 'server');
  // Upstream names the binding `velero`, or `velero-<namespace>` outside the `velero` namespace
  // so that two installs do not fight over one cluster-scoped name.
  const bindingName = ctx.namespace === 'velero' ? 'velero' : `velero-${ctx.namespace}`;
  kube(k8s.KubeClusterRoleBinding, scope, 'cluster-role-binding', {
    metadata: { name: bindingName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: VELERO.serviceAccount, namespace: ctx.namespace }],
  });
  kube(k8s.KubeServiceAccount, scope, 'service-account', {
    metadata: { name: VELERO.serviceAccount, namespace: ctx.namespace, labels },
  });
  return { serviceAccountName: VELERO.serviceAccount, clusterRoleBindingName: bindingName };
}

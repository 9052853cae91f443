/**
 * What the control-plane scenario does in place of the controllers it does not run (Job, workload
 * status), what it reads from the synthesized objects (pod templates as Pods, Secret grants), and
 * how it reads kubectl's warnings.
 */
import { ControlPlane } from './control-plane';

/** The label the README's wait names for Velero's CRD Job. */
export const crdJobSelector = 'app.kubernetes.io/component=crd-install';

/** The `Warning: ...` lines kubectl prints for the API server's warnings (PodSecurity, deprecations). */
export function warningsOf(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('Warning:'));
}

/**
 * Marks a Job complete through its status subresource, as the Job controller does once its Pod
 * succeeded (the conditions and counts kube-apiserver v1.35 requires of a finished Job).
 */
export async function markJobComplete(plane: ControlPlane, job: any): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now });
  const status = {
    startTime: now,
    completionTime: now,
    succeeded: 1,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
    conditions: [condition('SuccessCriteriaMet'), condition('Complete')],
  };
  await plane.kubectlOk(['patch', 'job', job.metadata.name, '-n', job.metadata.namespace,
    '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/**
 * Every pod template of the workloads as the Pod its controller would create: the StatefulSet's
 * claim templates become the claims of its first replica, as the StatefulSet controller names them.
 */
export function podsOfTemplates(objects: any[]): any[] {
  const pods: any[] = [];
  for (const o of objects) {
    const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec?.template;
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind) || !template?.spec) continue;
    const spec = structuredClone(template.spec);
    if (o.kind === 'StatefulSet') {
      const claims = (o.spec.volumeClaimTemplates ?? []).map((c: any) => ({
        name: c.metadata.name,
        persistentVolumeClaim: { claimName: `${c.metadata.name}-${o.metadata.name}-0` },
      }));
      spec.volumes = [...(spec.volumes ?? []), ...claims];
    }
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${o.metadata.name}-${o.kind.toLowerCase()}`, namespace: o.metadata.namespace, labels: template.metadata?.labels },
      spec,
    });
  }
  return pods;
}

/** What a ServiceAccount's Roles grant on Secrets: `get` by namespace and name, `create` by namespace. */
export interface SecretGrants {
  readonly get: Map<string, Set<string>>;
  readonly create: Set<string>;
}

/** The Secret grants of a ServiceAccount, from the synthesized Roles and RoleBindings. */
export function secretGrants(objects: any[], namespace: string, serviceAccount: string): SecretGrants {
  const grants: SecretGrants = { get: new Map(), create: new Set() };
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding')) {
    const bound = binding.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === namespace);
    if (!bound || binding.roleRef.kind !== 'Role') continue;
    const ns = binding.metadata.namespace;
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === ns && o.metadata.name === binding.roleRef.name);
    for (const rule of role?.rules ?? []) {
      if (!rule.apiGroups.includes('') || !rule.resources.includes('secrets')) continue;
      if (rule.verbs.includes('get')) {
        if (!rule.resourceNames) throw new Error(`Role ${ns}/${role.metadata.name} grants get on every Secret`);
        grants.get.set(ns, new Set([...(grants.get.get(ns) ?? []), ...rule.resourceNames]));
      }
      if (rule.verbs.includes('create')) grants.create.add(ns);
    }
  }
  return grants;
}

/**
 * Marks every Deployment and StatefulSet of a namespace ready through its status subresource, as
 * its controller does once the kubelet reports the pods ready.
 */
export async function markWorkloadsReady(plane: ControlPlane, namespace: string): Promise<string[]> {
  const marked: string[] = [];
  for (const kind of ['deployment', 'statefulset']) {
    for (const item of (await plane.getJson([kind, '-n', namespace])).items) {
      const replicas = item.spec.replicas ?? 1;
      const status = {
        observedGeneration: item.metadata.generation,
        replicas,
        readyReplicas: replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
      };
      await plane.kubectlOk(['patch', kind, item.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
      marked.push(`${item.kind}/${item.metadata.name}`);
    }
  }
  return marked;
}

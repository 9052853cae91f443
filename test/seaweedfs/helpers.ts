import { Testing } from 'cdk8s';
import { SeaweedFSBucketOptions, SeaweedFSStorage, SeaweedFSStorageProps } from '../../src/seaweedfs/seaweedfs-storage';
import { expectValidManifests } from '../validation';
import { ModelPod } from './policy-flows';

export interface Synthesized {
  readonly storage: SeaweedFSStorage;
  readonly objects: any[];
}

/** Builds a storage (plus buckets), synthesizes it and validates every object. */
export function synth(props: SeaweedFSStorageProps = {}, buckets: Array<[string, SeaweedFSBucketOptions]> = []): Synthesized {
  const chart = Testing.chart();
  const storage = new SeaweedFSStorage(chart, 'storage', props);
  for (const [bucket, options] of buckets) storage.addBucket(bucket, options);
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { storage, objects };
}

/** The object of `kind` named `name` (a RegExp matches generated names); fails if absent or ambiguous. */
export function find(objects: any[], kind: string, name: string | RegExp): any {
  const found = objects.filter((o) => o.kind === kind && (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name)));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

/** The container `name` (or the first) of a workload's pod template. */
export function container(workload: any, name?: string): any {
  const containers = workload.spec.template.spec.containers;
  return name ? containers.find((c: any) => c.name === name) : containers[0];
}

/** Env entries as a name → value map (valueFrom entries as their fieldPath). */
export function envMap(c: any): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? `fieldRef:${e.valueFrom?.fieldRef?.fieldPath}`]));
}

/** Every pod template of every workload (StatefulSet, Deployment, Job) of the objects. */
export function podTemplates(objects: any[]): Array<{ owner: any; template: any }> {
  return objects
    .filter((o) => ['StatefulSet', 'Deployment', 'Job', 'DaemonSet'].includes(o.kind))
    .map((o) => ({ owner: o, template: o.spec.template }));
}

/** Address of the API server in the policy model (outside the pod CIDR 10.244.0.0/16). */
export const API_SERVER_IP = '172.18.0.2';

/**
 * Pods for the policy evaluator: one per workload of the install (named by component label),
 * plus pods in other namespaces, cluster DNS and the API server.
 */
export function modelPods(objects: any[], otherNamespaces: string[]): ModelPod[] {
  let next = 10;
  const podIp = (): string => `10.244.0.${next++}`;
  const pods: ModelPod[] = podTemplates(objects).map(({ owner, template }) => ({
    id: template.metadata.labels['app.kubernetes.io/component'],
    namespace: owner.metadata.namespace,
    labels: template.metadata.labels,
    ip: podIp(),
  }));
  for (const ns of otherNamespaces) pods.push({ id: `${ns}/*`, namespace: ns, labels: { app: 'anything' }, ip: podIp() });
  pods.push({ id: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: podIp() });
  pods.push({ id: 'apiserver', namespace: '', labels: {}, ip: API_SERVER_IP, external: true });
  return pods;
}

/**
 * The Velero namespace's NetworkPolicies, evaluated with the test policy model: which flows from
 * and to Velero's pods are admitted.
 */
import { Testing } from 'cdk8s';
import { build, bucketIn, find } from './helpers';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { ModelPod, ModelPort, admittedFlows } from '../seaweedfs/policy-flows';
import { expectValidManifests } from '../validation';

const API_SERVER_IP = '172.18.0.2';
const EXTERNAL_S3_IP = '203.0.113.10';
const PORTS: ModelPort[] = [
  { port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' },
  ...[8333, 443, 6443, 8085, 9000].map((port) => ({ port, protocol: 'TCP' as const })),
];

/** One pod per Velero role (with the labels Velero gives them), plus peers in other namespaces. */
function pods(objects: any[]): ModelPod[] {
  let next = 10;
  const ip = () => `10.244.0.${next++}`;
  const template = (kind: string, name: string | RegExp) => {
    const found = objects.find((o) => o.kind === kind && (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name)));
    return found.spec.template.metadata.labels;
  };
  return [
    { id: 'server', namespace: 'velero', labels: template('Deployment', 'velero'), ip: ip() },
    { id: 'node-agent', namespace: 'velero', labels: template('DaemonSet', 'node-agent'), ip: ip() },
    { id: 'pvb', namespace: 'velero', labels: { 'velero.io/pod-volume-backup': 'ai-backup-xyz' }, ip: ip() },
    { id: 'pvr', namespace: 'velero', labels: { 'velero.io/pod-volume-restore': 'ai-restore-abc' }, ip: ip() },
    { id: 'maintenance', namespace: 'velero', labels: { 'velero.io/repo-name': 'ai-inference-default-kopia-x', 'job-name': 'm' }, ip: ip() },
    { id: 'crd-job', namespace: 'velero', labels: template('Job', /^velero-crd-install-/), ip: ip() },
    { id: 'seaweedfs/*', namespace: 'seaweedfs', labels: { app: 's3' }, ip: ip() },
    { id: 'monitoring/*', namespace: 'monitoring', labels: { app: 'prometheus' }, ip: ip() },
    { id: 'ai-inference/*', namespace: 'ai-inference', labels: { app: 'llama' }, ip: ip() },
    { id: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: ip() },
    { id: 'apiserver', namespace: '', labels: {}, ip: API_SERVER_IP, external: true },
    { id: 'external-s3', namespace: '', labels: {}, ip: EXTERNAL_S3_IP, external: true },
  ];
}

const ROLES = ['server', 'node-agent', 'pvb', 'pvr', 'maintenance'];
const dns = (ids: string[]) => ids.flatMap((p) => [`${p} -> kube-dns 53/TCP`, `${p} -> kube-dns 53/UDP`]);
const api = (ids: string[]) => ids.flatMap((p) => [`${p} -> apiserver 443/TCP`, `${p} -> apiserver 6443/TCP`]);

describe('Velero NetworkPolicies admit exactly the flows Velero uses', () => {
  test('in-cluster SeaweedFS endpoint: S3 only to port 8333 in its namespace; no ingress', () => {
    const { install } = build({ network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }) });
    const objects = install();
    expectValidManifests(objects);
    const flows = admittedFlows(objects, pods(objects), PORTS, 'velero').filter((f) => !f.startsWith('velero-secret-bootstrap'));
    // The secret bootstrap's own policy is tested in test/core; its pod is not modelled here.
    expect(flows).toEqual([
      ...ROLES.map((r) => `${r} -> seaweedfs/* 8333/TCP`),
      ...api([...ROLES, 'crd-job']),
      // DNS is open to every pod of the namespace (Velero-created pods have generated labels).
      ...dns([...ROLES, 'crd-job']),
    ].sort());
  });

  test('metrics scraping is opt-in, per namespace, to the server and the node-agent only', () => {
    const { install } = build({ network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }), metricsClientNamespaces: ['monitoring'] });
    const objects = install();
    const flows = admittedFlows(objects, pods(objects), PORTS, 'velero');
    expect(flows.filter((f) => f.endsWith('8085/TCP'))).toEqual(['monitoring/* -> node-agent 8085/TCP', 'monitoring/* -> server 8085/TCP']);
  });

  test('an external endpoint is reached through the S3 egress CIDR on its port', () => {
    const { install } = build({
      bucket: bucketIn('velero', 'https://s3.example.com:9000'),
      network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }),
      s3EgressCidr: `${EXTERNAL_S3_IP}/32`,
    });
    const objects = install();
    const flows = admittedFlows(objects, pods(objects), PORTS, 'velero');
    expect(flows.filter((f) => f.includes('external-s3'))).toEqual(ROLES.map((r) => `${r} -> external-s3 9000/TCP`).sort());
    expect(flows.filter((f) => f.includes('seaweedfs'))).toEqual([]);
  });

  test('default deny and DNS for every pod of the namespace', () => {
    const objects = Testing.synth(build().chart);
    expect(find(objects, 'NetworkPolicy', 'velero-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(objects, 'NetworkPolicy', 'velero-allow-dns').spec.podSelector).toEqual({});
  });
});

import { Construct } from 'constructs';
import { find, synth } from './helpers';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborExposure } from '../../src/harbor/exposure';
import { HarborDatabase, HarborRedis } from '../../src/harbor/external-services';
import { HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { HarborRegistryStorage } from '../../src/harbor/storage';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { ModelPod, ModelPort, admittedFlows } from '../seaweedfs/policy-flows';

const API_SERVER_IP = '172.18.0.2';
const INTERNET_IP = '93.184.216.34';
const EXTERNAL_REDIS_IP = '203.0.113.7';
const EXTERNAL_DB_IP = '198.51.100.5';

const PORTS: ModelPort[] = [
  { port: 53, protocol: 'UDP' },
  ...[53, 80, 443, 5000, 5001, 5432, 6379, 6380, 6443, 8001, 8080, 8333].map((port) => ({ port, protocol: 'TCP' as const })),
];
const OTHER_NAMESPACES = ['ingress-nginx', 'ai-inference', 'monitoring', 'other'];
const HARBOR = ['core', 'portal', 'registry', 'jobservice', 'database', 'redis', 'trivy', 'nginx', 'secret-bootstrap'];

/**
 * Pods for the evaluator: one per workload (Harbor's named by component, others `<namespace>/<component>`),
 * one pod in each other namespace, cluster DNS, the API server, the internet and external stores.
 */
function modelPods(objects: any[]): ModelPod[] {
  let next = 10;
  const pods: ModelPod[] = objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => {
      const component = o.spec.template.metadata.labels['app.kubernetes.io/component'];
      const ns = o.metadata.namespace;
      return { id: ns === 'harbor' ? component : `${ns}/${component}`, namespace: ns, labels: o.spec.template.metadata.labels, ip: `10.244.0.${next++}` };
    });
  for (const ns of OTHER_NAMESPACES) pods.push({ id: `${ns}/*`, namespace: ns, labels: { app: 'anything' }, ip: `10.244.0.${next++}` });
  pods.push({ id: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: `10.244.0.${next++}` });
  pods.push({ id: 'apiserver', namespace: '', labels: {}, ip: API_SERVER_IP, external: true });
  pods.push({ id: 'internet', namespace: '', labels: {}, ip: INTERNET_IP, external: true });
  pods.push({ id: 'external-redis', namespace: '', labels: {}, ip: EXTERNAL_REDIS_IP, external: true });
  pods.push({ id: 'external-db', namespace: '', labels: {}, ip: EXTERNAL_DB_IP, external: true });
  return pods;
}

function flowsOf(props: HarborModelRegistryProps, before?: (chart: Construct) => HarborModelRegistryProps): string[] {
  const { objects } = synth({ network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }), ...props }, before);
  return admittedFlows(objects, modelPods(objects), PORTS, 'harbor');
}

function dns(pods: string[]): string[] {
  return pods.flatMap((p) => [`${p} -> kube-dns 53/TCP`, `${p} -> kube-dns 53/UDP`]);
}

function flow(from: string, to: string, ...ports: number[]): string[] {
  return ports.map((p) => `${from} -> ${to} ${p}/TCP`);
}

/** Harbor's own flows (network-policies.ts has the source reference of each). */
const CORE_FLOWS = [
  ...flow('core', 'portal', 8080),
  ...flow('core', 'registry', 5000, 8080),
  ...flow('core', 'jobservice', 8080),
  ...flow('core', 'database', 5432),
  ...flow('core', 'redis', 6379),
  ...flow('jobservice', 'core', 8080),
  ...flow('jobservice', 'registry', 5000, 8080),
  ...flow('jobservice', 'database', 5432),
  ...flow('jobservice', 'redis', 6379),
  ...flow('registry', 'redis', 6379),
];
const TRIVY_FLOWS = [
  ...flow('core', 'trivy', 8080),
  ...flow('jobservice', 'trivy', 8080),
  ...flow('trivy', 'core', 8080),
  ...flow('trivy', 'redis', 6379),
];
const NGINX_FLOWS = [...flow('nginx', 'core', 8080), ...flow('nginx', 'portal', 8080)];
const BOOTSTRAP_FLOWS = flow('secret-bootstrap', 'apiserver', 443, 6443);

/**
 * Trivy downloads its vulnerability DBs over HTTPS from public registries: 0.0.0.0/0 on 443, which
 * also admits 443 to any peer that does not isolate itself (the evaluator's other namespaces).
 */
const TRIVY_DOWNLOADS = ['internet', 'apiserver', 'external-db', 'external-redis', 'kube-dns', ...OTHER_NAMESPACES.map((ns) => `${ns}/*`)].flatMap((to) => flow('trivy', to, 443));

describe('Harbor NetworkPolicies admit exactly the declared flows', () => {
  test('default install (clusterIP, PVC, internal stores, Trivy)', () => {
    expect(flowsOf({})).toEqual([...CORE_FLOWS, ...TRIVY_FLOWS, ...NGINX_FLOWS, ...BOOTSTRAP_FLOWS, ...TRIVY_DOWNLOADS, ...dns(HARBOR)].sort());
  });

  test('clients reach only the entry nginx', () => {
    expect(flowsOf({ clientNamespaces: ['ai-inference'] })).toEqual([
      ...CORE_FLOWS, ...TRIVY_FLOWS, ...NGINX_FLOWS, ...BOOTSTRAP_FLOWS, ...TRIVY_DOWNLOADS, ...dns(HARBOR),
      ...flow('ai-inference/*', 'nginx', 8080),
    ].sort());
  });

  test('Ingress: the controller reaches core and portal, clients reach core; exporter scraped; offline Trivy', () => {
    const flows = flowsOf({
      exposure: HarborExposure.ingress({ host: 'harbor.example.com' }),
      clientNamespaces: ['ai-inference'],
      exporter: true,
      metricsClientNamespaces: ['monitoring'],
      trivyOffline: true,
    });
    const pods = [...HARBOR.filter((p) => p !== 'nginx'), 'exporter'];
    expect(flows).toEqual([
      ...CORE_FLOWS, ...TRIVY_FLOWS, ...BOOTSTRAP_FLOWS, ...dns(pods),
      ...flow('ingress-nginx/*', 'core', 8080),
      ...flow('ingress-nginx/*', 'portal', 8080),
      ...flow('ai-inference/*', 'core', 8080),
      ...flow('exporter', 'core', 8080),
      ...flow('exporter', 'database', 5432),
      ...flow('exporter', 'redis', 6379),
      ...flow('monitoring/*', 'exporter', 8001),
    ].sort());
  });

  test('nodePort: nginx 8080 is open to any source (node addresses after SNAT), nothing else', () => {
    const flows = flowsOf({ exposure: HarborExposure.nodePort(), externalURL: 'http://192.168.1.10:30002', trivy: false });
    expect(flows).toEqual([
      ...CORE_FLOWS, ...NGINX_FLOWS, ...BOOTSTRAP_FLOWS, ...dns(HARBOR.filter((p) => p !== 'trivy')),
      // Every pod whose own egress allows it (Harbor's pods do not), and outside clients through the node port.
      ...[...OTHER_NAMESPACES.map((ns) => `${ns}/*`), 'kube-dns'].flatMap((p) => flow(p, 'nginx', 8080)),
    ].sort());
  });

  test('S3 on SeaweedFS, external database (IP) and Redis (DNS name in a CIDR)', () => {
    const flows = flowsOf({
      trivy: false,
      externalEndpointsCidr: '203.0.113.0/24',
      database: HarborDatabase.external({ host: EXTERNAL_DB_IP, password: SecretKeyReference.fromSecret('pg', 'password') }),
      redis: HarborRedis.external({ host: 'redis.example.com', port: 6380 }),
    }, (chart) => ({ registryStorage: HarborRegistryStorage.s3(new SeaweedFSStorage(chart, 'storage').addBucket('harbor', { consumerNamespace: 'harbor', objectAcls: true })) }));
    const harborPods = ['core', 'portal', 'registry', 'jobservice', 'nginx', 'secret-bootstrap'];
    expect(flows).toEqual([
      ...flow('core', 'portal', 8080),
      ...flow('core', 'registry', 5000, 8080),
      ...flow('core', 'jobservice', 8080),
      ...flow('jobservice', 'core', 8080),
      ...flow('jobservice', 'registry', 5000, 8080),
      ...NGINX_FLOWS, ...BOOTSTRAP_FLOWS, ...dns(harborPods),
      ...flow('core', 'external-db', 5432),
      ...flow('jobservice', 'external-db', 5432),
      ...['core', 'jobservice', 'registry'].flatMap((p) => flow(p, 'external-redis', 6380)),
      // The bucket endpoint is an in-cluster Service: its namespace, on its port; SeaweedFS admits Harbor's namespace.
      ...flow('registry', 'seaweedfs/s3', 8333),
      // SeaweedFS admits its consumers' whole namespace, so other Harbor pods could dial it, but their egress forbids it.
    ].sort());
  });

  test('the namespace is default-deny; stable policy names; clients by the immutable namespace label', () => {
    const { objects } = synth({ clientNamespaces: ['ai-inference'] });
    expect(find(objects, 'NetworkPolicy', 'harbor-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual([
      'harbor-allow-dns', 'harbor-core', 'harbor-database', 'harbor-default-deny', 'harbor-jobservice', 'harbor-nginx', 'harbor-portal',
      'harbor-redis', 'harbor-registry', 'harbor-secret-bootstrap', 'harbor-trivy',
    ]);
    expect(find(objects, 'NetworkPolicy', 'harbor-nginx').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai-inference' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });
});

import { API_SERVER_IP, find, modelPods, synth } from './helpers';
import { ModelPort, admittedFlows } from './policy-flows';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { SeaweedFSBucketOptions, SeaweedFSStorageProps } from '../../src/seaweedfs/seaweedfs-storage';

const PORTS: ModelPort[] = [
  { port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' },
  ...[9333, 19333, 8080, 18080, 8888, 18888, 8333, 18333, 9327, 443, 6443, 80].map((port) => ({ port, protocol: 'TCP' as const })),
];
const OTHER_NAMESPACES = ['velero', 'harbor', 'monitoring', 'other'];
const SEAWEED_PODS = ['master', 'volume', 'filer', 's3'];

/** The API server's address is passed on to the secret bootstrap's egress policy. */
function flowsOf(props: SeaweedFSStorageProps, buckets: Array<[string, SeaweedFSBucketOptions]>): string[] {
  const { objects } = synth({ network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }), ...props }, buckets);
  return admittedFlows(objects, modelPods(objects, OTHER_NAMESPACES), PORTS, props.namespace ?? 'seaweedfs');
}

function dns(pods: string[]): string[] {
  return pods.flatMap((p) => [`${p} -> kube-dns 53/TCP`, `${p} -> kube-dns 53/UDP`]);
}

/** The pod-to-pod flows SeaweedFS 3.73 uses (see network-policies.ts for the source references). */
const CORE_FLOWS = [
  'master -> master 9333/TCP',
  'master -> master 19333/TCP',
  'master -> volume 18080/TCP',
  'volume -> master 19333/TCP',
  'filer -> master 19333/TCP',
  'filer -> volume 8080/TCP',
  'filer -> volume 18080/TCP',
  'filer -> filer 18888/TCP',
  's3 -> filer 8888/TCP',
  's3 -> filer 18888/TCP',
];
const BUCKET_JOB_FLOWS = ['bucket-setup -> master 19333/TCP', 'bucket-setup -> filer 18888/TCP'];
const BOOTSTRAP_FLOWS = ['secret-bootstrap -> apiserver 443/TCP', 'secret-bootstrap -> apiserver 6443/TCP'];

describe('SeaweedFS NetworkPolicies admit exactly the declared flows', () => {
  test('default install with a Velero and a Harbor bucket', () => {
    expect(flowsOf({}, [['velero', { consumerNamespace: 'velero' }], ['registry', { consumerNamespace: 'harbor' }]])).toEqual([
      ...CORE_FLOWS,
      ...BUCKET_JOB_FLOWS,
      ...BOOTSTRAP_FLOWS,
      ...dns([...SEAWEED_PODS, 'bucket-setup', 'secret-bootstrap']),
      'velero/* -> s3 8333/TCP',
      'harbor/* -> s3 8333/TCP',
    ].sort());
  });

  test('extra S3 client namespaces, metrics scraping and several volume servers add exactly their flows', () => {
    const flows = flowsOf(
      { s3ClientNamespaces: ['other'], metricsClientNamespaces: ['monitoring'], volumeServers: 2, replication: '001', masterReplicas: 3 },
      [['velero', { consumerNamespace: 'velero' }]],
    );
    expect(flows).toEqual([
      ...CORE_FLOWS,
      'volume -> volume 8080/TCP',
      'volume -> volume 18080/TCP',
      ...BUCKET_JOB_FLOWS,
      ...BOOTSTRAP_FLOWS,
      ...dns([...SEAWEED_PODS, 'bucket-setup', 'secret-bootstrap']),
      'velero/* -> s3 8333/TCP',
      'other/* -> s3 8333/TCP',
      ...SEAWEED_PODS.map((p) => `monitoring/* -> ${p} 9327/TCP`),
    ].sort());
  });

  test('without buckets: no client reaches S3 and there is no bucket Job flow', () => {
    expect(flowsOf({}, [])).toEqual([...CORE_FLOWS, ...BOOTSTRAP_FLOWS, ...dns([...SEAWEED_PODS, 'secret-bootstrap'])].sort());
  });

  test('the namespace is default-deny for ingress and egress, with stable policy names', () => {
    const { objects } = synth({}, [['velero', { consumerNamespace: 'velero' }]]);
    expect(find(objects, 'NetworkPolicy', 'seaweedfs-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual([
      'seaweedfs-allow-dns', 'seaweedfs-bucket-setup', 'seaweedfs-default-deny', 'seaweedfs-filer', 'seaweedfs-master', 'seaweedfs-s3',
      'seaweedfs-secret-bootstrap', 'seaweedfs-volume',
    ]);
    // S3 clients are selected by the immutable namespace name label.
    expect(find(objects, 'NetworkPolicy', 'seaweedfs-s3').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } } }],
      ports: [{ port: 8333, protocol: 'TCP' }],
    }]);
  });
});

describe('the policy evaluator used above', () => {
  const pod = (id: string, namespace: string, ip: string): any => ({ id, namespace, labels: { app: id }, ip });
  const pods = [pod('a', 'ns', '10.0.0.1'), pod('b', 'ns', '10.0.0.2')];
  const tcp80: ModelPort[] = [{ port: 80, protocol: 'TCP' }];
  const policy = (spec: any): any => ({ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns' }, spec });

  test('no policy: everything flows; default-deny: nothing flows', () => {
    expect(admittedFlows([], pods, tcp80, 'ns')).toEqual(['a -> a 80/TCP', 'a -> b 80/TCP', 'b -> a 80/TCP', 'b -> b 80/TCP']);
    expect(admittedFlows([policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], pods, tcp80, 'ns')).toEqual([]);
  });

  test('a flow needs both the egress and the ingress side; an empty from admits everyone', () => {
    const deny = policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const egressAtoB = policy({ podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80, protocol: 'TCP' }] }] });
    expect(admittedFlows([deny, egressAtoB], pods, tcp80, 'ns')).toEqual([]);
    const ingressAll = policy({ podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [] }] });
    expect(admittedFlows([deny, egressAtoB, ingressAll], pods, tcp80, 'ns')).toEqual(['a -> b 80/TCP']);
  });

  test('ipBlock matches by CIDR', () => {
    const egress = policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.2/32' } }] }] });
    expect(admittedFlows([egress], pods, tcp80, 'ns')).toEqual(['a -> b 80/TCP', 'b -> b 80/TCP']);
  });
});

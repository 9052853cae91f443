import { Testing } from 'cdk8s';
import { ClusterNetwork, DnsServer } from '../../src/core/cluster-network';
import { ModelReference } from '../../src/core/model-reference';
import { HarborExposure } from '../../src/harbor/exposure';
import { HarborModelRegistry, HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { RobotPermission } from '../../src/harbor/robot-account';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService, LlamaInferenceServiceProps } from '../../src/inference/llama-inference-service';
import { find, modelPods } from '../seaweedfs/helpers';
import { ModelPod, ModelPort, admittedFlows } from '../seaweedfs/policy-flows';
import { expectValidManifests } from '../validation';

const GGUF = 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf';
const PORTS: ModelPort[] = [
  { port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' },
  ...[80, 443, 5000, 8080, 9000].map((port) => ({ port, protocol: 'TCP' as const })),
];
const OTHER_NAMESPACES = ['apps', 'monitoring', 'other', 'ai-inference'];
const DNS = ['inference -> kube-dns 53/TCP', 'inference -> kube-dns 53/UDP'];

/** Harbor (ClusterIP exposure unless given, nginx entry) with a pull robot for ai-inference, and the service in one chart. */
function withHarbor(
  props: Partial<LlamaInferenceServiceProps> = {},
  exposure?: HarborExposure,
  harborProps: Partial<HarborModelRegistryProps> = {},
): { objects: any[]; service: LlamaInferenceService } {
  const chart = Testing.chart();
  const harbor = new HarborModelRegistry(chart, 'harbor', { ...(exposure ? { exposure } : {}), ...harborProps });
  const project = harbor.addProject('ml-models');
  const robot = project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
  const model = InferenceModel.fromReference(project.modelReference('tinyllama-oras', 'v1.0.0-gguf'), GGUF, { sizeBytes: 668788096, plainHttp: true });
  const service = new LlamaInferenceService(chart, 'llama', { model, harbor, pullRobot: robot, cache: { size: '2Gi' }, ...props });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { objects, service };
}

function flows(objects: any[], extraPods: ModelPod[] = []): string[] {
  return admittedFlows(objects, [...modelPods(objects, OTHER_NAMESPACES), ...extraPods], PORTS, 'ai-inference');
}

describe('inference NetworkPolicies admit exactly the declared flows', () => {
  test('with the Harbor in the chart: clients in, DNS and Harbor\'s nginx out, nothing else', () => {
    const { objects } = withHarbor({ clientNamespaces: ['apps', 'monitoring'] });
    expect(flows(objects)).toEqual([
      ...DNS,
      'inference -> nginx 8080/TCP',
      'apps/* -> inference 8080/TCP',
      'monitoring/* -> inference 8080/TCP',
    ].sort());
  });

  test('without client namespaces nothing reaches the server; its own namespace neither', () => {
    const { objects } = withHarbor();
    expect(flows(objects)).toEqual([...DNS, 'inference -> nginx 8080/TCP'].sort());
  });

  test('the server port follows the port prop', () => {
    const { objects } = withHarbor({ port: 9000, clientNamespaces: ['apps'] });
    expect(flows(objects)).toEqual([...DNS, 'inference -> nginx 8080/TCP', 'apps/* -> inference 9000/TCP'].sort());
  });

  test('with an Ingress exposure: the ingress controller the registry host resolves to on 80/443, and core on 8080', () => {
    const { objects, service } = withHarbor({ clientNamespaces: ['apps'] }, HarborExposure.ingress({ host: 'harbor.example.com' }));
    expect(service.model.reference.registry).toBe('harbor.example.com');
    const controller: ModelPod = { id: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.244.1.1' };
    expect(flows(objects, [controller])).toEqual([
      ...DNS,
      'inference -> core 8080/TCP',
      'inference -> ingress-controller 80/TCP',
      'inference -> ingress-controller 443/TCP',
      'apps/* -> inference 8080/TCP',
    ].sort());
  });

  test('with an Ingress exposure and a custom controller namespace', () => {
    const { objects } = withHarbor({}, HarborExposure.ingress({ host: 'harbor.example.com' }), { ingressControllerNamespace: 'traefik' });
    const egress = find(objects, 'NetworkPolicy', 'llama').spec.egress;
    expect(egress.slice(1)).toEqual([
      {
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'harbor' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'harbor', 'app.kubernetes.io/component': 'core' } },
        }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
    ]);
  });

  test('explicit harborNamespace/harborPodLabels replace the entry derived from harbor, controller included', () => {
    const { objects } = withHarbor(
      { harborNamespace: 'ingress-nginx', harborPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' }, harborPort: 443 },
      HarborExposure.ingress({ host: 'harbor.example.com' }),
    );
    const controller: ModelPod = { id: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.244.1.1' };
    const bystander: ModelPod = { id: 'ingress-nginx/other', namespace: 'ingress-nginx', labels: { app: 'x' }, ip: '10.244.1.2' };
    expect(flows(objects, [controller, bystander])).toEqual([...DNS, 'inference -> ingress-controller 443/TCP'].sort());
  });

  test('explicit registry peers, e.g. an ingress controller in front of Harbor', () => {
    const chart = Testing.chart();
    const model = InferenceModel.fromReference(ModelReference.parse('harbor.example.com/ml-models/tinyllama:v1'), GGUF);
    new LlamaInferenceService(chart, 'llama', {
      model,
      cache: { size: '2Gi' },
      harborNamespace: 'ingress-nginx',
      harborPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      harborPort: 443,
      clientNamespaces: ['apps'],
    });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const controller: ModelPod = { id: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.244.1.1' };
    const bystander: ModelPod = { id: 'ingress-nginx/other', namespace: 'ingress-nginx', labels: { app: 'x' }, ip: '10.244.1.2' };
    expect(flows(objects, [controller, bystander])).toEqual([...DNS, 'inference -> ingress-controller 443/TCP', 'apps/* -> inference 8080/TCP'].sort());
  });

  test('default registry peer: the nginx pods of a HarborModelRegistry named harbor in namespace harbor', () => {
    const chart = Testing.chart();
    new LlamaInferenceService(chart, 'llama', { model: InferenceModel.fromReference(ModelReference.parse('harbor.harbor.svc/ml-models/m:v1'), GGUF), cache: { size: '2Gi' } });
    const objects = Testing.synth(chart);
    const policy = find(objects, 'NetworkPolicy', 'llama');
    expect(policy.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
      {
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'harbor' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'harbor', 'app.kubernetes.io/component': 'nginx' } },
        }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('the namespace is default-deny for ingress and egress', () => {
    const { objects } = withHarbor();
    const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'ai-inference' && o.metadata.name === 'default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'ai-inference').map((o) => o.metadata.name).sort()).toEqual(['default-deny', 'llama']);
  });

  test('network: DNS goes to the network\'s servers, e.g. NodeLocal DNSCache besides kube-dns', () => {
    const network = new ClusterNetwork({ dnsServers: [DnsServer.kubeDns(), DnsServer.nodeLocalDnsCache()] });
    const { objects } = withHarbor({ clientNamespaces: ['apps'], network });
    const nodeLocal: ModelPod = { id: 'node-local-dns', namespace: '', labels: {}, ip: '169.254.20.10', external: true };
    const toDns = (list: string[]) => list.filter((f) => / 53\//.test(f));
    expect(toDns(flows(objects, [nodeLocal]))).toEqual([...DNS, 'inference -> node-local-dns 53/TCP', 'inference -> node-local-dns 53/UDP'].sort());
    // By default the cache is out of reach.
    expect(toDns(flows(withHarbor({ clientNamespaces: ['apps'] }).objects, [nodeLocal]))).toEqual(DNS);
    expect(() => withHarbor({ network: { dnsServers: [] } as any })).toThrow("LlamaInferenceService 'network': got {\"dnsServers\":[]}, expected a ClusterNetwork");
  });
});

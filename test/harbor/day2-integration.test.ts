import { Testing } from 'cdk8s';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { RobotPermission } from '../../src/harbor/robot-account';
import { ModelPod, ModelPort, admittedFlows } from '../seaweedfs/policy-flows';
import { expectValidManifests } from '../validation';

const API_SERVER_IP = '172.18.0.2';
const PORTS: ModelPort[] = [{ port: 53, protocol: 'UDP' }, ...[53, 443, 6443, 8080].map((port) => ({ port, protocol: 'TCP' as const }))];

function pods(objects: any[]): ModelPod[] {
  let next = 10;
  const result: ModelPod[] = objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => ({ id: o.spec.template.metadata.labels['app.kubernetes.io/component'], namespace: o.metadata.namespace, labels: o.spec.template.metadata.labels, ip: `10.244.0.${next++}` }));
  for (const ns of ['ai-inference', 'other']) result.push({ id: `${ns}/*`, namespace: ns, labels: {}, ip: `10.244.0.${next++}` });
  result.push({ id: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: `10.244.0.${next++}` });
  result.push({ id: 'apiserver', namespace: '', labels: {}, ip: API_SERVER_IP, external: true });
  return result;
}

/** Flows of an install without Trivy (its 0.0.0.0/0 download rule would add noise), with or without a project. */
function build(withProject: boolean): { registry: HarborModelRegistry; objects: any[]; flows: string[] } {
  const chart = Testing.chart();
  const registry = new HarborModelRegistry(chart, 'harbor', { trivy: false, network: new ClusterNetwork({ apiServerCidrs: [`${API_SERVER_IP}/32`] }) });
  if (withProject) {
    registry.addProject('ml-models').addRobotAccount('inference', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
  }
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { registry, objects, flows: admittedFlows(objects, pods(objects), PORTS, 'harbor') };
}

describe('day-2 integration with HarborSetup', () => {
  test('addProject creates exactly one setup, wired to this install', () => {
    const chart = Testing.chart();
    const registry = new HarborModelRegistry(chart, 'harbor', { namespace: 'registry', name: 'models' });
    expect(registry.setup).toBeUndefined();
    expect(registry.projects).toEqual([]);
    const first = registry.addProject('ml-models');
    const setup = registry.setup;
    registry.addProject('datasets', { publicRead: true });
    expect(registry.setup).toBe(setup);
    expect(registry.projects).toEqual([first, expect.objectContaining({ name: 'datasets' })]);
    expect(setup!.namespace).toBe('registry');
    expect(first.registryHost).toBe(registry.registryHost);
    expect(first.modelReference('tinyllama', 'v1').toString()).toContain('models.registry.svc/ml-models/tinyllama');
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(objects.filter((o) => o.kind === 'Job' && /^models-setup-/.test(o.metadata.name))).toHaveLength(1);
  });

  test('robot-account namespaces become clients of the entry point; the setup Job reaches core', () => {
    const without = build(false).flows;
    const { flows } = build(true);
    expect(flows.filter((f) => !without.includes(f)).sort()).toEqual([
      'ai-inference/* -> nginx 8080/TCP',
      'setup -> apiserver 443/TCP',
      'setup -> apiserver 6443/TCP',
      'setup -> core 8080/TCP',
      'setup -> kube-dns 53/TCP',
      'setup -> kube-dns 53/UDP',
    ]);
    expect(without.filter((f) => !flows.includes(f))).toEqual([]);
  });
});

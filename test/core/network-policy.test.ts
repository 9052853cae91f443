import { Testing } from 'cdk8s';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { NetworkPeer, allowPolicy, defaultDenyPolicy, dnsEgressPolicy, registryEgressRules, tcp, udp } from '../../src/core/network-policy';
import { expectValidManifests } from '../validation';

function synthWith(build: (chart: ReturnType<typeof Testing.chart>) => void): any[] {
  const chart = Testing.chart();
  build(chart);
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects;
}

describe('network policy builders', () => {
  test('default deny: every pod of the namespace, both directions, stable name', () => {
    const [policy] = synthWith((c) => defaultDenyPolicy(c, 'deny', { namespace: 'apps', name: 'apps-default-deny', labels: { a: 'b' } }));
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'apps-default-deny', namespace: 'apps', labels: { a: 'b' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  test('DNS egress by default to kube-dns in kube-system on UDP and TCP 53', () => {
    const [all, some] = synthWith((c) => {
      dnsEgressPolicy(c, 'dns', { namespace: 'apps', name: 'apps-allow-dns', network: new ClusterNetwork() });
      dnsEgressPolicy(c, 'dns-web', { namespace: 'apps', name: 'web-allow-dns', podSelector: { app: 'web' }, network: new ClusterNetwork() });
    });
    expect(all.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    });
    expect(some.spec.podSelector).toEqual({ matchLabels: { app: 'web' } });
  });

  test('allow policy: peers by pod labels, namespace name and CIDR; policy types follow the given directions', () => {
    const [both, ingressOnly] = synthWith((c) => {
      allowPolicy(c, 'both', {
        namespace: 'apps',
        name: 'web',
        podSelector: { app: 'web' },
        ingress: [{ peers: [NetworkPeer.namespace('clients'), NetworkPeer.pods({ app: 'proxy' })], ports: tcp(80, 443) }],
        egress: [
          { peers: [NetworkPeer.cidr('10.0.0.1/32')], ports: tcp(6443) },
          { peers: [NetworkPeer.namespace('db', { app: 'postgres' })], ports: [...tcp(5432), ...udp(5432)] },
        ],
      });
      allowPolicy(c, 'in', { namespace: 'apps', name: 'in', podSelector: {}, ingress: [] });
    });
    expect(both.spec).toEqual({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clients' } } }, { podSelector: { matchLabels: { app: 'proxy' } } }],
        ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
      }],
      egress: [
        { to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } }, podSelector: { matchLabels: { app: 'postgres' } } }],
          ports: [{ port: 5432, protocol: 'TCP' }, { port: 5432, protocol: 'UDP' }],
        },
      ],
    });
    expect(ingressOnly.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
  });

  test('a rule without peers is left out rather than rendered as an allow-all empty `from`', () => {
    const [policy] = synthWith((c) => allowPolicy(c, 'p', {
      namespace: 'apps',
      name: 'p',
      podSelector: { app: 'web' },
      ingress: [{ peers: [], ports: tcp(80) }, { peers: [NetworkPeer.pods({ app: 'a' })], ports: tcp(81) }],
    }));
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 81, protocol: 'TCP' }] }]);
  });

  test('rules given as a function are read at synth (for declarations made after construction)', () => {
    const namespaces: string[] = [];
    const chart = Testing.chart();
    allowPolicy(chart, 'p', {
      namespace: 'apps',
      name: 'p',
      podSelector: { app: 'web' },
      ingress: () => [{ peers: namespaces.map((ns) => NetworkPeer.namespace(ns)), ports: tcp(80) }],
    });
    expect(Testing.synth(chart)[0].spec.ingress).toEqual([]);
    namespaces.push('late');
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(objects[0].spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'late' } } }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  test('misuse is refused: no direction at all, a rule without ports', () => {
    expect(() => allowPolicy(Testing.chart(), 'p', { namespace: 'a', name: 'p', podSelector: {} })).toThrow(/ingress and\/or egress/);
    expect(() => allowPolicy(Testing.chart(), 'p', { namespace: 'a', name: 'p', podSelector: {}, egress: [{ peers: [NetworkPeer.pods({ a: 'b' })], ports: [] }] }))
      .toThrow(/at least one port/);
  });

  test('peers are copies: mutating a rendered peer does not change the next one', () => {
    const peer = NetworkPeer.pods({ app: 'x' });
    const first = peer.toPeer();
    first.podSelector!.matchLabels!.app = 'changed';
    expect(peer.toPeer()).toEqual({ podSelector: { matchLabels: { app: 'x' } } });
  });

  test('registry egress: entry pods on their port; with an Ingress also the controller on 80/443', () => {
    const render = (rules: ReturnType<typeof registryEgressRules>) => rules.map((r) => ({ to: r.peers.map((p) => p.toPeer()), ports: r.ports }));
    const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    expect(render(registryEgressRules({ namespace: 'harbor', podLabels: { c: 'nginx' }, port: 8080 }))).toEqual([
      { to: [{ ...ns('harbor'), podSelector: { matchLabels: { c: 'nginx' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
    expect(render(registryEgressRules({ namespace: 'harbor', podLabels: {}, port: 8080, ingressControllerNamespace: 'ingress-nginx' }))).toEqual([
      { to: [ns('harbor')], ports: [{ port: 8080, protocol: 'TCP' }] },
      { to: [ns('ingress-nginx')], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
    ]);
  });
});

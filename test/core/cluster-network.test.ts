import { Testing } from 'cdk8s';
import { ClusterNetwork, DnsServer } from '../../src/core/cluster-network';
import { allowPolicy, dnsEgressPolicy } from '../../src/core/network-policy';
import { expectPropError, propErrorOf } from '../prop-errors';
import { expectValidManifests } from '../validation';

const KUBE_DNS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const DNS_PORTS = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

/** The egress rules a policy renders for the network's API server and DNS rules. */
function rendered(network: ClusterNetwork): { api: any; dns: any } {
  const chart = Testing.chart();
  allowPolicy(chart, 'p', { namespace: 'apps', name: 'p', podSelector: { app: 'a' }, egress: [network._apiServerRule(), network._dnsRule()] });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const [api, dns] = objects[0].spec.egress;
  return { api, dns };
}

describe('ClusterNetwork', () => {
  test('defaults: the API server as any address on 443 and 6443, DNS to the kube-dns pods on UDP and TCP 53', () => {
    const network = new ClusterNetwork();
    expect(network.apiServerCidrs).toEqual(['0.0.0.0/0']);
    expect(network.apiServerPorts).toEqual([443, 6443]);
    expect(rendered(network)).toEqual({
      api: { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] },
      dns: { to: [KUBE_DNS], ports: DNS_PORTS },
    });
  });

  test('API server endpoints by address, on the given ports', () => {
    const network = new ClusterNetwork({ apiServerCidrs: ['10.0.0.0/29', '192.168.1.10/32', 'fd00::10/128'], apiServerPorts: [6443] });
    expect(rendered(network).api).toEqual({
      to: [{ ipBlock: { cidr: '10.0.0.0/29' } }, { ipBlock: { cidr: '192.168.1.10/32' } }, { ipBlock: { cidr: 'fd00::10/128' } }],
      ports: [{ port: 6443, protocol: 'TCP' }],
    });
  });

  test('DNS servers: kube-dns, NodeLocal DNSCache, other DNS pods and address ranges in one rule', () => {
    const network = new ClusterNetwork({
      dnsServers: [
        DnsServer.kubeDns(),
        DnsServer.nodeLocalDnsCache(),
        DnsServer.nodeLocalDnsCache('fd00::a'),
        DnsServer.pods('dns', { app: 'unbound' }),
        DnsServer.cidr('10.96.0.10/32'),
      ],
    });
    expect(rendered(network).dns).toEqual({
      to: [
        KUBE_DNS,
        { ipBlock: { cidr: '169.254.20.10/32' } },
        { ipBlock: { cidr: 'fd00::a/128' } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'unbound' } } },
        { ipBlock: { cidr: '10.96.0.10/32' } },
      ],
      ports: DNS_PORTS,
    });
  });

  test('dnsEgressPolicy opens DNS to the network\'s servers', () => {
    const chart = Testing.chart();
    const network = new ClusterNetwork({ dnsServers: [DnsServer.kubeDns(), DnsServer.nodeLocalDnsCache()] });
    dnsEgressPolicy(chart, 'dns', { namespace: 'apps', name: 'apps-allow-dns', network });
    const [policy] = Testing.synth(chart);
    expect(policy.spec.egress).toEqual([{ to: [KUBE_DNS, { ipBlock: { cidr: '169.254.20.10/32' } }], ports: DNS_PORTS }]);
  });

  test('the settings are copies: changing the given lists afterwards changes nothing', () => {
    const cidrs = ['10.0.0.1/32'];
    const network = new ClusterNetwork({ apiServerCidrs: cidrs });
    cidrs.push('0.0.0.0/0');
    expect(network.apiServerCidrs).toEqual(['10.0.0.1/32']);
    expect(rendered(network).api.to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  });

  test('two networks with the same settings are the same network', () => {
    const a = new ClusterNetwork({ apiServerCidrs: ['10.0.0.1/32'], dnsServers: [DnsServer.nodeLocalDnsCache()] });
    expect(a._sameAs(new ClusterNetwork({ apiServerCidrs: ['10.0.0.1/32'], dnsServers: [DnsServer.cidr('169.254.20.10/32')] }))).toBe(true);
    expect(a._sameAs(new ClusterNetwork({ apiServerCidrs: ['10.0.0.1/32'] }))).toBe(false);
    expect(a._sameAs(new ClusterNetwork({ dnsServers: [DnsServer.nodeLocalDnsCache()] }))).toBe(false);
    expect(new ClusterNetwork()._sameAs(new ClusterNetwork({ apiServerPorts: [443] }))).toBe(false);
  });

  describe('rejects bad input, naming the prop, the value and the fix', () => {
    const error = (props: any) => propErrorOf(() => new ClusterNetwork(props));

    test('API server CIDRs that are not CIDRs', () => {
      expectPropError(error({ apiServerCidrs: ['10.0.0.0/8', '10.0.0.1'] }), 'ClusterNetwork', 'apiServerCidrs[1]', '"10.0.0.1"');
      expectPropError(error({ apiServerCidrs: ['10.0.0.300/32'] }), 'ClusterNetwork', 'apiServerCidrs[0]', '"10.0.0.300/32"');
      expectPropError(error({ apiServerCidrs: ['10.0.0.0/33'] }), 'ClusterNetwork', 'apiServerCidrs[0]', '"10.0.0.0/33"');
      expectPropError(error({ apiServerCidrs: '10.0.0.0/8' }), 'ClusterNetwork', 'apiServerCidrs', '"10.0.0.0/8"');
    });
    test('no API server CIDR at all (the API would be unreachable)', () => {
      const e = error({ apiServerCidrs: [] });
      expectPropError(e, 'ClusterNetwork', 'apiServerCidrs', '[]');
      expect(e.fix).toContain('0.0.0.0/0');
    });
    test('API server ports out of range or missing', () => {
      expectPropError(error({ apiServerPorts: [443, 0] }), 'ClusterNetwork', 'apiServerPorts[1]', '0');
      expectPropError(error({ apiServerPorts: [65536] }), 'ClusterNetwork', 'apiServerPorts[0]', '65536');
      expectPropError(error({ apiServerPorts: [6443.5] }), 'ClusterNetwork', 'apiServerPorts[0]', '6443.5');
      expectPropError(error({ apiServerPorts: [] }), 'ClusterNetwork', 'apiServerPorts', '[]');
    });
    test('DNS servers: none, or something not made by a DnsServer factory', () => {
      expectPropError(error({ dnsServers: [] }), 'ClusterNetwork', 'dnsServers', '[]');
      const e = error({ dnsServers: [DnsServer.kubeDns(), '169.254.20.10'] });
      expectPropError(e, 'ClusterNetwork', 'dnsServers[1]', '"169.254.20.10"');
      expect(e.fix).toContain('DnsServer.nodeLocalDnsCache()');
    });
    test('props that are not an object', () => {
      expectPropError(error('10.0.0.0/8'), 'ClusterNetwork', 'props', '"10.0.0.0/8"');
    });
    test('DnsServer factories validate their input', () => {
      expectPropError(propErrorOf(() => DnsServer.cidr('169.254.20.10')), 'DnsServer', 'cidr', '"169.254.20.10"');
      expectPropError(propErrorOf(() => DnsServer.nodeLocalDnsCache('169.254.20.10/32')), 'DnsServer', 'address', '"169.254.20.10/32"');
      expectPropError(propErrorOf(() => DnsServer.nodeLocalDnsCache('169.254.20.256')), 'DnsServer', 'address', '"169.254.20.256"');
      expectPropError(propErrorOf(() => DnsServer.pods('Kube_System', { 'k8s-app': 'kube-dns' })), 'DnsServer', 'namespace', '"Kube_System"');
      expectPropError(propErrorOf(() => DnsServer.pods('kube-system', {})), 'DnsServer', 'podLabels', '{}');
    });
  });
});

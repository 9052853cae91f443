import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { describeObject, propError } from './errors';
import { NetworkPeer, PolicyBaseOptions, PolicyRule, allowPolicy, tcp, udp } from './network-policy';
import { PropContext, requireCidr, requireDnsLabel, requireIpAddress, requirePort } from './validate';

const CONSTRUCT = 'ClusterNetwork';

/** Listen address NodeLocal DNSCache uses by default (https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/). */
const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

/**
 * A DNS server the pods may query (UDP and TCP 53), as the NetworkPolicy peer that matches it.
 * Policies match the address a packet is sent to after Service translation, so a server is named by
 * its pods (kube-dns, CoreDNS) or, when it is not a pod, by its address (NodeLocal DNSCache).
 */
export class DnsServer {
  /**
   * The cluster DNS pods: `k8s-app: kube-dns` in `kube-system` (CoreDNS keeps the label of the
   * kube-dns it replaced).
   */
  public static kubeDns(): DnsServer {
    return new DnsServer(NetworkPeer.clusterDns());
  }

  /**
   * DNS pods with `podLabels` in `namespace`, for a DNS deployment that is not labelled
   * `k8s-app: kube-dns`.
   */
  public static pods(namespace: string, podLabels: { [key: string]: string }): DnsServer {
    const ctx = (prop: string): PropContext => ({ construct: 'DnsServer', prop });
    requireDnsLabel(ctx('namespace'), namespace);
    const valid = podLabels !== null && typeof podLabels === 'object' && !Array.isArray(podLabels)
      && Object.keys(podLabels).length > 0 && Object.entries(podLabels).every(([k, v]) => k.length > 0 && typeof v === 'string');
    if (!valid) {
      // An empty selector would admit every pod of the namespace, not its DNS server.
      throw propError({ ...ctx('podLabels'), value: podLabels, allowed: 'at least one label of the DNS pods', fix: "pass the DNS pods' labels, e.g. { 'k8s-app': 'kube-dns' }" });
    }
    return new DnsServer(NetworkPeer.namespace(namespace, podLabels));
  }

  /** DNS servers in an address range that is not a pod selector's business (a node-local cache, a resolver outside the cluster). */
  public static cidr(cidr: string): DnsServer {
    requireCidr({ construct: 'DnsServer', prop: 'cidr' }, cidr, 'pass the server addresses as a CIDR, e.g. "169.254.20.10/32"');
    return new DnsServer(NetworkPeer.cidr(cidr));
  }

  /**
   * NodeLocal DNSCache: the cache agent listens on a link-local address on every node, outside the
   * pod network, so only its address can match it. In kube-proxy iptables mode the agent also
   * answers on the kube-dns Service IP; queries to that IP are then not translated to a kube-dns pod
   * either, so add `DnsServer.cidr('<kube-dns Service IP>/32')` as well when pods keep using it.
   *
   * @param address the cache's listen address (`__PILLAR__LOCAL__DNS__` of its manifest). Default: 169.254.20.10
   */
  public static nodeLocalDnsCache(address?: string): DnsServer {
    const ip = requireIpAddress({ construct: 'DnsServer', prop: 'address' }, address ?? NODE_LOCAL_DNS_ADDRESS, 'pass the listen address of NodeLocal DNSCache, e.g. "169.254.20.10"');
    return new DnsServer(NetworkPeer.cidr(`${ip}/${ip.includes(':') ? 128 : 32}`));
  }

  /** @internal The NetworkPolicy peer. */
  public readonly _peer: NetworkPeer;

  private constructor(peer: NetworkPeer) {
    this._peer = peer;
  }
}

/** Props for `ClusterNetwork`. */
export interface ClusterNetworkProps {
  /**
   * Address ranges of the Kubernetes API server's endpoints (`kubectl get endpointslices -n default
   * -l kubernetes.io/service-name=kubernetes`), allowed on `apiServerPorts` for the pods that call
   * the API: the secret bootstrap Jobs, Harbor's setup Job, Velero. The API server is not a pod, so a
   * NetworkPolicy can only name it by address.
   *
   * On Cilium no `ipBlock`, `0.0.0.0/0` included, selects node or API server addresses unless Cilium
   * runs with `policy-cidr-match-mode: nodes` (Helm value `policyCIDRMatchMode: nodes`,
   * https://docs.cilium.io/en/stable/security/policy/layer3/#selecting-nodes-with-cidr-ipblock):
   * set it and list the API server's endpoint addresses here.
   *
   * @default ['0.0.0.0/0'] - any address, on the API server ports only
   */
  readonly apiServerCidrs?: string[];

  /**
   * TCP ports of the API server egress. The `kubernetes` Service listens on 443 and is translated
   * to the endpoints' port (usually 6443); implementations differ in which of the two they match,
   * so both are allowed.
   *
   * @default [443, 6443]
   */
  readonly apiServerPorts?: number[];

  /**
   * DNS servers every pod may query on UDP and TCP 53. With NodeLocal DNSCache add
   * `DnsServer.nodeLocalDnsCache()`; keep `DnsServer.kubeDns()` for pods whose queries reach CoreDNS.
   *
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
}

/**
 * Facts about the cluster's network that every component's NetworkPolicies depend on: where the
 * API server is and which DNS servers pods query. Give one to `ModelPlatform` (or to each component
 * used on its own); the defaults suit CNIs that match `ipBlock` peers against any address (Calico,
 * kube-router, Antrea) and clusters whose DNS is CoreDNS/kube-dns.
 *
 * @example
 * new ClusterNetwork({
 *   apiServerCidrs: ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32'],
 *   dnsServers: [DnsServer.kubeDns(), DnsServer.nodeLocalDnsCache()],
 * });
 */
export class ClusterNetwork {
  /** API server endpoint ranges, in the order given. */
  public readonly apiServerCidrs: string[];
  /** API server TCP ports. */
  public readonly apiServerPorts: number[];
  /** DNS servers pods may query. */
  public readonly dnsServers: DnsServer[];

  constructor(props: ClusterNetworkProps = {}) {
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw propError({ ...at('props'), value: props, allowed: 'a ClusterNetworkProps object or nothing', fix: "pass e.g. { apiServerCidrs: ['10.0.0.10/32'] }" });
    }
    this.apiServerCidrs = nonEmptyList(at('apiServerCidrs'), props.apiServerCidrs ?? ['0.0.0.0/0'], 'API server CIDR',
      "list the API server endpoint addresses, e.g. ['10.0.0.10/32'], or leave the prop out for '0.0.0.0/0'")
      .map((cidr, i) => requireCidr(at(`apiServerCidrs[${i}]`), cidr, 'pass the API server endpoint addresses as CIDRs, e.g. "10.0.0.10/32"'));
    this.apiServerPorts = nonEmptyList(at('apiServerPorts'), props.apiServerPorts ?? [443, 6443], 'port', 'pass e.g. [443, 6443]')
      .map((port, i) => requirePort(at(`apiServerPorts[${i}]`), port, 6443));
    this.dnsServers = nonEmptyList(at('dnsServers'), props.dnsServers ?? [DnsServer.kubeDns()], 'DNS server', 'pass e.g. [DnsServer.kubeDns()]')
      .map((server, i) => {
        if (!(server instanceof DnsServer)) {
          throw propError({
            ...at(`dnsServers[${i}]`),
            value: describeObject(server),
            allowed: 'a DnsServer',
            fix: 'pass DnsServer.kubeDns(), DnsServer.nodeLocalDnsCache(), DnsServer.pods(...) or DnsServer.cidr(...)',
          });
        }
        return server;
      });
  }

  /** @internal Egress to the API server. */
  public _apiServerRule(): PolicyRule {
    return { peers: this.apiServerCidrs.map((cidr) => NetworkPeer.cidr(cidr)), ports: tcp(...this.apiServerPorts) };
  }

  /** @internal Egress to the DNS servers. */
  public _dnsRule(): PolicyRule {
    return { peers: this.dnsServers.map((s) => s._peer), ports: [...udp(53), ...tcp(53)] };
  }

  /** @internal Whether `other` renders the same rules (two instances built from the same settings). */
  public _sameAs(other: ClusterNetwork): boolean {
    const key = (n: ClusterNetwork): string =>
      JSON.stringify([n._apiServerRule(), n._dnsRule()].map((r) => ({ peers: r.peers.map((p) => p.toPeer()), ports: r.ports })));
    return key(this) === key(other);
  }
}

/**
 * The component's `network` prop: a ClusterNetwork, or the defaults when it is left out.
 * A plain object (the props instead of the class) is refused with the fix.
 */
export function resolveClusterNetwork(ctx: PropContext, value: ClusterNetwork | undefined): ClusterNetwork {
  if (value === undefined) return new ClusterNetwork();
  if (!(value instanceof ClusterNetwork)) {
    throw propError({ ...ctx, value: describeObject(value), allowed: 'a ClusterNetwork', fix: 'pass new ClusterNetwork({...}) or leave it out' });
  }
  return value;
}

function nonEmptyList<T>(ctx: PropContext, value: T[], what: string, fix: string): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw propError({ ...ctx, value, allowed: `a list of at least one ${what}`, fix });
  }
  return [...value];
}

/** Options of `apiServerOnlyPolicy`. */
export interface ApiServerOnlyPolicyOptions extends PolicyBaseOptions {
  /** Labels of the Job's pods. */
  readonly podSelector: Record<string, string>;
  /** The cluster's network (API server peers and ports). */
  readonly network: ClusterNetwork;
}

/**
 * The policy of a Job that only talks to the API server: nothing comes in, and out only the API
 * server, which the pod reaches by the IP in KUBERNETES_SERVICE_HOST (so no DNS rule).
 */
export function apiServerOnlyPolicy(scope: Construct, id: string, options: ApiServerOnlyPolicyOptions): ApiObject {
  const { network, ...policy } = options;
  return allowPolicy(scope, id, { ...policy, ingress: [], egress: [network._apiServerRule()] });
}

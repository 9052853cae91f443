import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import type { ClusterNetwork } from './cluster-network';
import { kube, Wire } from './kube-object';

/**
 * NetworkPolicy builders shared by every construct: one default-deny policy per namespace, one DNS
 * egress policy, and allow policies that name both ends of each flow. All objects get explicit,
 * stable names so that a re-synth never replaces a policy (a replaced policy briefly opens or
 * closes traffic while the old one is deleted).
 *
 * Remember NetworkPolicies are additive and directional: a flow A → B needs an egress rule on A's
 * policy AND an ingress rule on B's policy once both namespaces are default-deny.
 */

/** Label every Namespace carries since Kubernetes 1.22 (set by the API server, immutable). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A port of a rule. */
export interface PolicyPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** TCP ports. */
export function tcp(...ports: number[]): PolicyPort[] {
  return ports.map((port) => ({ port, protocol: 'TCP' as const }));
}

/** UDP ports. */
export function udp(...ports: number[]): PolicyPort[] {
  return ports.map((port) => ({ port, protocol: 'UDP' as const }));
}

/** The other end of a flow. */
export class NetworkPeer {
  /** Pods with these labels in the policy's own namespace. */
  public static pods(labels: Record<string, string>): NetworkPeer {
    return new NetworkPeer({ podSelector: { matchLabels: { ...labels } } });
  }

  /** All pods (or the pods with `podLabels`) in namespace `name`, selected by its metadata.name label. */
  public static namespace(name: string, podLabels?: Record<string, string>): NetworkPeer {
    return new NetworkPeer({
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } },
      ...(podLabels ? { podSelector: { matchLabels: { ...podLabels } } } : {}),
    });
  }

  /** An IP range (e.g. the API server's address for bootstrap Jobs). */
  public static cidr(cidr: string, except?: string[]): NetworkPeer {
    return new NetworkPeer({ ipBlock: { cidr, ...(except && except.length > 0 ? { except: [...except] } : {}) } });
  }

  /** The cluster DNS pods: `k8s-app=kube-dns` in `kube-system` (CoreDNS keeps that label). */
  public static clusterDns(): NetworkPeer {
    return NetworkPeer.namespace('kube-system', { 'k8s-app': 'kube-dns' });
  }

  private constructor(private readonly peer: Wire<k8s.NetworkPolicyPeer>) {}

  /** The Kubernetes peer object. */
  public toPeer(): Wire<k8s.NetworkPolicyPeer> {
    return JSON.parse(JSON.stringify(this.peer));
  }
}

/**
 * One allow rule: any of `peers` on any of `ports`. A rule without peers allows nothing and is left
 * out of the policy (Kubernetes would read an empty `from`/`to` as "everyone").
 */
export interface PolicyRule {
  readonly peers: NetworkPeer[];
  readonly ports: PolicyPort[];
}

/**
 * Where in-cluster clients reach an OCI registry such as Harbor: its entry pods and, when the
 * registry host is an Ingress host, the ingress controller.
 */
export interface RegistryEntry {
  /** Namespace of the entry pods. */
  readonly namespace: string;
  /** Labels of the entry pods: empty selects every pod of the namespace. */
  readonly podLabels: Record<string, string>;
  /** Container port of the entry pods (Services are DNAT'ed to pod ports before policies match). */
  readonly port: number;
  /** With an Ingress exposure, the ingress controller's namespace (its pods listen on 80 and 443). */
  readonly ingressControllerNamespace?: string;
}

/**
 * Egress rules for a registry client: the entry pods on their container port and, with an Ingress,
 * the ingress controller on 80/443. The registry host then resolves to the Ingress address, and
 * in-cluster traffic to its load balancer is usually short-cut to the controller's pods (Harbor's
 * token realm follows the request host, so token requests take the same way).
 */
export function registryEgressRules(entry: RegistryEntry): PolicyRule[] {
  const labels = Object.keys(entry.podLabels).length > 0 ? entry.podLabels : undefined;
  return [
    { peers: [NetworkPeer.namespace(entry.namespace, labels)], ports: tcp(entry.port) },
    ...(entry.ingressControllerNamespace !== undefined
      ? [{ peers: [NetworkPeer.namespace(entry.ingressControllerNamespace)], ports: tcp(80, 443) }]
      : []),
  ];
}

/** Common options of every policy builder. */
export interface PolicyBaseOptions {
  /** Namespace of the policy (and of the selected pods). */
  readonly namespace: string;
  /** Stable object name. */
  readonly name: string;
  /** Metadata labels. */
  readonly labels?: Record<string, string>;
}

/** Options for `allowPolicy`. */
export interface AllowPolicyOptions extends PolicyBaseOptions {
  /** Labels of the pods the policy applies to: `{}` selects every pod of the namespace. */
  readonly podSelector: Record<string, string>;
  /**
   * Allowed incoming flows. Left out: the policy says nothing about ingress. A function is called at
   * synth, for rules that depend on calls made after construction (e.g. buckets added later).
   */
  readonly ingress?: PolicyRule[] | (() => PolicyRule[]);
  /** Allowed outgoing flows. Left out: the policy says nothing about egress. A function is called at synth. */
  readonly egress?: PolicyRule[] | (() => PolicyRule[]);
}

/** Denies all ingress and egress for every pod of the namespace: allow policies then open flows. */
export function defaultDenyPolicy(scope: Construct, id: string, options: PolicyBaseOptions): k8s.KubeNetworkPolicy {
  return kube(k8s.KubeNetworkPolicy, scope, id, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}

/** Options for `dnsEgressPolicy`. */
export interface DnsEgressOptions extends PolicyBaseOptions {
  /**
   * Pods allowed to query DNS.
   * @default {} (every pod of the namespace)
   */
  readonly podSelector?: Record<string, string>;
  /** The cluster's network: its DNS servers are the allowed peers. */
  readonly network: ClusterNetwork;
}

/** Allows DNS (UDP and TCP 53) to the network's DNS servers (by default the kube-dns pods in kube-system). */
export function dnsEgressPolicy(scope: Construct, id: string, options: DnsEgressOptions): k8s.KubeNetworkPolicy {
  return allowPolicy(scope, id, {
    namespace: options.namespace,
    name: options.name,
    labels: options.labels,
    podSelector: options.podSelector ?? {},
    egress: [options.network._dnsRule()],
  });
}

/** A policy for the pods matching `podSelector` that allows exactly the given flows. */
export function allowPolicy(scope: Construct, id: string, options: AllowPolicyOptions): k8s.KubeNetworkPolicy {
  const policyTypes: string[] = [];
  if (options.ingress !== undefined) policyTypes.push('Ingress');
  if (options.egress !== undefined) policyTypes.push('Egress');
  if (policyTypes.length === 0) {
    throw new Error(`allowPolicy ${options.name}: give ingress and/or egress rules`);
  }
  const selector: Wire<k8s.LabelSelector> = Object.keys(options.podSelector).length > 0 ? { matchLabels: { ...options.podSelector } } : {};
  return kube(k8s.KubeNetworkPolicy, scope, id, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      podSelector: selector,
      policyTypes,
      ...(options.ingress !== undefined
        ? { ingress: rules(options.ingress, (r) => ({ from: r.peers.map((p) => p.toPeer()), ports: toPorts(r.ports) })) }
        : {}),
      ...(options.egress !== undefined
        ? { egress: rules(options.egress, (r) => ({ to: r.peers.map((p) => p.toPeer()), ports: toPorts(r.ports) })) }
        : {}),
    },
  });
}

function rules<T>(given: PolicyRule[] | (() => PolicyRule[]), render: (rule: PolicyRule) => T): T[] {
  const renderAll = (list: PolicyRule[]): T[] => list.filter((r) => r.peers.length > 0).map(render);
  if (typeof given === 'function') {
    // A Lazy in place of the array: cdk8s resolves it when the object is written.
    return Lazy.any({ produce: () => renderAll(given()) });
  }
  return renderAll(given);
}

function toPorts(ports: PolicyPort[]): Wire<k8s.NetworkPolicyPort>[] {
  if (ports.length === 0) throw new Error('a network policy rule needs at least one port (an empty list would allow every port)');
  return ports.map((p) => ({ port: p.port, protocol: p.protocol }));
}

import { k8s } from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { ClusterNetwork } from '../core/cluster-network';
import { NetworkPeer, RegistryEntry, allowPolicy, defaultDenyPolicy, registryEgressRules, tcp } from '../core/network-policy';

/** Name of the namespace-wide default-deny policy of an inference namespace. */
export const DEFAULT_DENY_NAME = 'default-deny';

const DEFAULT_DENIES = new WeakMap<IConstruct, Map<string, k8s.KubeNetworkPolicy>>();

/**
 * The default-deny NetworkPolicy of `namespace`, created once per cdk8s App by the first caller
 * (several inference services may share a namespace, one deny-all is enough and a second one with
 * the same name would clash). Call it after `ensureNamespace`.
 */
export function ensureDefaultDeny(scope: Construct, namespace: string, labels: Record<string, string>): k8s.KubeNetworkPolicy {
  const app = scope.node.root;
  let registry = DEFAULT_DENIES.get(app);
  if (!registry) {
    registry = new Map();
    DEFAULT_DENIES.set(app, registry);
  }
  const existing = registry.get(namespace);
  if (existing) return existing;
  const policy = defaultDenyPolicy(scope, 'default-deny', { namespace, name: DEFAULT_DENY_NAME, labels });
  registry.set(namespace, policy);
  return policy;
}

/** Options of `serverPolicy`. */
export interface ServerPolicyOptions {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly podSelector: Record<string, string>;
  readonly port: number;
  readonly clientNamespaces: string[];
  /** Where the model cache pulls from. */
  readonly registry: RegistryEntry;
  /** The cluster's network (DNS servers). */
  readonly network: ClusterNetwork;
}

/**
 * The server pods' flows: in, the declared client namespaces on the server port (inference API and
 * `/metrics` share it): out, cluster DNS and the registry only (its entry pods, and the ingress
 * controller when the registry host is an Ingress host: the init container's pull; llama-server
 * itself dials nothing). Kubelet probes are not pod-to-pod traffic and need no rule.
 */
export function serverPolicy(scope: Construct, id: string, options: ServerPolicyOptions): k8s.KubeNetworkPolicy {
  return allowPolicy(scope, id, {
    namespace: options.namespace,
    name: options.name,
    labels: options.labels,
    podSelector: options.podSelector,
    ingress: [{ peers: options.clientNamespaces.map((ns) => NetworkPeer.namespace(ns)), ports: tcp(options.port) }],
    egress: [
      options.network._dnsRule(),
      ...registryEgressRules(options.registry),
    ],
  });
}

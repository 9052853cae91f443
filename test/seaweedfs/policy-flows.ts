/**
 * A small NetworkPolicy evaluator for tests: given synthesized objects and a set of pods, which
 * (source, destination, port) flows do the policies admit? Implements the Kubernetes semantics the
 * constructs use: a pod selected by any policy of a type is isolated for that type; a flow needs
 * an egress allowance on the source (if isolated) AND an ingress allowance on the destination (if
 * isolated); peers are podSelector (same namespace), namespaceSelector (+ podSelector) or ipBlock
 * (matches every IPv4 address in the CIDR, pod IPs included, as most CNIs do); rules without
 * `ports` allow every port; empty `from`/`to` allow everyone.
 */

export interface ModelPod {
  /** Name in the flow table, e.g. `master` or `velero/*`. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** IPv4 address, matched by ipBlock peers. */
  readonly ip: string;
  /** Not a pod (e.g. the API server): never isolated, only reachable through ipBlock peers. */
  readonly external?: boolean;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether IPv4 `ip` lies in `cidr` and outside every `except` range. */
export function inCidr(ip: string, cidr: string, except: string[] = []): boolean {
  const contains = (block: string): boolean => {
    const [base, bits] = block.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipToNumber(base) / size) * size;
    const n = ipToNumber(ip);
    return n >= start && n < start + size;
  };
  return contains(cidr) && !except.some(contains);
}

export interface ModelPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

const NS_LABEL = 'kubernetes.io/metadata.name';

function matches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key];
    if (expr.operator === 'In' && !expr.values.includes(value)) return false;
    if (expr.operator === 'NotIn' && expr.values.includes(value)) return false;
    if (expr.operator === 'Exists' && value === undefined) return false;
    if (expr.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

function peerMatches(peer: any, policyNamespace: string, pod: ModelPod): boolean {
  if (peer.ipBlock) return inCidr(pod.ip, peer.ipBlock.cidr, peer.ipBlock.except);
  if (pod.external) return false;
  if (peer.namespaceSelector) {
    const nsLabels = { [NS_LABEL]: pod.namespace };
    return matches(peer.namespaceSelector, nsLabels) && matches(peer.podSelector, pod.labels);
  }
  return pod.namespace === policyNamespace && matches(peer.podSelector, pod.labels);
}

function portMatches(ports: any[] | undefined, port: ModelPort): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? 'TCP') === port.protocol && (p.port === undefined || Number(p.port) === port.port));
}

function selects(policy: any, pod: ModelPod): boolean {
  return !pod.external && policy.metadata.namespace === pod.namespace && matches(policy.spec.podSelector, pod.labels);
}

function types(policy: any): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

function allowed(policies: any[], pod: ModelPod, direction: 'Ingress' | 'Egress', other: ModelPod, port: ModelPort): boolean {
  const applying = policies.filter((p) => selects(p, pod) && types(p).includes(direction));
  if (applying.length === 0) return true; // not isolated
  return applying.some((p) => ((direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some((rule: any) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, p.metadata.namespace, other));
    return peerOk && portMatches(rule.ports, port);
  }));
}

/**
 * Every admitted flow between `pods` on `ports` as `from -> to port/PROTO` strings, sorted;
 * only flows with at least one end in `namespace` are listed.
 */
export function admittedFlows(objects: any[], pods: ModelPod[], ports: ModelPort[], namespace: string): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const flows: string[] = [];
  for (const from of pods) {
    for (const to of pods) {
      if (from.external) continue;
      if (from.namespace !== namespace && to.namespace !== namespace) continue;
      for (const port of ports) {
        if (allowed(policies, from, 'Egress', to, port) && (to.external || allowed(policies, to, 'Ingress', from, port))) {
          flows.push(`${from.id} -> ${to.id} ${port.port}/${port.protocol}`);
        }
      }
    }
  }
  return flows.sort();
}

import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { VELERO, VeleroContext, veleroLabels } from './context';
import { ClusterNetwork } from '../core/cluster-network';
import { kube } from '../core/kube-object';
import { NetworkPeer, PolicyRule, allowPolicy, defaultDenyPolicy, dnsEgressPolicy, tcp } from '../core/network-policy';
import { S3Bucket } from '../core/s3-bucket';

/** Inputs of the Velero namespace's NetworkPolicies. */
export interface VeleroPolicyOptions {
  readonly bucket: S3Bucket;
  /** The cluster's network (API server and DNS peers). */
  readonly network: ClusterNetwork;
  /** Where an S3 endpoint outside the cluster may be (only used for non-`.svc` endpoints). */
  readonly s3EgressCidr: string;
  /** Namespaces allowed to scrape the metrics port (8085) of the server and the node-agent. */
  readonly metricsClientNamespaces: readonly string[];
}

/** Namespace of an in-cluster Service host (`<svc>.<ns>.svc[.cluster.local]`), else undefined. */
export function inClusterNamespace(endpoint: string): string | undefined {
  const match = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/.exec(new URL(endpoint).hostname);
  return match ? match[2] : undefined;
}

/** The S3 endpoint as a policy rule: its namespace for in-cluster Services, else the egress CIDR. */
export function s3Rule(bucket: S3Bucket, s3EgressCidr: string): PolicyRule {
  const port = Number(bucket.hostPort.split(':').pop());
  const namespace = inClusterNamespace(bucket.endpoint);
  return { peers: [namespace ? NetworkPeer.namespace(namespace) : NetworkPeer.cidr(s3EgressCidr)], ports: tcp(port) };
}

/**
 * Default deny for the Velero namespace, DNS for every pod, and per role exactly the flows Velero
 * uses: the server, the node-agent, the data-mover pods (one per PodVolumeBackup/Restore, labelled
 * `velero.io/pod-volume-backup` / `velero.io/pod-volume-restore`) and the Kopia maintenance Jobs
 * (labelled `velero.io/repo-name`) all talk to the object store and the API server: metrics
 * ingress only when asked for. The CRD Job and the secret bootstrap bring their own policies.
 */
export function buildNetworkPolicies(scope: Construct, ctx: VeleroContext, options: VeleroPolicyOptions): void {
  const labels = veleroLabels(ctx, 'network-policy');
  const ns = ctx.namespace;
  defaultDenyPolicy(scope, 'default-deny', { namespace: ns, name: 'velero-default-deny', labels });
  // Every pod resolves names: the S3 endpoint, and the API server when KUBERNETES_SERVICE_HOST is
  // not used. Data-mover and maintenance pods get generated labels, hence all pods.
  dnsEgressPolicy(scope, 'dns', { namespace: ns, name: 'velero-allow-dns', labels, network: options.network });

  const egress: PolicyRule[] = [
    s3Rule(options.bucket, options.s3EgressCidr),
    options.network._apiServerRule(),
  ];
  const metrics: PolicyRule[] = options.metricsClientNamespaces.length > 0
    ? [{ peers: options.metricsClientNamespaces.map((n) => NetworkPeer.namespace(n)), ports: tcp(VELERO.metricsPort) }]
    : [];

  allowPolicy(scope, 'server-policy', {
    namespace: ns,
    name: 'velero-server',
    labels,
    podSelector: { deploy: VELERO.serverName },
    egress,
    ...(metrics.length > 0 ? { ingress: metrics } : {}),
  });
  allowPolicy(scope, 'node-agent-policy', {
    namespace: ns,
    name: 'velero-node-agent',
    labels,
    podSelector: { name: VELERO.nodeAgentName },
    egress,
    ...(metrics.length > 0 ? { ingress: metrics } : {}),
  });

  // Pods Velero creates itself carry a label whose value is generated: select on the key.
  const generated: Array<[string, string, string]> = [
    ['pod-volume-backup-policy', 'velero-pod-volume-backup', 'velero.io/pod-volume-backup'],
    ['pod-volume-restore-policy', 'velero-pod-volume-restore', 'velero.io/pod-volume-restore'],
    ['repo-maintenance-policy', 'velero-repo-maintenance', 'velero.io/repo-name'],
  ];
  for (const [id, name, key] of generated) {
    kube(k8s.KubeNetworkPolicy, scope, id, {
      metadata: { name, namespace: ns, labels },
      spec: {
        podSelector: { matchExpressions: [{ key, operator: 'Exists' }] },
        policyTypes: ['Egress'],
        egress: egress.map((rule) => ({
          to: rule.peers.map((p) => p.toPeer()),
          ports: rule.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
        })),
      },
    });
  }
}

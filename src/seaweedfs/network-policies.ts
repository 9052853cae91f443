import { Construct } from 'constructs';
import { Component, PORTS } from './constants';
import { SeaweedContext, componentLabels, componentSelector, instanceLabels } from './context';
import { ClusterNetwork } from '../core/cluster-network';
import { NetworkPeer, PolicyRule, allowPolicy, defaultDenyPolicy, dnsEgressPolicy, tcp } from '../core/network-policy';

/**
 * Who dials whom in SeaweedFS 3.73, from the source (weed/...). Every flow becomes an egress rule
 * on the caller's policy and an ingress rule on the callee's policy; nothing else is allowed.
 * Kubelet probes are not pod-to-pod traffic and are not affected.
 */
export interface Flow {
  readonly from: Component;
  readonly to: Component;
  readonly ports: number[];
  /** Why (source reference), for readers of this table. */
  readonly reason: string;
}

/** Inputs of `seaweedFlows`. */
export interface FlowOptions {
  /** Whether the bucket Job exists (at least one bucket declared). */
  readonly bucketJob: boolean;
}

/** The pod-to-pod flows of the install. */
export function seaweedFlows(ctx: SeaweedContext, options: FlowOptions): Flow[] {
  const flows: Flow[] = [
    {
      from: 'master',
      to: 'master',
      ports: [PORTS.masterHttp, PORTS.masterGrpc],
      reason: 'Raft between peers and follower→leader proxying; a master also dials its own address through its master client (master_server.go)',
    },
    {
      from: 'volume',
      to: 'master',
      ports: [PORTS.masterGrpc],
      reason: 'heartbeat stream and volume lookups over gRPC (server/volume_grpc_client_to_master.go)',
    },
    {
      from: 'master',
      to: 'volume',
      ports: [PORTS.volumeGrpc],
      reason: 'AllocateVolume, vacuum, DeleteCollection over gRPC (topology/allocate_volume.go, topology_vacuum.go)',
    },
    {
      from: 'filer',
      to: 'master',
      ports: [PORTS.masterGrpc],
      reason: 'KeepConnected, Assign, LookupVolume over gRPC (wdclient/masterclient.go, operation/assign_file_id.go)',
    },
    {
      from: 'filer',
      to: 'volume',
      ports: [PORTS.volumeHttp, PORTS.volumeGrpc],
      reason: 'chunk upload and read over HTTP, BatchDelete over gRPC (operation/upload_content.go, operation/delete_content.go)',
    },
    {
      from: 'filer',
      to: 'filer',
      ports: [PORTS.filerGrpc],
      reason: 'the meta aggregator subscribes to every filer of the group, itself included (filer/meta_aggregator.go)',
    },
    {
      from: 's3',
      to: 'filer',
      ports: [PORTS.filerHttp, PORTS.filerGrpc],
      reason: 'object PUT/GET/copy proxied to the filer over HTTP, metadata and config over gRPC (s3api/s3api_object_handlers.go)',
    },
  ];
  if (ctx.volumeServers > 1) {
    flows.push({
      from: 'volume',
      to: 'volume',
      ports: [PORTS.volumeHttp, PORTS.volumeGrpc],
      reason: 'replicated writes and proxied reads over HTTP, volume copy/tail over gRPC (topology/store_replicate.go, volume_grpc_copy.go)',
    });
  }
  if (options.bucketJob) {
    flows.push(
      { from: 'bucket-setup', to: 'master', ports: [PORTS.masterGrpc], reason: '`weed shell` master client and VolumeList (shell/shell_liner.go)' },
      { from: 'bucket-setup', to: 'filer', ports: [PORTS.filerGrpc], reason: '`weed shell` s3.bucket.list/create over filer gRPC (shell/command_s3_bucket_*.go)' },
    );
  }
  return flows;
}

/** Inputs of `buildNetworkPolicies`. */
export interface NetworkPolicyOptions {
  /** The cluster's network (DNS servers). */
  readonly network: ClusterNetwork;
  /** Namespaces allowed to reach the S3 port, read at synth (bucket consumers + extra clients). */
  readonly s3ClientNamespaces: () => string[];
  /** Namespaces allowed to scrape the metrics port. */
  readonly metricsClientNamespaces: string[];
  /** Whether the bucket Job exists, read at synth. */
  readonly bucketJob: () => boolean;
}

/** Name of the policy of one component. */
export function componentPolicyName(ctx: SeaweedContext, component: Component): string {
  return `${ctx.name}-${component}`;
}

/**
 * Default-deny for the namespace, DNS for every pod, one policy per component with exactly the
 * flows of `seaweedFlows`, S3 from the client namespaces and, if asked, metrics scraping
 * (inside each component's policy, so no selector can catch pods of other constructs).
 */
export function buildNetworkPolicies(scope: Construct, ctx: SeaweedContext, options: NetworkPolicyOptions): void {
  defaultDenyPolicy(scope, 'default-deny', { namespace: ctx.namespace, name: `${ctx.name}-default-deny`, labels: instanceLabels(ctx) });
  dnsEgressPolicy(scope, 'allow-dns', { namespace: ctx.namespace, name: `${ctx.name}-allow-dns`, labels: instanceLabels(ctx), network: options.network });

  const flows = (): Flow[] => seaweedFlows(ctx, { bucketJob: options.bucketJob() });
  const components: Component[] = ['master', 'volume', 'filer', 's3'];
  for (const component of components) {
    allowPolicy(scope, `${component}-policy`, {
      namespace: ctx.namespace,
      name: componentPolicyName(ctx, component),
      labels: componentLabels(ctx, component),
      podSelector: componentSelector(ctx, component),
      ingress: () => [
        ...flows().filter((f) => f.to === component).map((f) => rule(NetworkPeer.pods(componentSelector(ctx, f.from)), f.ports)),
        ...(component === 's3' ? [{ peers: unique(options.s3ClientNamespaces()).map((ns) => NetworkPeer.namespace(ns)), ports: tcp(PORTS.s3Http) }] : []),
        // Prometheus scraping, opt-in (a rule without namespaces is left out).
        { peers: unique(options.metricsClientNamespaces).map((ns) => NetworkPeer.namespace(ns)), ports: tcp(PORTS.metrics) },
      ],
      egress: () => flows().filter((f) => f.from === component).map((f) => rule(NetworkPeer.pods(componentSelector(ctx, f.to)), f.ports)),
    });
  }

}

/** The bucket Job's egress policy (created with the Job). */
export function buildBucketJobPolicy(scope: Construct, ctx: SeaweedContext): void {
  allowPolicy(scope, 'bucket-setup-policy', {
    namespace: ctx.namespace,
    name: componentPolicyName(ctx, 'bucket-setup'),
    labels: componentLabels(ctx, 'bucket-setup'),
    podSelector: componentSelector(ctx, 'bucket-setup'),
    ingress: [],
    egress: seaweedFlows(ctx, { bucketJob: true })
      .filter((f) => f.from === 'bucket-setup')
      .map((f) => rule(NetworkPeer.pods(componentSelector(ctx, f.to)), f.ports)),
  });
}

function rule(peer: NetworkPeer, ports: number[]): PolicyRule {
  return { peers: [peer], ports: tcp(...ports) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

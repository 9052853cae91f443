import { Construct } from 'constructs';
import { HarborComponent, HarborContext, PORTS, componentLabels, componentName, componentSelector, instanceLabels } from './context';
import { ClusterNetwork } from '../core/cluster-network';
import { NetworkPeer, PolicyRule, allowPolicy, defaultDenyPolicy, dnsEgressPolicy, tcp } from '../core/network-policy';
import { S3Bucket } from '../core/s3-bucket';

/**
 * Who dials whom in Harbor 2.14 (from the source, container ports, which is what policies match).
 * Every flow becomes an egress rule on the caller's policy and an ingress rule on the callee's.
 * Kubelet probes are not pod-to-pod traffic and need no rule.
 */
export interface Flow {
  readonly from: HarborComponent;
  readonly to: HarborComponent;
  readonly ports: number[];
  /** Why (source reference), for readers of this table. */
  readonly reason: string;
}

/** Which components exist. */
export interface FlowOptions {
  /** Entry nginx (clusterIP and nodePort exposure). */
  readonly nginx: boolean;
  readonly trivy: boolean;
  readonly exporter: boolean;
  readonly internalDatabase: boolean;
  readonly internalRedis: boolean;
}

/** The pod-to-pod flows inside Harbor's namespace. */
export function harborFlows(options: FlowOptions): Flow[] {
  const flows: Flow[] = [];
  const add = (from: HarborComponent, to: HarborComponent, ports: number[], reason: string): void => {
    flows.push({ from, to, ports, reason });
  };
  if (options.nginx) {
    add('nginx', 'core', [PORTS.http], 'upstream core: /api/, /service/, /v2/, /c/ (nginx.conf)');
    add('nginx', 'portal', [PORTS.http], 'upstream portal: / (nginx.conf)');
  }
  add('core', 'portal', [PORTS.http], 'health check of PORTAL_URL (src/controller/health/checker.go)');
  add('core', 'registry', [PORTS.registry, PORTS.http], '/v2/ proxy and catalog to REGISTRY_URL (5000); GC/health to registryctl at REGISTRY_CONTROLLER_URL (8080)');
  add('core', 'jobservice', [PORTS.http], 'job submission and stats at JOBSERVICE_URL (src/jobservice client)');
  if (options.trivy) add('core', 'trivy', [PORTS.http], 'scanner registration and metadata at TRIVY_ADAPTER_URL (src/core/main.go, pkg/scan)');
  add('jobservice', 'core', [PORTS.http], 'config (internalconfig), job status hooks and the token service (CORE_URL, TOKEN_SERVICE_URL)');
  add('jobservice', 'registry', [PORTS.registry, PORTS.http], 'replication/retention against REGISTRY_URL; GC through REGISTRY_CONTROLLER_URL');
  if (options.trivy) add('jobservice', 'trivy', [PORTS.http], 'scan jobs submit and poll the adapter (src/pkg/scan/job.go)');
  if (options.trivy) add('trivy', 'core', [PORTS.http], 'pulls the artifact to scan through core /v2/ and the token service');
  if (options.exporter) add('exporter', 'core', [PORTS.http], 'HARBOR_SERVICE_HOST/PORT: core API metrics');
  if (options.internalDatabase) {
    add('core', 'database', [PORTS.database], 'POSTGRESQL_HOST');
    add('jobservice', 'database', [PORTS.database], 'database settings read from core, dao.InitDatabase (src/jobservice/job/impl/context.go)');
    if (options.exporter) add('exporter', 'database', [PORTS.database], 'HARBOR_DATABASE_HOST');
  }
  if (options.internalRedis) {
    add('core', 'redis', [PORTS.redis], '_REDIS_URL_CORE (DB 0), _REDIS_URL_REG (DB 2)');
    add('jobservice', 'redis', [PORTS.redis], 'worker pool queue (DB 1)');
    add('registry', 'redis', [PORTS.redis], 'storage.cache.layerinfo (DB 2)');
    if (options.trivy) add('trivy', 'redis', [PORTS.redis], 'job queue and report store (DB 5)');
    if (options.exporter) add('exporter', 'redis', [PORTS.redis], 'job queue metrics (DB 1)');
  }
  return flows;
}

/** A destination outside Harbor's pods (external store, S3 endpoint, the internet). */
export interface ExternalTarget {
  readonly from: HarborComponent[];
  readonly peer: NetworkPeer;
  readonly port: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IN_CLUSTER_SERVICE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\..*)?$/;

/**
 * The peer of an egress rule to `host`: its namespace for an in-cluster `<service>.<namespace>.svc[...]`
 * name (assuming the Service port equals the pod port, as for SeaweedFS' S3 Service), the address
 * for an IPv4 literal, otherwise `fallbackCidr` (the address behind a DNS name is unknown at synth).
 */
export function hostPeer(host: string, fallbackCidr: string): NetworkPeer {
  if (IPV4.test(host)) return NetworkPeer.cidr(`${host}/32`);
  const service = IN_CLUSTER_SERVICE.exec(host);
  if (service) return NetworkPeer.namespace(service[2]);
  return NetworkPeer.cidr(fallbackCidr);
}

/** Inputs of `externalTargets`. */
export interface ExternalTargetOptions {
  readonly database?: { readonly host: string; readonly port: number };
  readonly redis?: { readonly host: string; readonly port: number };
  readonly bucket?: S3Bucket;
  readonly trivy: boolean;
  /** Trivy downloads its DBs from mirror.gcr.io / ghcr.io over HTTPS (not when offline). */
  readonly trivyDownloads: boolean;
  readonly exporter: boolean;
  /** CIDR for endpoints given by DNS name outside the cluster. */
  readonly fallbackCidr: string;
}

/** Egress to what lies outside Harbor's pods: external stores, the S3 endpoint, Trivy's DB download. */
export function externalTargets(options: ExternalTargetOptions): ExternalTarget[] {
  const targets: ExternalTarget[] = [];
  const optional = (on: boolean, component: HarborComponent): HarborComponent[] => (on ? [component] : []);
  if (options.database) {
    targets.push({
      from: ['core', 'jobservice', ...optional(options.exporter, 'exporter')],
      peer: hostPeer(options.database.host, options.fallbackCidr),
      port: options.database.port,
    });
  }
  if (options.redis) {
    targets.push({
      from: ['core', 'jobservice', 'registry', ...optional(options.trivy, 'trivy'), ...optional(options.exporter, 'exporter')],
      peer: hostPeer(options.redis.host, options.fallbackCidr),
      port: options.redis.port,
    });
  }
  if (options.bucket) {
    // registry and registryctl (same pod) talk to the bucket; core and jobservice never do.
    const endpoint = new URL(options.bucket.endpoint);
    targets.push({ from: ['registry'], peer: hostPeer(endpoint.hostname, options.fallbackCidr), port: Number(endpoint.port || (options.bucket.secure ? 443 : 80)) });
  }
  if (options.trivy && options.trivyDownloads) targets.push({ from: ['trivy'], peer: NetworkPeer.cidr('0.0.0.0/0'), port: 443 });
  return targets;
}

/** Inputs of `buildNetworkPolicies`. */
export interface NetworkPolicyOptions extends FlowOptions {
  /** The cluster's network (DNS servers). */
  readonly network: ClusterNetwork;
  /** Egress to peers outside the namespace's Harbor pods. */
  readonly external: ExternalTarget[];
  /** Peers allowed to the entry point (nginx 8080, or core 8080 with an Ingress), read at synth. */
  readonly entryClients: () => NetworkPeer[];
  /** Ingress exposure only: the ingress controller's peers, allowed to core and portal. */
  readonly ingressController: NetworkPeer[];
  /** Peers allowed to scrape the exporter. */
  readonly metricsClients: NetworkPeer[];
  /** Further peers allowed to core 8080 (the setup Job), read at synth. */
  readonly coreClients: () => NetworkPeer[];
}

/** Name of a component's policy. */
export function componentPolicyName(ctx: HarborContext, component: HarborComponent): string {
  return componentName(ctx, component);
}

/**
 * Default-deny for the namespace, DNS for every pod, and one policy per component with exactly
 * the flows of `harborFlows`, the external targets and the client rules.
 */
export function buildNetworkPolicies(scope: Construct, ctx: HarborContext, options: NetworkPolicyOptions): void {
  defaultDenyPolicy(scope, 'default-deny', { namespace: ctx.namespace, name: `${ctx.name}-default-deny`, labels: instanceLabels(ctx) });
  dnsEgressPolicy(scope, 'allow-dns', { namespace: ctx.namespace, name: `${ctx.name}-allow-dns`, labels: instanceLabels(ctx), network: options.network });

  const flows = harborFlows(options);
  const components: HarborComponent[] = ['core', 'portal', 'registry', 'jobservice'];
  if (options.nginx) components.push('nginx');
  if (options.internalDatabase) components.push('database');
  if (options.internalRedis) components.push('redis');
  if (options.trivy) components.push('trivy');
  if (options.exporter) components.push('exporter');

  const entry: HarborComponent = options.nginx ? 'nginx' : 'core';
  for (const component of components) {
    allowPolicy(scope, `${component}-policy`, {
      namespace: ctx.namespace,
      name: componentPolicyName(ctx, component),
      labels: componentLabels(ctx, component),
      podSelector: componentSelector(ctx, component),
      ingress: () => [
        ...flows.filter((f) => f.to === component).map((f) => rule([NetworkPeer.pods(componentSelector(ctx, f.from))], f.ports)),
        ...(component === entry ? [rule(options.entryClients(), [PORTS.http])] : []),
        ...(component === 'core' || component === 'portal' ? [rule(options.ingressController, [PORTS.http])] : []),
        ...(component === 'core' ? [rule(options.coreClients(), [PORTS.http])] : []),
        ...(component === 'exporter' ? [rule(options.metricsClients, [PORTS.exporter])] : []),
      ],
      egress: [
        ...flows.filter((f) => f.from === component).map((f) => rule([NetworkPeer.pods(componentSelector(ctx, f.to))], f.ports)),
        ...options.external.filter((t) => t.from.includes(component)).map((t) => rule([t.peer], [t.port])),
      ],
    });
  }
}

function rule(peers: NetworkPeer[], ports: number[]): PolicyRule {
  return { peers, ports: tcp(...ports) };
}

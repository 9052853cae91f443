import { Component, PORTS } from './constants';
import { selectorLabels, standardLabels } from '../core/names';

/** What every SeaweedFS builder needs to know about the install. */
export interface SeaweedContext {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, prefix of every object name (e.g. `seaweedfs` → `seaweedfs-master`). */
  readonly name: string;
  /** Resolved image reference. */
  readonly image: string;
  /** SeaweedFS version (for the version label). */
  readonly version: string;
  /** Number of master replicas (odd). */
  readonly masterReplicas: number;
  /** Number of volume servers. */
  readonly volumeServers: number;
}

/** `<instance>-<component>`: StatefulSet/Deployment, its ServiceAccount and its (headless) Service. */
export function componentName(ctx: SeaweedContext, component: Component): string {
  return `${ctx.name}-${component}`;
}

/** Name of the filer's ClusterIP client Service. */
export function filerClientServiceName(ctx: SeaweedContext): string {
  return `${ctx.name}-filer-client`;
}

/** Metadata labels of a component's objects and pods. */
export function componentLabels(ctx: SeaweedContext, component: Component): Record<string, string> {
  return standardLabels({ name: 'seaweedfs', instance: ctx.name, component, version: ctx.version });
}

/** Selector labels of a component's pods. */
export function componentSelector(ctx: SeaweedContext, component: Component): Record<string, string> {
  return selectorLabels({ name: 'seaweedfs', instance: ctx.name, component });
}

/** Labels of objects that belong to no single component (namespace-wide policies, ConfigMaps). */
export function instanceLabels(ctx: SeaweedContext): Record<string, string> {
  return standardLabels({ name: 'seaweedfs', instance: ctx.name, version: ctx.version });
}

/** DNS name of a StatefulSet pod behind its headless Service. */
export function podDnsName(ctx: SeaweedContext, component: Component, ordinal: number): string {
  const service = componentName(ctx, component);
  return `${service}-${ordinal}.${service}.${ctx.namespace}.svc`;
}

/** `host:9333` of every master, in ordinal order (the `-peers`, `-mserver` and `-master` lists). */
export function masterAddresses(ctx: SeaweedContext): string[] {
  return Array.from({ length: ctx.masterReplicas }, (_, i) => `${podDnsName(ctx, 'master', i)}:${PORTS.masterHttp}`);
}

/** `host:8888` of the filer client Service (what s3 and `weed shell` dial, gRPC on 18888). */
export function filerClientAddress(ctx: SeaweedContext): string {
  return `${filerClientServiceName(ctx)}.${ctx.namespace}.svc:${PORTS.filerHttp}`;
}

/** `-ip` of a StatefulSet pod: its own DNS name, built from POD_NAME (expanded by the kubelet). */
export function ownPodAddress(ctx: SeaweedContext, component: Component): string {
  return `$(POD_NAME).${componentName(ctx, component)}.${ctx.namespace}.svc`;
}

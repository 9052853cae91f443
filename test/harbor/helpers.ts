import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { PropValidationError } from '../../src/core/errors';
import { HarborModelRegistry, HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { expectPropError } from '../prop-errors';
import { expectValidManifests } from '../validation';
export { propErrorOf } from '../prop-errors';

export interface Synthesized {
  readonly registry: HarborModelRegistry;
  readonly objects: any[];
}

/**
 * Builds a HarborModelRegistry (after `before`, e.g. a SeaweedFSStorage in the same chart),
 * synthesizes it and validates every object.
 */
export function synth(props: HarborModelRegistryProps = {}, before?: (chart: Construct) => HarborModelRegistryProps): Synthesized {
  const chart = Testing.chart();
  const extra = before ? before(chart) : {};
  const registry = new HarborModelRegistry(chart, 'harbor', { ...props, ...extra });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { registry, objects };
}

/** The object of `kind` named `name` (a RegExp matches generated names); fails if absent or ambiguous. */
export function find(objects: any[], kind: string, name: string | RegExp): any {
  const found = objects.filter((o) => o.kind === kind && (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name)));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

/** Whether an object of `kind` named `name` exists. */
export function has(objects: any[], kind: string, name: string): boolean {
  return objects.some((o) => o.kind === kind && o.metadata.name === name);
}

/** The container `name` (or the first) of a workload's pod template. */
export function container(workload: any, name?: string): any {
  const containers = workload.spec.template.spec.containers;
  const found = name ? containers.find((c: any) => c.name === name) : containers[0];
  if (!found) throw new Error(`no container ${name} in ${workload.metadata.name}`);
  return found;
}

/** Env as name → value; secretKeyRef entries as `secret:<name>/<key>`. */
export function envMap(c: any): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e: any) => {
    const ref = e.valueFrom?.secretKeyRef;
    return [e.name, e.value ?? (ref ? `secret:${ref.name}/${ref.key}` : JSON.stringify(e.valueFrom))];
  }));
}

/** Mounts as mountPath → `<volume>[:subPath]`. */
export function mounts(c: any): Record<string, string> {
  return Object.fromEntries((c.volumeMounts ?? []).map((m: any) => [m.mountPath, m.subPath ? `${m.name}:${m.subPath}` : m.name]));
}

/** The pod volume named `name`. */
export function volume(workload: any, name: string): any {
  const found = (workload.spec.template.spec.volumes ?? []).find((v: any) => v.name === name);
  if (!found) throw new Error(`no volume ${name} in ${workload.metadata.name}`);
  return found;
}

/** Service ports as `name port->targetPort`. */
export function servicePorts(service: any): string[] {
  return service.spec.ports.map((p: any) => `${p.name} ${p.port}->${p.targetPort}`);
}

/** Container ports as numbers. */
export function containerPorts(c: any): number[] {
  return (c.ports ?? []).map((p: any) => p.containerPort);
}

/** The lines of the secret bootstrap spec (names and generators, never values). */
export function bootstrapSpec(objects: any[], name = 'harbor'): string[] {
  return find(objects, 'ConfigMap', `${name}-secret-bootstrap`).data['secrets.spec'].split('\n').filter((l: string) => l && !l.startsWith('#'));
}


/** The message names HarborModelRegistry, the prop and the received value, and says what to do. */
export function expectNames(error: PropValidationError, prop: string, value: string): void {
  expectPropError(error, 'HarborModelRegistry', prop, value);
}

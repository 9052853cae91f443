import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { PropValidationError } from '../../src/core/errors';
import { kube, Wire } from '../../src/core/kube-object';
import { resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../src/core/pod-security';
import { expectValidManifests } from '../validation';

const ctx = { construct: 'Thing', prop: 'resources' };
const DEFAULTS = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' };

/** Renders requirements through a real container, as in manifests. */
function rendered(resources: Wire<k8s.ResourceRequirements>): any {
  const chart = Testing.chart();
  kube(k8s.KubePod, chart, 'pod', {
    metadata: { name: 'p' },
    spec: {
      securityContext: restrictedPodSecurityContext({ runAsUser: 1000, fsGroup: 1000 }),
      containers: [{ name: 'c', image: 'x:1', resources, securityContext: restrictedContainerSecurityContext() }],
    },
  });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects[0].spec;
}

describe('resourceRequirements', () => {
  test('defaults: requests and a memory limit, no CPU limit', () => {
    expect(rendered(resourceRequirements(ctx, undefined, DEFAULTS)).containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '512Mi' },
    });
  });

  test('each given field overrides its default; a CPU limit is added when given', () => {
    expect(rendered(resourceRequirements(ctx, { cpuRequest: '0.5', cpuLimit: '2', memoryLimit: '1Gi' }, DEFAULTS)).containers[0].resources).toEqual({
      requests: { cpu: '0.5', memory: '128Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    expect(rendered(resourceRequirements(ctx, {}, { ...DEFAULTS, cpuLimit: '1' })).containers[0].resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
  });

  test.each([
    [{ cpuRequest: 'lots' }, 'resources.cpuRequest', '"lots"'],
    [{ cpuLimit: '-1' }, 'resources.cpuLimit', '"-1"'],
    [{ memoryRequest: '0Mi' }, 'resources.memoryRequest', '"0Mi"'],
    [{ memoryLimit: '512MB' }, 'resources.memoryLimit', '"512MB"'],
    [{ memoryRequest: '1Gi' }, 'resources.memoryRequest', '"1Gi"'],
    [{ cpuRequest: '2', cpuLimit: '1' }, 'resources.cpuRequest', '"2"'],
  ])('rejects %p naming %s', (given, prop, value) => {
    let error: unknown;
    try {
      resourceRequirements(ctx, given, DEFAULTS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropValidationError);
    expect((error as Error).message).toContain(`Thing '${prop}': got ${value}`);
  });
});

describe('restricted security contexts', () => {
  test('pod: non-root with fixed ids, fsGroup changed only on mismatch, seccomp RuntimeDefault', () => {
    expect(restrictedPodSecurityContext({ runAsUser: 1000, fsGroup: 2000 })).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(restrictedPodSecurityContext({ runAsUser: 65532, runAsGroup: 65533 })).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65533, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(() => restrictedPodSecurityContext({ runAsUser: 0 })).toThrow(/runAsUser/);
  });

  test('container: no escalation, no capabilities, read-only root unless asked', () => {
    expect(restrictedContainerSecurityContext()).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(restrictedContainerSecurityContext({ readOnlyRootFilesystem: false }).readOnlyRootFilesystem).toBe(false);
  });

  test('render as valid manifests', () => {
    const spec = rendered(resourceRequirements(ctx, undefined, DEFAULTS));
    expect(spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
    expect(spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });
});

import { ApiObject, Chart, Lazy, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { kube } from '../../src/core/kube-object';
import { expectValidManifests } from '../validation';

/** Synthesizes one object built by `build` in a fresh chart. */
function synthOne(build: (chart: Chart) => void): any {
  const chart = Testing.chart();
  build(chart);
  const [object, ...rest] = Testing.synth(chart);
  expect(rest).toEqual([]);
  return object;
}

describe('kube', () => {
  test('writes what the typed k8s class writes: Quantity, IntOrString and renamed keys in wire form', () => {
    const typed = synthOne((chart) => new k8s.KubeService(chart, 'svc', {
      metadata: { name: 'db', namespace: 'data' },
      spec: { clusterIp: 'None', ports: [{ name: 'pg', port: 5432, targetPort: k8s.IntOrString.fromString('pg') }], selector: { app: 'db' } },
    }));
    const wire = synthOne((chart) => kube(k8s.KubeService, chart, 'svc', {
      metadata: { name: 'db', namespace: 'data' },
      spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }], selector: { app: 'db' } },
    }));
    expect(wire).toEqual(typed);
    expect(JSON.stringify(wire)).toEqual(JSON.stringify(typed)); // same key order too
    expect(wire.spec.clusterIP).toBe('None');
    expectValidManifests([wire]);
  });

  test('a pod with resources and an emptyDir limit: same JSON as the typed class, valid', () => {
    const container = { name: 'c', image: 'busybox:1.37', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] };
    const typed = synthOne((chart) => new k8s.KubePod(chart, 'pod', {
      metadata: { name: 'p' },
      spec: {
        containers: [{ ...container, resources: { requests: { cpu: k8s.Quantity.fromString('100m') }, limits: { 'memory': k8s.Quantity.fromString('64Mi'), 'nvidia.com/gpu': k8s.Quantity.fromNumber(1) } } }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } }],
      },
    }));
    const wire = synthOne((chart) => kube(k8s.KubePod, chart, 'pod', {
      metadata: { name: 'p' },
      spec: {
        containers: [{ ...container, resources: { requests: { cpu: '100m' }, limits: { 'memory': '64Mi', 'nvidia.com/gpu': 1 } } }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
      },
    }));
    expect(JSON.stringify(wire)).toEqual(JSON.stringify(typed));
    expectValidManifests([wire]);
  });

  test('a plain ApiObject of the class GVK; Lazy values resolve at synth', () => {
    let data = 'first';
    const chart = Testing.chart();
    const object = kube(k8s.KubeConfigMap, chart, 'cm', { metadata: { name: 'cm' }, data: { key: Lazy.any({ produce: () => data }) } });
    data = 'at synth';
    expect(object).toBeInstanceOf(ApiObject);
    expect(object.constructor).toBe(ApiObject); // not the typed class, whose toJson re-maps the object
    expect(object.kind).toBe('ConfigMap');
    expect(object.apiVersion).toBe('v1');
    expect(Testing.synth(chart)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'at synth' } }]);
  });
});

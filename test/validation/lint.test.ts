import { Testing } from 'cdk8s';
import { isGoCidr, isImageReference, isLabelValue, isQualifiedName, lintManifests } from './lint';
import { buildExamplePlatform } from '../../examples/platform';

describe('lintManifests: what the API server checks beyond the schemas', () => {
  test('CIDRs as Go net.ParseCIDR reads them', () => {
    for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '::/0', 'fd00::/8', '::ffff:10.0.0.1/128', '1:2:3:4:5:6:7:8/64']) expect([ok, isGoCidr(ok)]).toEqual([ok, true]);
    for (const bad of ['010.0.0.0/8', '10.0.0.0', '10.0.0.0/33', '1:2:3:4:5:6:7:8:9/64', '::1::/64', 'fe80::1%eth0/64', ':/0', '10.0.0.256/8', '::/129', '10.0.0.0/08x']) {
      expect([bad, isGoCidr(bad)]).toEqual([bad, false]);
    }
  });

  test('qualified names, label values, image references', () => {
    expect(['app.kubernetes.io/name', 'a', 'A_b.c', 'example.com/x'].every(isQualifiedName)).toBe(true);
    expect(['-bad', 'a/b/c', 'Example.com/x', '/x', 'x/', 'a'.repeat(64)].some(isQualifiedName)).toBe(false);
    expect(['', 'v1.0.0', 'a'.repeat(63)].every(isLabelValue)).toBe(true);
    expect(['a'.repeat(64), '-x', 'x y', 3].some(isLabelValue)).toBe(false);
    expect(['ghcr.io/ggml-org/llama.cpp:server-b8840', 'alpine', 'localhost:5000/a/b@sha256:' + 'a'.repeat(64)].every(isImageReference)).toBe(true);
    expect(['Ghcr.io/X:1', 'a:b:c', 'repo:-tag', 'repo@sha256:abc', ''].some(isImageReference)).toBe(false);
  });

  test('finds each kind of problem in objects', () => {
    const issues = lintManifests([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: '7b', namespace: 'ai', labels: { '-bad': 'x' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ai', annotations: { 'a/b/c': '' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ai' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'ai' }, spec: { egress: [{ to: [{ ipBlock: { cidr: '010.0.0.0/8' } }], ports: [{ port: 70000 }] }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ai' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'Bad Image' }], tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] } } } },
    ]);
    expect(issues.map((i) => `${i.object} ${i.path}`)).toEqual([
      'Service/ai/7b /metadata/name',
      'Service/ai/7b /metadata/labels/-bad',
      'ConfigMap/ai/cm /metadata/annotations/a/b/c',
      'ConfigMap/ai/cm /metadata/name',
      'NetworkPolicy/ai/np /spec/egress/0/to/0/ipBlock/cidr',
      'NetworkPolicy/ai/np /spec/egress/0/ports/0/port',
      'Deployment/ai/d /spec/template/spec/containers/0/image',
      'Deployment/ai/d /spec/template/spec/tolerations/0/value',
    ]);
  });

  test('the demo platform (npm run synth) is clean', () => {
    const app = Testing.app();
    buildExamplePlatform(app);
    const objects = app.charts.flatMap((chart) => chart.toJson());
    expect(objects.length).toBeGreaterThan(100);
    expect(lintManifests(objects)).toEqual([]);
  });
});

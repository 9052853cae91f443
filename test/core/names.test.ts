import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { ensureNamespace, labelValue, selectorLabels, standardLabels } from '../../src/core/names';
import { isLabelValue } from '../validation/lint';

describe('labels', () => {
  test('standard labels extend the selector labels', () => {
    const labels = { name: 'seaweedfs', instance: 'storage', component: 'master', version: '3.73' };
    expect(selectorLabels(labels)).toEqual({
      'app.kubernetes.io/name': 'seaweedfs',
      'app.kubernetes.io/instance': 'storage',
      'app.kubernetes.io/component': 'master',
    });
    expect(standardLabels(labels)).toEqual({
      ...selectorLabels(labels),
      'app.kubernetes.io/version': '3.73',
      'app.kubernetes.io/part-of': 'cnai-model-platform',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  test('selector labels never contain the version (selectors are immutable)', () => {
    expect(Object.keys(selectorLabels({ name: 'a', instance: 'b', version: '1' }))).not.toContain('app.kubernetes.io/version');
  });

  test('a version tag that is a valid image tag but not a label value is made one (AA1_, _-h, a 128-character tag)', () => {
    expect(labelValue('AA1_')).toBe('AA1');
    expect(labelValue('_-h')).toBe('h');
    expect(labelValue('v2.14.1')).toBe('v2.14.1');
    expect(labelValue(`v${'1'.repeat(62)}_x`)).toBe(`v${'1'.repeat(62)}`);
    for (const tag of ['AA1_', '_-h', '3.73_large_disk', `${'a'.repeat(62)}.-b`]) expect(isLabelValue(labelValue(tag))).toBe(true);
  });
});

describe('ensureNamespace', () => {
  test('creates the Namespace once per app and precedes objects created after it', () => {
    const chart = Testing.chart();
    const first = ensureNamespace(chart, 'velero');
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'x', namespace: 'velero' } });
    expect(ensureNamespace(chart, 'velero')).toBe(first);
    const kinds = Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(['Namespace/velero', 'ConfigMap/x']);
  });

  test('a second chart that reuses the namespace is ordered after the owning chart', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-'));
    const app = new App({ outdir });
    const backup = new Chart(app, 'backup');
    const storage = new Chart(app, 'storage');
    ensureNamespace(storage, 'velero');
    ensureNamespace(backup, 'velero');
    new k8s.KubeConfigMap(backup, 'cm', { metadata: { name: 'x', namespace: 'velero' } });
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['0000-storage.k8s.yaml', '0001-backup.k8s.yaml']);
    expect(backup.toJson().map((o: any) => o.kind)).toEqual(['ConfigMap']);
  });

  test('no direct dependency when the reusing chart already depends on the owner through another chart', () => {
    const app = Testing.app();
    const registry = new Chart(app, 'registry');
    const models = new Chart(app, 'models');
    const inference = new Chart(app, 'inference');
    models.addDependency(registry);
    inference.addDependency(models);
    ensureNamespace(registry, 'ai-inference');
    ensureNamespace(inference, 'ai-inference');
    expect(inference.node.dependencies).toEqual([models]);
    // Without that path the dependency is added.
    const other = new Chart(app, 'other');
    ensureNamespace(other, 'ai-inference');
    expect(other.node.dependencies).toEqual([registry]);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { parse } from 'yaml';
import { describeWithVeleroCrds, expectValidManifests, validateManifests, ValidationIssue } from '.';

/** A fresh valid Deployment (tests mutate their own copy). */
function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'models', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'web',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 8080 }],
            resources: { limits: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': 1 } },
            securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}

function service(targetPort: string | number): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'models' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort }] },
  };
}

/** Only the (path, message) pairs, for compact assertions. */
function where(issues: ValidationIssue[]): Array<[string, string]> {
  return issues.map(i => [i.path, i.message]);
}

describe('built-in kinds (kubernetes-models)', () => {
  test('a correct Deployment passes', () => {
    expect(validateManifests([deployment()])).toEqual([]);
    expect(() => expectValidManifests([deployment()])).not.toThrow();
  });

  test('a misspelled field deep in the pod spec fails', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateManifests([d])).toEqual([{
      object: 'Deployment/models/web',
      path: '/spec/template/spec/containers/0/imagePullPolicyy',
      message: 'unknown field',
    }]);
  });

  test('a misspelled metadata field fails', () => {
    const d = deployment();
    d.metadata.lables = { a: 'b' };
    expect(where(validateManifests([d]))).toEqual([['/metadata/lables', 'unknown field']]);
  });

  test('a wrong type fails', () => {
    const d = deployment();
    d.spec.replicas = 'two';
    expect(where(validateManifests([d]))).toEqual([['/spec/replicas', 'must be integer']]);
  });

  test('an unknown kind fails (it is not skipped)', () => {
    const issues = validateManifests([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
    expect(issues).toHaveLength(1);
    expect(issues[0].object).toBe('Widget/w');
    expect(issues[0].message).toMatch(/^unknown kind example.com\/v1\/Widget/);
  });

  test('a kind kubernetes-models only has as a sub-type is unknown too', () => {
    const issues = validateManifests([{ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x' } }]);
    expect(issues[0].message).toMatch(/^unknown kind/);
  });

  test('a missing metadata.name, apiVersion or kind fails', () => {
    const d = deployment();
    delete d.metadata.name;
    expect(where(validateManifests([d]))).toEqual([['/metadata/name', 'metadata.name is required']]);
    expect(where(validateManifests([{ metadata: { name: 'x' } }]))).toEqual([
      ['/apiVersion', 'apiVersion is required'],
      ['/kind', 'kind is required'],
    ]);
  });

  test('int-or-string: Service targetPort accepts a name or a number', () => {
    expect(validateManifests([service('http'), service(8080)])).toEqual([]);
    expect(where(validateManifests([service(true as any)])).length).toBeGreaterThan(0);
  });

  test('free-form values (RawExtension) are not reported as unknown fields', () => {
    const revision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-1' },
      revision: 1,
      data: { spec: { anything: { goes: true } } },
    };
    expect(validateManifests([revision])).toEqual([]);
  });

  test('fields kubernetes-models strips from its schemas are accepted where they are real', () => {
    const priorityClass = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'gpu' }, value: 1000 };
    expect(validateManifests([{ ...priorityClass, description: 'GPU inference' }])).toEqual([]);
    expect(where(validateManifests([{ ...priorityClass, descriptionn: 'x' }]))).toEqual([['/descriptionn', 'unknown field']]);
    const d = deployment();
    d.spec.template.spec.containers[0].description = 'not a container field';
    expect(where(validateManifests([d]))).toEqual([['/spec/template/spec/containers/0/description', 'unknown field']]);
  });

  test('a oneOf failure is one issue per path, and frozen input is fine', () => {
    const svc = Object.freeze(service(true as any));
    expect(validateManifests([svc])).toEqual([{
      object: 'Service/models/web',
      path: '/spec/ports/0/targetPort',
      message: 'must be string; must be integer; must match exactly one schema in "oneOf"',
    }]);
  });

  test('an unknown field holding an object is reported once, at its root', () => {
    const d = deployment();
    d.spec.template.spec.securityContextt = { runAsUser: 1000, nested: { deeper: 1 } };
    expect(where(validateManifests([d]))).toEqual([['/spec/template/spec/securityContextt', 'unknown field']]);
  });

  test('expectValidManifests lists every issue of every object in one error', () => {
    const a = deployment();
    a.spec.replicas = 'two';
    a.metadata.lables = {};
    const b = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(() => expectValidManifests([a, b])).toThrow(
      '3 manifest validation issue(s) in 2 object(s):\n'
      + '  - Deployment/models/web /metadata/lables: unknown field\n'
      + '  - Deployment/models/web /spec/replicas: must be integer\n'
      + '  - Widget/w /: unknown kind example.com/v1/Widget: no kubernetes-models class and no CRD schema (pass crdSchemaDirs/crdSchemaFiles)',
    );
  });

  test('objects synthesized by a cdk8s chart validate', () => {
    const chart = Testing.chart();
    new k8s.KubeDeployment(chart, 'web', {
      metadata: { name: 'web', namespace: 'models' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 8080 }],
              resources: { limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('256Mi') } },
            }],
          },
        },
      },
    });
    new k8s.KubeService(chart, 'svc', {
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    const manifests = Testing.synth(chart);
    expect(manifests).toHaveLength(2);
    expectValidManifests(manifests);
  });

  test('hundreds of objects validate quickly', () => {
    const many = Array.from({ length: 300 }, () => deployment());
    const start = Date.now();
    expect(validateManifests(many)).toEqual([]);
    expect(Date.now() - start).toBeLessThan(3000);
  });
});

describe('custom resources (CRD schemas)', () => {
  // A tiny CRD exercising the schema rewrites Velero does not use.
  let crdFile: string;
  beforeAll(() => {
    crdFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'validation-')), 'gadgets.example.com.yaml');
    fs.writeFileSync(crdFile, [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata: { name: gadgets.example.com }',
      'spec:',
      '  group: example.com',
      '  names: { kind: Gadget, plural: gadgets }',
      '  scope: Namespaced',
      '  versions:',
      '  - name: v1',
      '    served: true',
      '    storage: true',
      '    schema:',
      '      openAPIV3Schema:',
      '        type: object',
      '        properties:',
      '          apiVersion: { type: string }',
      '          kind: { type: string }',
      '          metadata: { type: object }',
      '          spec:',
      '            type: object',
      '            properties:',
      '              port: { x-kubernetes-int-or-string: true, anyOf: [{ type: integer }, { type: string }] }',
      '              bare: { x-kubernetes-int-or-string: true }',
      '              note: { type: string, nullable: true }',
      '              timeout: { type: string, format: duration }',
      '              tags: { type: array, items: { type: string }, x-kubernetes-list-type: set }',
      '              config: { type: object, x-kubernetes-preserve-unknown-fields: true, properties: { known: { type: string } } }',
      '',
    ].join('\n'));
  });

  const gadget = (spec: any): any => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec });

  test('int-or-string, nullable, preserve-unknown-fields and a Go duration pass', () => {
    const ok = [
      gadget({ port: 8080, bare: 1 }),
      gadget({ port: 'http', bare: '25%', note: null, timeout: '1h30m', tags: ['a'] }),
      gadget({ config: { known: 'x', anything: { else: 1 } } }),
    ];
    expect(validateManifests(ok, { crdSchemaFiles: [crdFile] })).toEqual([]);
  });

  test('wrong types, unknown fields and bad formats fail', () => {
    const issues = validateManifests([
      gadget({ port: true }),
      gadget({ bare: 1.5 }),
      gadget({ portt: 1 }),
      gadget({ timeout: 'P1D' }),
    ], { crdSchemaFiles: [crdFile] });
    expect(issues.map(i => i.path)).toEqual(expect.arrayContaining(['/spec/port', '/spec/bare', '/spec/portt', '/spec/timeout']));
    expect(issues).toContainEqual({ object: 'Gadget/g', path: '/spec/portt', message: 'unknown field' });
  });

  test('custom resource metadata is checked as ObjectMeta', () => {
    const bad = gadget({});
    bad.metadata.annotation = { a: 'b' };
    bad.metadata.labels = { a: 1 };
    expect(where(validateManifests([bad], { crdSchemaFiles: [crdFile] }))).toEqual([
      ['/metadata/annotation', 'unknown field'],
      ['/metadata/labels/a', 'must be string'],
    ]);
  });

  test('unknown top-level fields of a custom resource fail', () => {
    const bad = { ...gadget({}), specc: {} };
    expect(where(validateManifests([bad], { crdSchemaFiles: [crdFile] }))).toEqual([['/specc', 'unknown field']]);
  });
});

describeWithVeleroCrds('Velero custom resources', (veleroCrdDir) => {
  const options = () => ({ crdSchemaDirs: [veleroCrdDir] });
  const schedule = (): any => ({
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'models-daily', namespace: 'velero', labels: { 'app.kubernetes.io/part-of': 'cnai' } },
    spec: {
      schedule: '0 3 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: ['models'],
        ttl: '720h0m0s',
        storageLocation: 'default',
        snapshotVolumes: false,
        defaultVolumesToFsBackup: true,
        labelSelector: { matchLabels: { backup: 'true' } },
      },
    },
  });

  test('a valid Schedule passes', () => {
    expectValidManifests([schedule()], options());
  });

  test('a Schedule with a misspelled spec field fails', () => {
    const s = schedule();
    s.spec.template.includedNamespacess = ['models'];
    expect(where(validateManifests([s], options()))).toEqual([['/spec/template/includedNamespacess', 'unknown field']]);
  });

  test('a Schedule with a wrong type fails', () => {
    const s = schedule();
    s.spec.paused = 'yes';
    expect(where(validateManifests([s], options()))).toEqual([['/spec/paused', 'must be boolean']]);
  });

  test('the Velero CRDs themselves validate as CustomResourceDefinition objects', () => {
    const crds = fs.readdirSync(veleroCrdDir).filter(f => f.endsWith('.yaml'))
      .map(f => parse(fs.readFileSync(path.join(veleroCrdDir, f), 'utf8')));
    expect(crds).toHaveLength(13);
    expectValidManifests(crds);
    const broken = parse(fs.readFileSync(path.join(veleroCrdDir, 'schedules.velero.io.yaml'), 'utf8'));
    broken.spec.versions[0].servedd = true;
    expect(where(validateManifests([broken]))).toEqual([['/spec/versions/0/servedd', 'unknown field']]);
  });

  test('every Velero CRD compiles', () => {
    const kinds = ['Backup', 'BackupRepository', 'BackupStorageLocation', 'DeleteBackupRequest', 'DownloadRequest',
      'PodVolumeBackup', 'PodVolumeRestore', 'Restore', 'Schedule', 'ServerStatusRequest', 'VolumeSnapshotLocation'];
    const objects = [
      ...kinds.map(kind => ({ apiVersion: 'velero.io/v1', kind, metadata: { name: 'x' } })),
      ...['DataUpload', 'DataDownload'].map(kind => ({ apiVersion: 'velero.io/v2alpha1', kind, metadata: { name: 'x' } })),
    ];
    // Missing required spec fields are fine here; what matters is no "unknown kind" and no compile error.
    const issues = validateManifests(objects, options());
    expect(issues.filter(i => i.message.startsWith('unknown kind'))).toEqual([]);
  });
});

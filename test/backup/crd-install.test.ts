/**
 * The CRD bootstrap: one container running the velero image's own `velero install --crds-only
 * --apply`, as Velero's Helm chart does since v1.18.0, with least-privilege RBAC.
 */
import * as fs from 'fs';
import { build, find } from './helpers';
import { VELERO_CRD_NAMES } from '../../src/backup/context';
import { ImageCatalog } from '../../src/core/images';
import { VELERO_CRD_DIR, expectValidManifests } from '../validation';

describe('CRD bootstrap objects', () => {
  const { install, velero } = build();
  const objects = install();
  const job = find(objects, 'Job', /^velero-crd-install-[0-9a-f]{8}$/);
  const pod = job.spec.template.spec;

  test('valid manifests; the Job name is exposed with its depends-on reference', () => {
    expectValidManifests(objects);
    expect(velero.crdInstallJobName).toBe(job.metadata.name);
    expect(velero.crdInstallJobRef).toBe(`batch/namespaces/velero/Job/${job.metadata.name}`);
  });

  test('one container: the velero image runs its own binary, no shell, no script, no init containers', () => {
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    const [main] = pod.containers;
    expect(main.image).toBe('docker.io/velero/velero:v1.18.1');
    expect(main.command).toEqual(['/velero']);
    expect(main.args).toEqual(['install', '--crds-only', '--apply']);
    expect(main.env).toEqual([{ name: 'HOME', value: '/tmp' }]);
    expect(main.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
    expect(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'velero-crd-install')).toEqual([]);
  });

  test('every container is restricted: non-root 65532, read-only root, no capabilities', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits.memory).toBeDefined();
    }
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('velero-crd-install');
  });

  test('least-privilege RBAC: create CRDs, get/patch/update only the 13 Velero CRDs', () => {
    const role = find(objects, 'ClusterRole', 'velero-crd-install');
    expect(role.rules).toEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: VELERO_CRD_NAMES, verbs: ['get', 'patch', 'update'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'velero-crd-install')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'velero-crd-install' },
      subjects: [{ kind: 'ServiceAccount', name: 'velero-crd-install', namespace: 'velero' }],
    });
    // Egress to the API server only.
    const policy = find(objects, 'NetworkPolicy', 'velero-crd-install');
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] }]);
  });

  test('all CRD-bootstrap objects are in Argo CD wave -1, before the install (0) and the custom resources', () => {
    for (const [kind, name] of [['ServiceAccount', 'velero-crd-install'], ['ClusterRole', 'velero-crd-install'], ['ClusterRoleBinding', 'velero-crd-install'], ['NetworkPolicy', 'velero-crd-install']]) {
      expect(find(objects, kind, name).metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  test('the Job precedes the server in the file (the server exits while CRDs are missing)', () => {
    const index = (kind: string, name: string | RegExp) => objects.indexOf(find(objects, kind, name));
    expect(index('Job', /^velero-crd-install-/)).toBeLessThan(index('Deployment', 'velero'));
    expect(index('ClusterRoleBinding', 'velero-crd-install')).toBeLessThan(index('Job', /^velero-crd-install-/));
  });

  test('the Job name is deterministic and changes with the velero image (a new version upgrades the CRDs)', () => {
    const again = build().velero.crdInstallJobName;
    expect(again).toBe(velero.crdInstallJobName);
    const upgraded = build({ images: new ImageCatalog({ overrides: { velero: 'docker.io/velero/velero:v1.18.2' } }) }).velero.crdInstallJobName;
    expect(upgraded).not.toBe(velero.crdInstallJobName);
    expect(upgraded).toMatch(/^velero-crd-install-[0-9a-f]{8}$/);
  });

  (VELERO_CRD_DIR ? test : test.skip)('the CRD list matches the 13 schema files of Velero 1.18.1', () => {
    const files = fs.readdirSync(VELERO_CRD_DIR!).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect([...VELERO_CRD_NAMES].sort()).toEqual(files.sort());
  });
});

import { container, find, synth } from './helpers';
import { ImageCatalog } from '../../src/core/images';

const workloadsOf = (objects: any[]): any[] => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const containersOf = (w: any): any[] => [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers];

describe('pod and container security', () => {
  const { objects } = synth({ exporter: true });
  const harbor = workloadsOf(objects).filter((w) => w.kind !== 'Job');

  test('every Harbor pod: chart uid (999 for database and Redis), non-root, RuntimeDefault, no token', () => {
    const uids = Object.fromEntries(harbor.map((w) => [w.metadata.name, w.spec.template.spec.securityContext.runAsUser]));
    expect(uids).toEqual({
      'harbor-core': 10000,
      'harbor-portal': 10000,
      'harbor-registry': 10000,
      'harbor-jobservice': 10000,
      'harbor-database': 999,
      'harbor-redis': 999,
      'harbor-trivy': 10000,
      'harbor-exporter': 10000,
      'harbor-nginx': 10000,
    });
    for (const w of harbor) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: pod.securityContext.runAsUser, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks).toBe(false);
      expect(find(objects, 'ServiceAccount', pod.serviceAccountName).automountServiceAccountToken).toBe(false);
    }
  });

  test('every container: no escalation, drop ALL, RuntimeDefault; read-only root only for the nginx images', () => {
    const readOnly: string[] = [];
    for (const w of harbor) {
      for (const c of containersOf(w)) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        if (c.securityContext.readOnlyRootFilesystem) readOnly.push(`${w.metadata.name}/${c.name}`);
      }
    }
    // install_cert.sh rewrites the CA bundle in every Go component (see workload.ts).
    expect(readOnly.sort()).toEqual(['harbor-nginx/nginx', 'harbor-portal/portal']);
  });

  test('every container has CPU and memory requests and a memory limit', () => {
    for (const w of workloadsOf(objects)) {
      for (const c of containersOf(w)) {
        const r = c.resources ?? {};
        expect({ c: c.name, cpu: r.requests?.cpu !== undefined, mem: r.requests?.memory !== undefined, limit: r.limits?.memory !== undefined })
          .toEqual({ c: c.name, cpu: true, mem: true, limit: true });
      }
    }
    expect(container(find(objects, 'Deployment', 'harbor-core')).resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } });
  });

  test('resources can be overridden per component', () => {
    const { objects: o } = synth({ resources: { registry: { cpuRequest: '500m', memoryLimit: '4Gi' } } });
    expect(container(find(o, 'Deployment', 'harbor-registry'), 'registry').resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '4Gi' } });
  });
});

describe('images', () => {
  test('every image is pinned; Harbor images are v2.14.4 from the catalog', () => {
    const { objects } = synth({ exporter: true });
    const images = workloadsOf(objects).flatMap((w) => containersOf(w).map((c) => c.image));
    for (const image of images) expect(ImageCatalog.isPinned(image)).toBe(true);
    expect(images.filter((i) => i.includes('goharbor/') && !i.includes('/prepare:')).every((i) => i.endsWith(':v2.14.4'))).toBe(true);
  });

  test('version overrides the tag of every Harbor image; a mirror prefix applies to all', () => {
    const { objects } = synth({ version: 'v2.14.3', images: new ImageCatalog({ registryPrefix: 'mirror.local/hub' }), exporter: true });
    const harbor = workloadsOf(objects).filter((w) => w.kind !== 'Job').flatMap((w) => containersOf(w).map((c) => c.image));
    expect(new Set(harbor.map((i) => i.replace(/\/[^/]+:v2\.14\.3$/, '')))).toEqual(new Set(['mirror.local/hub/goharbor']));
  });
});

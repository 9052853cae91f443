import { bootstrapSpec, container, envMap, find, synth } from './helpers';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborExposure } from '../../src/harbor/exposure';

describe('secrets', () => {
  const { registry, objects } = synth({ exporter: true });

  test('no Secret object in the output carries data; no secret-looking env has a literal value', () => {
    for (const secret of objects.filter((o) => o.kind === 'Secret')) {
      expect(secret.data).toBeUndefined();
      expect(secret.stringData).toBeUndefined();
    }
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
    for (const w of workloads) {
      for (const c of [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])]) {
        for (const e of c.env ?? []) {
          if (/SECRET|PASSWORD|PASSWD|KEY$/.test(e.name) && !e.name.startsWith('SCANNER_')) {
            expect({ name: e.name, value: e.value }).toEqual({ name: e.name, value: undefined });
            expect(e.valueFrom.secretKeyRef).toBeDefined();
          }
        }
        expect(c.envFrom).toBeUndefined();
      }
    }
  });

  test('one SecretBootstrap in Harbor\'s namespace declares every generated Secret', () => {
    expect(registry.secrets.namespace).toBe('harbor');
    expect(registry.secrets.secrets.map((s) => s.name)).toEqual([
      'harbor-core', 'harbor-jobservice', 'harbor-registry', 'harbor-registry-credentials', 'harbor-database', 'harbor-admin',
    ]);
    expect(bootstrapSpec(objects)).toEqual([
      'secret harbor-core Opaque',
      'key secretKey random 16',
      'key secret random 16',
      'key CSRF_KEY random 32',
      'key tls.key rsa 4096',
      'key tls.crt cert tls.key harbor-token-ca 3650',
      'secret harbor-jobservice Opaque',
      'key JOBSERVICE_SECRET random 16',
      'secret harbor-registry Opaque',
      'key REGISTRY_HTTP_SECRET random 16',
      'secret harbor-registry-credentials Opaque',
      'key REGISTRY_PASSWD random 32',
      'key REGISTRY_HTPASSWD htpasswd harbor_registry_user REGISTRY_PASSWD',
      'secret harbor-database Opaque',
      'key POSTGRES_PASSWORD random 32',
      'secret harbor-admin Opaque',
      'key HARBOR_ADMIN_PASSWORD password 32',
    ]);
    expect(registry.adminPasswordSecret).toMatchObject({ secretName: 'harbor-admin', key: 'HARBOR_ADMIN_PASSWORD' });
  });

  test('a user-provided admin password is required, not generated, and used by core and the exporter', () => {
    const adminPassword = SecretKeyReference.fromSecret('my-harbor-admin', 'password');
    const { registry: r, objects: o } = synth({ adminPassword, exporter: true });
    const spec = bootstrapSpec(o);
    expect(spec).not.toContain('secret harbor-admin Opaque');
    expect(spec).toContain('require my-harbor-admin password');
    expect(r.adminPasswordSecret).toBe(adminPassword);
    expect(envMap(container(find(o, 'Deployment', 'harbor-core'))).HARBOR_ADMIN_PASSWORD).toBe('secret:my-harbor-admin/password');
    expect(envMap(container(find(o, 'Deployment', 'harbor-exporter'))).HARBOR_ADMIN_PASSWORD).toBe('secret:my-harbor-admin/password');
  });

  test('synthesis is deterministic: same props, byte-identical objects (values are generated once, in-cluster)', () => {
    const props = { exporter: true, exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'tls' }) };
    expect(JSON.stringify(synth(props).objects)).toBe(JSON.stringify(synth(props).objects));
  });
});

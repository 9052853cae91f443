import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { GeneratedValue } from '../../src/core/generated-value';
import { ImageCatalog, PlatformImage } from '../../src/core/images';
import { ensureNamespace } from '../../src/core/names';
import { SecretBootstrap, SecretBootstrapProps } from '../../src/core/secret-bootstrap';
import { expectValidManifests } from '../validation';

const SCRIPT = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'bootstrap-secrets.sh'), 'utf8');
const PREPARE = new ImageCatalog().resolve(PlatformImage.HARBOR_PREPARE);

function bootstrap(props: Partial<SecretBootstrapProps> = {}, chart: Chart = Testing.chart()): SecretBootstrap {
  return new SecretBootstrap(chart, 'bootstrap', { namespace: 'seaweedfs', name: 'seaweedfs', ...props });
}

/** Synthesizes the bootstrap's chart and validates every object. */
function synth(b: SecretBootstrap): any[] {
  const objects = Testing.synth(Chart.of(b));
  expectValidManifests(objects);
  return objects;
}

function find(objects: any[], kind: string, namespace?: string): any[] {
  return objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));
}

function one(objects: any[], kind: string, namespace?: string): any {
  const found = find(objects, kind, namespace);
  expect(found).toHaveLength(1);
  return found[0];
}

function spec(objects: any[]): string {
  return one(objects, 'ConfigMap').data['secrets.spec'];
}

function s3Secret(b: SecretBootstrap) {
  return b.addSecret('velero-s3', {
    keys: {
      AWS_ACCESS_KEY_ID: GeneratedValue.randomAlphanumeric(20),
      AWS_SECRET_ACCESS_KEY: GeneratedValue.randomAlphanumeric(40),
    },
    copyToNamespaces: ['velero'],
  });
}

describe('SecretBootstrap objects', () => {
  test('emits nothing until a secret is declared', () => {
    const b = bootstrap();
    expect(synth(b)).toEqual([]);
  });

  test('declaring a secret emits the namespace, ServiceAccount, RBAC, script, Job and NetworkPolicy', () => {
    const b = bootstrap();
    b.addSecret('admin', { keys: { password: GeneratedValue.randomAlphanumeric(32) } });
    const objects = synth(b);
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Job', 'NetworkPolicy']);
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.namespace).toBe('seaweedfs');
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'seaweedfs',
        'app.kubernetes.io/instance': 'seaweedfs',
        'app.kubernetes.io/component': 'secret-bootstrap',
        'app.kubernetes.io/part-of': 'cnai-model-platform',
      });
    }
    const sa = one(objects, 'ServiceAccount');
    expect(sa.metadata.name).toBe('seaweedfs-secret-bootstrap');
    expect(sa.automountServiceAccountToken).toBe(true);
    expect(b.serviceAccountName).toBe('seaweedfs-secret-bootstrap');
    const binding = one(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'seaweedfs-secret-bootstrap' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'seaweedfs-secret-bootstrap', namespace: 'seaweedfs' }]);
  });

  test('never emits a Secret or a value', () => {
    const b = bootstrap();
    s3Secret(b);
    b.addSecret('token', {
      keys: { 'tls.key': GeneratedValue.rsaPrivateKey(), 'tls.crt': GeneratedValue.selfSignedCertificate('tls.key', 'harbor-token') },
      type: 'kubernetes.io/tls',
    });
    b.requireExistingSecret('user-s3', ['AWS_ACCESS_KEY_ID']);
    const objects = synth(b);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/-----BEGIN|stringData/);
  });

  test('labels and instance can be set', () => {
    const b = bootstrap({ appName: 'harbor', instance: 'registry' });
    b.addSecret('x', { keys: { k: GeneratedValue.randomAlphanumeric(8) } });
    const job = one(synth(b), 'Job');
    expect(job.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'registry' });
  });
});

describe('SecretBootstrap RBAC', () => {
  test('get is restricted to exactly the declared and required secrets; create is allowed', () => {
    const b = bootstrap();
    s3Secret(b);
    b.addSecret('filer-db', { keys: { password: GeneratedValue.randomAlphanumeric(24) } });
    b.requireExistingSecret('user-provided', ['token']);
    const role = one(synth(b), 'Role', 'seaweedfs');
    expect(role.metadata.name).toBe('seaweedfs-secret-bootstrap');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['velero-s3', 'filer-db', 'user-provided'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
  });

  test('a bootstrap that only checks user secrets cannot create any', () => {
    const b = bootstrap();
    b.requireExistingSecret('user-provided', ['a', 'b']);
    b.requireExistingSecret('user-provided', ['b', 'c']);
    const objects = synth(b);
    expect(one(objects, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['user-provided'] }]);
    expect(spec(objects)).toContain('require user-provided a,b,c\n');
  });

  test('each copy namespace gets its namespace, a Role for the secrets copied there and a binding to the bootstrap account', () => {
    const b = bootstrap();
    s3Secret(b);
    b.addSecret('harbor-s3', { keys: { key: GeneratedValue.randomAlphanumeric(20) }, copyToNamespaces: ['harbor', 'velero'] });
    b.addSecret('local-only', { keys: { key: GeneratedValue.randomAlphanumeric(20) } });
    const objects = synth(b);
    expect(find(objects, 'Namespace').map((n) => n.metadata.name)).toEqual(['seaweedfs', 'velero', 'harbor']);

    const veleroRole = one(objects, 'Role', 'velero');
    expect(veleroRole.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['velero-s3', 'harbor-s3'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    expect(one(objects, 'Role', 'harbor').rules[0].resourceNames).toEqual(['harbor-s3']);
    for (const ns of ['velero', 'harbor']) {
      const binding = one(objects, 'RoleBinding', ns);
      expect(binding.roleRef.name).toBe('seaweedfs-secret-bootstrap');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'seaweedfs-secret-bootstrap', namespace: 'seaweedfs' }]);
      // The Namespace is applied before the objects in it.
      const order = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(order.indexOf(`Namespace/${ns}`)).toBeLessThan(objects.indexOf(one(objects, 'Role', ns)));
    }
  });

  test('a copy namespace owned by another construct is reused, not duplicated', () => {
    const app = Testing.app();
    const velero = new Chart(app, 'velero');
    ensureNamespace(velero, 'velero');
    const storage = new Chart(app, 'storage');
    const b = bootstrap({}, storage);
    s3Secret(b);
    const objects = synth(b);
    expect(find(objects, 'Namespace').map((n) => n.metadata.name)).toEqual(['seaweedfs']);
    expect(storage.node.dependencies).toContain(velero);
  });
});

describe('SecretBootstrap Job', () => {
  test('runs the script from the ConfigMap with the declared spec', () => {
    const b = bootstrap();
    b.addSecret('registry', {
      keys: {
        // Derived keys first: the spec must still list their sources before them.
        REGISTRY_HTPASSWD: GeneratedValue.bcryptHtpasswd('harbor_registry_user', 'REGISTRY_PASSWD'),
        REGISTRY_PASSWD: GeneratedValue.randomAlphanumeric(32),
      },
    });
    b.addSecret('token', {
      keys: { 'tls.crt': GeneratedValue.selfSignedCertificate('tls.key', 'harbor-token', 365), 'tls.key': GeneratedValue.rsaPrivateKey(2048) },
      type: 'kubernetes.io/tls',
      copyToNamespaces: ['harbor'],
    });
    b.requireExistingSecret('s3', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    const objects = synth(b);
    const cm = one(objects, 'ConfigMap');
    expect(cm.metadata.name).toBe('seaweedfs-secret-bootstrap');
    expect(cm.data['bootstrap-secrets.sh']).toBe(SCRIPT);
    expect(cm.data['secrets.spec']).toBe([
      '# cnai-model-platform secret bootstrap spec, format 1: names and generators only, no values.',
      'secret registry Opaque',
      'key REGISTRY_PASSWD random 32',
      'key REGISTRY_HTPASSWD htpasswd harbor_registry_user REGISTRY_PASSWD',
      'secret token kubernetes.io/tls',
      'key tls.key rsa 2048',
      'key tls.crt cert tls.key harbor-token 365',
      'copy harbor',
      'require s3 AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY',
      '',
    ].join('\n'));

    const pod = one(objects, 'Job').spec.template.spec;
    const container = pod.containers[0];
    expect(container.command).toEqual(['/bin/sh', '/opt/secret-bootstrap/bootstrap-secrets.sh', '/opt/secret-bootstrap/secrets.spec']);
    expect(container.volumeMounts).toContainEqual({ name: 'script', mountPath: '/opt/secret-bootstrap', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'script', configMap: { name: 'seaweedfs-secret-bootstrap', defaultMode: 0o555 } });
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ BOOTSTRAP_NAMESPACE: 'seaweedfs', BOOTSTRAP_WORK_DIR: '/run/secret-bootstrap', BOOTSTRAP_WAIT_TIMEOUT_SECONDS: '300' });
  });

  test('randomPassword values are written as password lines', () => {
    const b = bootstrap();
    b.addSecret('robot', {
      keys: {
        htpasswd: GeneratedValue.bcryptHtpasswd('robot', 'password'),
        password: GeneratedValue.randomPassword(32),
      },
    });
    b.addSecret('plain', { keys: { password: GeneratedValue.randomPassword(8) } });
    const objects = synth(b);
    expect(spec(objects)).toContain('secret robot Opaque\nkey password password 32\nkey htpasswd htpasswd robot password\n');
    expect(spec(objects)).toContain('secret plain Opaque\nkey password password 8\n');
  });

  test.each([
    ['random', { k: GeneratedValue.randomAlphanumeric(20) }],
    ['htpasswd', { pw: GeneratedValue.randomAlphanumeric(32), line: GeneratedValue.bcryptHtpasswd('user', 'pw') }],
    ['cert', { key: GeneratedValue.rsaPrivateKey(), crt: GeneratedValue.selfSignedCertificate('key', 'cn') }],
  ])('%s values: one container in the prepare image runs the script, its API client mounted next to it', (_, keys) => {
    const b = bootstrap();
    b.addSecret('values', { keys });
    const objects = synth(b);
    const pod = one(objects, 'Job').spec.template.spec;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toBe(PREPARE);
    expect(pod.containers[0].command).toEqual(['/bin/sh', '/opt/secret-bootstrap/bootstrap-secrets.sh', '/opt/secret-bootstrap/secrets.spec']);
    expect(pod.containers[0].env.map((e: any) => e.name)).toEqual(['BOOTSTRAP_NAMESPACE', 'BOOTSTRAP_WORK_DIR', 'BOOTSTRAP_WAIT_TIMEOUT_SECONDS']);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['script', 'work', 'tmp']);
    const data = one(objects, 'ConfigMap').data;
    expect(Object.keys(data).sort()).toEqual(['bootstrap-secrets.sh', 'kube-api.py', 'secrets.spec']);
    expect(data['kube-api.py']).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'core', 'scripts', 'kube-api.py'), 'utf8'));
  });

  test('images come from the catalog (registry mirror)', () => {
    const b = bootstrap({ images: new ImageCatalog({ registryPrefix: 'mirror.local/hub' }) });
    b.addSecret('x', { keys: { k: GeneratedValue.rsaPrivateKey() } });
    const pod = one(synth(b), 'Job').spec.template.spec;
    expect(pod.containers[0].image).toBe('mirror.local/hub/goharbor/prepare:v2.14.4');
  });

  test('pod and containers are locked down and have resources', () => {
    const b = bootstrap();
    b.addSecret('x', { keys: { k: GeneratedValue.rsaPrivateKey() } });
    const job = one(synth(b), 'Job');
    expect(job.spec.backoffLimit).toBe(6);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('seaweedfs-secret-bootstrap');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.requests.memory).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.work.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Mi' });
    expect(volumes.tmp.emptyDir).toEqual({ sizeLimit: '64Mi' });
    expect(pod.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'work', mountPath: '/run/secret-bootstrap' },
      { name: 'tmp', mountPath: '/tmp' },
    ]));
  });

  test('timeouts are props', () => {
    const b = bootstrap({ namespaceWaitTimeout: Duration.minutes(2), ttlAfterFinished: Duration.hours(1) });
    b.addSecret('x', { keys: { k: GeneratedValue.randomAlphanumeric(8) } });
    const job = one(synth(b), 'Job');
    expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'BOOTSTRAP_WAIT_TIMEOUT_SECONDS', value: '120' });
  });
});

describe('SecretBootstrap Job name', () => {
  function build(extra?: (b: SecretBootstrap) => void, props: Partial<SecretBootstrapProps> = {}): string {
    const b = bootstrap(props);
    s3Secret(b);
    extra?.(b);
    return one(synth(b), 'Job').metadata.name;
  }

  test('carries a hash of what the pod runs and is deterministic', () => {
    const name = build();
    expect(name).toMatch(/^seaweedfs-secret-bootstrap-[0-9a-f]{8}$/);
    expect(build()).toBe(name);
  });

  test('changes with the declarations, the images and the pod settings', () => {
    const base = build();
    const names = [
      build((b) => b.addSecret('more', { keys: { k: GeneratedValue.randomAlphanumeric(8) } })),
      build((b) => b.requireExistingSecret('user', ['k'])),
      build(undefined, { images: new ImageCatalog({ registryPrefix: 'mirror.local' }) }),
      build(undefined, { namespaceWaitTimeout: Duration.minutes(1) }),
    ];
    for (const n of names) expect(n).not.toBe(base);
    expect(new Set(names).size).toBe(names.length);
  });

  test('declarations made after the objects exist, even after a synth, are picked up at the next synth', () => {
    const b = bootstrap();
    s3Secret(b);
    const first = synth(b);
    const again = synth(b);
    expect(again).toEqual(first);

    b.addSecret('late', { keys: { k: GeneratedValue.rsaPrivateKey() }, copyToNamespaces: ['harbor'] });
    const later = synth(b);
    expect(one(later, 'Job').metadata.name).not.toBe(one(first, 'Job').metadata.name);
    expect(one(later, 'Job').spec.template.spec.containers[0].image).toBe(PREPARE);
    expect(spec(later)).toContain('secret late Opaque\nkey k rsa 4096\ncopy harbor\n');
    expect(one(later, 'Role', 'seaweedfs').rules[0].resourceNames).toEqual(['velero-s3', 'late']);
    expect(one(later, 'Role', 'harbor').rules[0].resourceNames).toEqual(['late']);
  });
});

describe('SecretBootstrap NetworkPolicy', () => {
  test('selects the Job pods, allows no ingress and egress only to the API server', () => {
    const b = bootstrap({ network: new ClusterNetwork({ apiServerCidrs: ['172.18.0.2/32'] }) });
    s3Secret(b);
    const objects = synth(b);
    const policy = one(objects, 'NetworkPolicy');
    const podLabels = one(objects, 'Job').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
    expect(policy.spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '172.18.0.2/32' } }],
      ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }],
    }]);
  });

  test('defaults to any address, on the API server ports only', () => {
    const b = bootstrap();
    s3Secret(b);
    expect(one(synth(b), 'NetworkPolicy').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
  });
});

describe('GeneratedSecret', () => {
  test('describes the secret and hands out key references', () => {
    const b = bootstrap();
    const secret = s3Secret(b);
    expect(secret.name).toBe('velero-s3');
    expect(secret.namespace).toBe('seaweedfs');
    expect(secret.keys).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(secret.copyNamespaces).toEqual(['velero']);
    expect(secret.type).toBe('Opaque');
    const ref = secret.keyRef('AWS_SECRET_ACCESS_KEY');
    expect(ref.secretName).toBe('velero-s3');
    expect(ref.key).toBe('AWS_SECRET_ACCESS_KEY');
    expect(b.secrets).toEqual([secret]);
    expect(() => secret.keyRef('password')).toThrow(/GeneratedSecret 'velero-s3.keyRef': got "password", expected a declared key of Secret seaweedfs\/velero-s3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
  });
});

describe('input validation', () => {
  function expectError(fn: () => unknown, ...parts: Array<string | RegExp>): void {
    let message = '';
    try {
      fn();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe('');
    for (const part of parts) expect(message).toMatch(typeof part === 'string' ? new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : part);
  }

  test('duplicate secret', () => {
    const b = bootstrap();
    s3Secret(b);
    expectError(() => s3Secret(b), "SecretBootstrap(seaweedfs) 'secrets.velero-s3': got \"velero-s3\"", 'not yet declared');
    b.requireExistingSecret('user', ['k']);
    expectError(() => b.addSecret('user', { keys: { k: GeneratedValue.randomAlphanumeric(4) } }), "'secrets.user'");
    expectError(() => b.requireExistingSecret('velero-s3', ['k']), "SecretBootstrap(seaweedfs) 'requiredSecrets.velero-s3': got \"velero-s3\"", 'not also declared with addSecret');
  });

  test('htpasswd referencing a missing or non-random key', () => {
    const b = bootstrap();
    expectError(() => b.addSecret('reg', { keys: { line: GeneratedValue.bcryptHtpasswd('user', 'pw') } }),
      "SecretBootstrap(seaweedfs) 'secrets.reg.keys.line': got \"pw\"", 'GeneratedValue.randomAlphanumeric(...) or GeneratedValue.randomPassword(...)', '"pw" is not declared in this secret');
    expectError(() => b.addSecret('reg', { keys: { pw: GeneratedValue.rsaPrivateKey(), line: GeneratedValue.bcryptHtpasswd('user', 'pw') } }),
      "'secrets.reg.keys.line': got \"pw\"", '"pw" is an rsaPrivateKey value');
    expectError(() => b.addSecret('reg', { keys: { line: GeneratedValue.bcryptHtpasswd('user', 'line') } }), "'secrets.reg.keys.line': got \"line\"", 'a bcryptHtpasswd value');
  });

  test('certificate referencing a non-rsa key', () => {
    const b = bootstrap();
    expectError(() => b.addSecret('tls', { keys: { key: GeneratedValue.randomAlphanumeric(32), crt: GeneratedValue.selfSignedCertificate('key', 'cn') } }),
      "SecretBootstrap(seaweedfs) 'secrets.tls.keys.crt': got \"key\"", 'rsaPrivateKey', 'a randomAlphanumeric value');
    expectError(() => b.addSecret('tls', { keys: { crt: GeneratedValue.selfSignedCertificate('crt', 'cn') } }), "'secrets.tls.keys.crt': got \"crt\"");
  });

  test('generator parameters', () => {
    expectError(() => GeneratedValue.randomAlphanumeric(0), "GeneratedValue 'randomAlphanumeric.length': got 0, expected an integer from 1 to 4096");
    expectError(() => GeneratedValue.randomAlphanumeric(4097), 'got 4097');
    expectError(() => GeneratedValue.randomAlphanumeric(1.5), 'got 1.5');
    expectError(() => GeneratedValue.randomPassword(7), "GeneratedValue 'randomPassword.length': got 7, expected an integer from 8 to 128");
    expectError(() => GeneratedValue.randomPassword(129), 'got 129');
    expect(GeneratedValue.randomPassword(32).toString()).toBe('randomPassword(32)');
    expectError(() => GeneratedValue.rsaPrivateKey(1024), "GeneratedValue 'rsaPrivateKey.bits': got 1024, expected one of 2048, 3072, 4096");
    expectError(() => GeneratedValue.bcryptHtpasswd('user:x', 'pw'), "GeneratedValue 'bcryptHtpasswd.username': got \"user:x\"");
    expectError(() => GeneratedValue.bcryptHtpasswd('user name', 'pw'), 'got "user name"');
    expectError(() => GeneratedValue.bcryptHtpasswd('user', 'pw d'), "'bcryptHtpasswd.passwordKey': got \"pw d\"");
    expectError(() => GeneratedValue.selfSignedCertificate('key', 'my host'), "GeneratedValue 'selfSignedCertificate.commonName': got \"my host\"");
    expectError(() => GeneratedValue.selfSignedCertificate('key', 'O=x/CN=y'), 'got "O=x/CN=y"');
    expectError(() => GeneratedValue.selfSignedCertificate('key', 'cn', 0), "'selfSignedCertificate.validityDays': got 0");
    expect(GeneratedValue.selfSignedCertificate('key', '*.example.com').toString()).toBe('selfSignedCertificate(key, *.example.com, 3650)');
    expect(GeneratedValue.rsaPrivateKey().toString()).toBe('rsaPrivateKey(4096)');
  });

  test('key names, secret names, types and copy namespaces', () => {
    const b = bootstrap();
    const k = GeneratedValue.randomAlphanumeric(8);
    expectError(() => b.addSecret('x', { keys: { 'bad key': k } }), "SecretBootstrap(seaweedfs) 'secrets.x.keys': got \"bad key\"");
    expectError(() => b.addSecret('x', { keys: { '..': k } }), 'got ".."');
    expectError(() => b.addSecret('x', { keys: {} }), "'secrets.x.keys'", 'at least one data key');
    expectError(() => b.addSecret('x', { keys: { k: 'plain-value' as any } }), "'secrets.x.keys.k': got \"plain-value\", expected a GeneratedValue");
    expectError(() => b.addSecret('Bad_Name', { keys: { k } }), "'addSecret.name': got \"Bad_Name\"");
    expectError(() => b.addSecret('x', { keys: { k }, type: 'kubernetes.io/dockerconfigjson' }), "'secrets.x.type': got \"kubernetes.io/dockerconfigjson\"");
    expectError(() => b.addSecret('x', { keys: { k }, type: 'my type' }), 'got "my type"');
    expectError(() => b.addSecret('x', { keys: { k }, type: 'kubernetes.io/tls' }), 'kubernetes.io/tls needs tls.crt and tls.key');
    expectError(() => b.addSecret('x', { keys: { k }, copyToNamespaces: ['seaweedfs'] }), "'secrets.x.copyToNamespaces[0]': got \"seaweedfs\"", "other than the bootstrap's own");
    expectError(() => b.addSecret('x', { keys: { k }, copyToNamespaces: ['velero', 'velero'] }), "'secrets.x.copyToNamespaces[1]'", 'each namespace once');
    expectError(() => b.addSecret('x', { keys: { k }, copyToNamespaces: ['Velero'] }), 'got "Velero"');
    expectError(() => b.requireExistingSecret('y', []), "'requiredSecrets.y.keys'");
    expectError(() => b.requireExistingSecret('y', ['ok', 'not ok']), "'requiredSecrets.y.keys[1]': got \"not ok\"");
    // Nothing was declared by the failed calls.
    expect(synth(b)).toEqual([]);
  });

  test('props', () => {
    expectError(() => bootstrap({ name: 'a-name-that-is-far-too-long-for-a-job-name' }), "SecretBootstrap 'name': got \"a-name-that-is-far-too-long-for-a-job-name\"", '1-37');
    expectError(() => bootstrap({ namespace: 'Bad' }), "SecretBootstrap 'namespace': got \"Bad\"");
    expectError(() => bootstrap({ network: { apiServerCidrs: ['10.0.0.1/32'] } as any }), "SecretBootstrap 'network': got {\"apiServerCidrs\":[\"10.0.0.1/32\"]}", 'new ClusterNetwork');
    expectError(() => bootstrap({ namespaceWaitTimeout: Duration.days(2) }), "SecretBootstrap 'namespaceWaitTimeout': got 172800");
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ClusterNetwork } from '../../src/core/cluster-network';
import { ImageCatalog } from '../../src/core/images';
import { ensureNamespace } from '../../src/core/names';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { RobotPermission } from '../../src/harbor/robot-account';
import { HarborSetup, HarborSetupProps } from '../../src/harbor/setup-job';
import { expectValidManifests } from '../validation';

const SCRIPT = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src', 'harbor', 'scripts', 'harbor-setup.sh'), 'utf8');
const CORE_LABELS = { 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/component': 'core' };

function setupIn(chart: Chart, props: Partial<HarborSetupProps> = {}): HarborSetup {
  // As HarborModelRegistry does: the namespace first, then the bootstrap, then the setup.
  ensureNamespace(chart, 'harbor');
  const secrets = props.secrets ?? new SecretBootstrap(chart, 'secrets', { namespace: 'harbor', name: 'harbor', network: new ClusterNetwork({ apiServerCidrs: ['172.18.0.2/32'] }) });
  return new HarborSetup(chart, 'setup', {
    namespace: 'harbor',
    name: 'harbor',
    coreUrl: 'http://harbor-core.harbor.svc:80',
    registryHost: 'harbor.example.com',
    adminPassword: SecretKeyReference.fromSecret('harbor-core', 'HARBOR_ADMIN_PASSWORD'),
    secrets,
    corePodLabels: CORE_LABELS,
    ...props,
  });
}

/** The usual declaration: one project with a pull robot for ai-inference. */
function standard(props: Partial<HarborSetupProps> = {}): HarborSetup {
  const setup = setupIn(Testing.chart(), props);
  setup.addProject('ml-models', { storageQuota: '100Gi' }).addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
  return setup;
}

function synth(setup: HarborSetup): any[] {
  const objects = Testing.synth(Chart.of(setup));
  expectValidManifests(objects);
  return objects;
}

/** Objects of the setup itself (name `harbor-setup*`), without the bootstrap's. */
function find(objects: any[], kind: string, namespace = 'harbor'): any[] {
  return objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name.startsWith('harbor-setup'));
}

function one(objects: any[], kind: string, namespace = 'harbor'): any {
  const found = find(objects, kind, namespace);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('HarborSetup objects', () => {
  test('emits nothing until a project is declared', () => {
    const setup = setupIn(Testing.chart());
    expect(synth(setup).filter((o) => o.metadata.name?.startsWith('harbor-setup'))).toEqual([]);
    expect(setup.projects).toEqual([]);
  });

  test('a project with a pull robot: ServiceAccount, RBAC in both namespaces, ConfigMap, Job and NetworkPolicy', () => {
    const objects = synth(standard());
    const own = objects.filter((o) => o.metadata.name?.startsWith('harbor-setup'));
    expect(own.map((o) => `${o.kind}/${o.metadata.namespace}`)).toEqual([
      'ServiceAccount/harbor', 'Role/harbor', 'RoleBinding/harbor', 'ConfigMap/harbor', 'Job/harbor', 'NetworkPolicy/harbor',
      'Role/ai-inference', 'RoleBinding/ai-inference',
    ]);
    for (const o of own) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'harbor', 'app.kubernetes.io/component': 'setup' });
    }
    // The consumer namespace is created, before the Role that lives in it.
    const order = objects.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace ?? ''}`);
    expect(order.indexOf('Namespace/ai-inference/')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('Namespace/ai-inference/')).toBeLessThan(order.indexOf('Role/harbor-setup/ai-inference'));
    expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(true);
  });

  test('the robot password is declared with the bootstrap as randomPassword(32)', () => {
    const setup = standard();
    const objects = synth(setup);
    const spec = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'harbor-secret-bootstrap').data['secrets.spec'];
    expect(spec).toContain('secret harbor-robot-ml-models-puller Opaque\nkey password password 32\n');
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('HarborSetup RBAC', () => {
  test('Harbor namespace: get on the robot password Secrets only; robot namespace: get on its pull secret and create', () => {
    const objects = synth(standard());
    expect(one(objects, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['harbor-robot-ml-models-puller'] },
    ]);
    expect(one(objects, 'Role', 'ai-inference').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['harbor-ml-models-puller-dockerconfig'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    for (const ns of ['harbor', 'ai-inference']) {
      const binding = one(objects, 'RoleBinding', ns);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'harbor-setup' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'harbor-setup', namespace: 'harbor' }]);
    }
  });

  test('a project without robots grants nothing (never an empty resourceNames list)', () => {
    const setup = setupIn(Testing.chart());
    setup.addProject('ml-models');
    expect(one(synth(setup), 'Role').rules ?? []).toEqual([]);
  });

  test('robots added later, sharing namespaces or serving Harbor\'s own namespace, are all covered', () => {
    const setup = standard();
    const first = synth(setup);
    const project = setup.projects[0];
    project.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['ai-inference', 'harbor'] });
    const objects = synth(setup);
    expect(find(objects, 'Role', 'ai-inference')).toHaveLength(1);
    expect(one(objects, 'Role', 'ai-inference').rules[0].resourceNames).toEqual(['harbor-ml-models-puller-dockerconfig', 'harbor-ml-models-pusher-dockerconfig']);
    expect(one(objects, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['harbor-robot-ml-models-puller', 'harbor-robot-ml-models-pusher', 'harbor-ml-models-pusher-dockerconfig'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    expect(one(objects, 'Job').metadata.name).not.toBe(one(first, 'Job').metadata.name);
  });
});

describe('HarborSetup ConfigMap and Job', () => {
  test('the ConfigMap holds the script and the desired state, with no secret value', () => {
    const objects = synth(standard());
    const cm = one(objects, 'ConfigMap');
    expect(cm.metadata.name).toBe('harbor-setup');
    expect(cm.data['harbor-setup.sh']).toBe(SCRIPT);
    expect(cm.data['kube-api.py']).toBe(fs.readFileSync(path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'kube-api.py'), 'utf8'));
    const lines = cm.data['setup.spec'].split('\n');
    expect(lines[0]).toMatch(/^# cnai-model-platform harbor setup spec, format 1/);
    expect(lines[1]).toBe('project ml-models 107374182400 {"project_name":"ml-models","metadata":{"public":"false","auto_scan":"true","prevent_vul":"false","severity":"high"},"storage_limit":107374182400}');
    expect(lines[2]).toMatch(/^robot puller robot\$ml-models\+puller harbor-robot-ml-models-puller \{"name":"puller",/);
    expect(JSON.parse(lines[2].split(' ').slice(4).join(' '))).toEqual({
      name: 'puller',
      description: 'Managed by cnai-model-platform',
      level: 'project',
      duration: -1,
      disable: false,
      permissions: [{ kind: 'project', namespace: 'ml-models', access: [{ resource: 'repository', action: 'pull' }] }],
    });
    expect(lines.slice(3)).toEqual(['pullsecret ai-inference harbor-ml-models-puller-dockerconfig', '']);
  });

  test('the Job runs the script in the prepare image with its API client and the admin password as files', () => {
    const job = one(synth(standard()), 'Job');
    expect(job.spec.backoffLimit).toBe(6);
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('harbor-setup');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    const [main] = pod.containers;
    expect(main.image).toBe('docker.io/goharbor/prepare:v2.14.4');
    expect(main.command).toEqual(['/bin/sh', '/opt/harbor-setup/harbor-setup.sh', '/opt/harbor-setup/setup.spec']);
    const env = Object.fromEntries(main.env.map((e: any) => [e.name, e.value]));
    expect(env).toEqual({
      HARBOR_URL: 'http://harbor-core.harbor.svc:80',
      HARBOR_REGISTRY_HOST: 'harbor.example.com',
      HARBOR_NAMESPACE: 'harbor',
      HARBOR_ADMIN_PASSWORD_FILE: '/etc/harbor-setup/admin/password',
      HARBOR_SETUP_WORK_DIR: '/run/harbor-setup',
    });
    // No value from a Secret in the environment.
    expect(main.env.filter((e: any) => e.valueFrom)).toEqual([]);
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes['admin-password'].secret).toEqual({ secretName: 'harbor-core', items: [{ key: 'HARBOR_ADMIN_PASSWORD', path: 'password' }], defaultMode: 0o440 });
    expect(volumes.script.configMap).toEqual({ name: 'harbor-setup', defaultMode: 0o444 });
    expect(volumes.work.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Mi' });
    expect(main.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'admin-password', mountPath: '/etc/harbor-setup/admin', readOnly: true },
      { name: 'work', mountPath: '/run/harbor-setup' },
      { name: 'tmp', mountPath: '/tmp' },
    ]));
  });

  test('pod and containers are locked down, run as Harbor\'s uid and have resources', () => {
    const pod = one(synth(standard()), 'Job').spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 10000, runAsGroup: 10000, fsGroup: 10000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.requests.memory).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
  });

  test('images come from the catalog', () => {
    const pod = one(synth(standard({ images: new ImageCatalog({ registryPrefix: 'mirror.local/hub' }) })), 'Job').spec.template.spec;
    expect(pod.containers[0].image).toBe('mirror.local/hub/goharbor/prepare:v2.14.4');
  });
});

describe('HarborSetup Job name', () => {
  test('is <name>-setup-<8 hex>, stable across synths, and changes when a robot is added', () => {
    const setup = standard();
    const name = one(synth(setup), 'Job').metadata.name;
    expect(name).toMatch(/^harbor-setup-[0-9a-f]{8}$/);
    expect(one(synth(setup), 'Job').metadata.name).toBe(name);
    expect(one(synth(standard()), 'Job').metadata.name).toBe(name);

    setup.projects[0].addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['ml-import'] });
    const later = synth(setup);
    expect(one(later, 'Job').metadata.name).not.toBe(name);
    expect(one(later, 'ConfigMap').data['setup.spec']).toContain('pullsecret ml-import harbor-ml-models-pusher-dockerconfig');
  });

  test('changes with the declarations and the images', () => {
    const base = one(synth(standard()), 'Job').metadata.name;
    const quota = setupIn(Testing.chart());
    quota.addProject('ml-models', { storageQuota: '200Gi' }).addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
    const names = [
      one(synth(quota), 'Job').metadata.name,
      one(synth(standard({ images: new ImageCatalog({ registryPrefix: 'mirror.local' }) })), 'Job').metadata.name,
      one(synth(standard({ registryHost: 'registry.example.com:8443' })), 'Job').metadata.name,
    ];
    for (const n of names) expect(n).not.toBe(base);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('HarborSetup NetworkPolicy', () => {
  test('selects the Job pods; no ingress; egress to core on 8080, the API server and DNS', () => {
    const setup = standard();
    const objects = synth(setup);
    const policy = one(objects, 'NetworkPolicy');
    const podLabels = one(objects, 'Job').spec.template.metadata.labels;
    expect(policy.spec.podSelector).toEqual({ matchLabels: setup.podLabels });
    for (const [k, v] of Object.entries(setup.podLabels)) expect(podLabels[k]).toBe(v);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: CORE_LABELS } }], ports: [{ port: 8080, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '172.18.0.2/32' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
    ]);
  });
});

describe('HarborSetup props', () => {
  function expectError(fn: () => unknown, ...parts: string[]): void {
    let message = '';
    try {
      fn();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe('');
    for (const part of parts) expect(message).toContain(part);
  }

  const badProps: Array<[Partial<HarborSetupProps>, string[]]> = [
    [{ namespace: 'Harbor' }, ["HarborSetup 'namespace': got \"Harbor\""]],
    [{ name: 'a'.repeat(49) }, ["HarborSetup 'name'", '1-48']],
    [{ coreUrl: 'harbor-core:80' }, ["HarborSetup 'coreUrl': got \"harbor-core:80\""]],
    [{ coreUrl: 'http://harbor-core/api' }, ["HarborSetup 'coreUrl'"]],
    [{ registryHost: 'https://harbor.example.com' }, ["HarborSetup 'registryHost': got \"https://harbor.example.com\""]],
    [{ corePodLabels: {} }, ["HarborSetup 'corePodLabels'"]],
    [{ adminPassword: 'Harbor12345' as unknown as SecretKeyReference }, ["HarborSetup 'adminPassword'", 'a SecretKeyReference']],
    [{ plainHttp: 'yes' as unknown as boolean }, ["HarborSetup 'plainHttp': got \"yes\"", 'true or false']],
    [{ entryPodLabels: {} }, ["HarborSetup 'entryPodLabels': got {}"]],
    [{ ingressControllerNamespace: 'Ingress' }, ["HarborSetup 'ingressControllerNamespace': got \"Ingress\""]],
  ];
  test.each(badProps)('rejects %p', (props, parts) => {
    expectError(() => setupIn(Testing.chart(), props), ...parts);
  });

  test('the secret bootstrap must be Harbor\'s', () => {
    const chart = Testing.chart();
    const other = new SecretBootstrap(chart, 'other', { namespace: 'seaweedfs', name: 'seaweedfs' });
    expectError(() => setupIn(chart, { secrets: other }), "HarborSetup 'secrets': got \"SecretBootstrap of namespace seaweedfs\"", 'the SecretBootstrap of namespace "harbor"');
  });

  test('a trailing slash of coreUrl is dropped', () => {
    const setup = standard({ coreUrl: 'http://harbor-core.harbor.svc/' });
    const env = one(synth(setup), 'Job').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'HARBOR_URL', value: 'http://harbor-core.harbor.svc' });
  });
});

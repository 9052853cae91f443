import { parse as parseYaml } from 'yaml';
import { bootstrapSpec, container, envMap, find, synth } from './helpers';
import { HarborExposure } from '../../src/harbor/exposure';

/**
 * Follows `host[:port]` the way a pod in Harbor's namespace would: the Service named `host`, its port,
 * the workload its selector picks and the container listening on the target port. A broken link
 * (wrong name, port or target) fails here rather than at runtime.
 */
function follow(objects: any[], hostPort: string): string {
  const [host, portText] = hostPort.split(':');
  const port = portText === undefined ? 80 : Number(portText);
  const service = find(objects, 'Service', host);
  const servicePort = service.spec.ports.find((p: any) => p.port === port);
  if (!servicePort) throw new Error(`Service ${host} has no port ${port}`);
  const selector = service.spec.selector;
  const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) &&
    Object.entries(selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
  if (workloads.length !== 1) throw new Error(`Service ${host} selects ${workloads.length} workloads`);
  const c = workloads[0].spec.template.spec.containers.find((x: any) => (x.ports ?? []).some((p: any) => p.containerPort === servicePort.targetPort));
  if (!c) throw new Error(`nothing in ${workloads[0].metadata.name} listens on ${servicePort.targetPort}`);
  return `${workloads[0].metadata.name}/${c.name}`;
}

/** `http://host[:port][/path]` → `host[:port]`. */
function hostOf(url: string): string {
  return /^[a-z]+:\/\/(?:[^@/]*@)?([^/?]+)/.exec(url)![1];
}

describe('the components find each other', () => {
  const { objects } = synth({ exporter: true });
  const core = envMap(container(find(objects, 'Deployment', 'harbor-core')));
  const jobservice = envMap(container(find(objects, 'Deployment', 'harbor-jobservice')));
  const registryPod = find(objects, 'Deployment', 'harbor-registry');
  const registryctl = envMap(container(registryPod, 'registryctl'));
  const registry = envMap(container(registryPod, 'registry'));
  const exporter = envMap(container(find(objects, 'Deployment', 'harbor-exporter')));
  const trivy = envMap(container(find(objects, 'StatefulSet', 'harbor-trivy')));

  test('core URLs reach the right containers', () => {
    expect(follow(objects, hostOf(core.CORE_URL))).toBe('harbor-core/core');
    expect(follow(objects, hostOf(core.TOKEN_SERVICE_URL))).toBe('harbor-core/core');
    expect(core.TOKEN_SERVICE_URL).toBe(`${core.CORE_URL}/service/token`);
    expect(follow(objects, hostOf(core.JOBSERVICE_URL))).toBe('harbor-jobservice/jobservice');
    expect(follow(objects, hostOf(core.REGISTRY_URL))).toBe('harbor-registry/registry');
    expect(follow(objects, hostOf(core.REGISTRY_CONTROLLER_URL))).toBe('harbor-registry/registryctl');
    expect(follow(objects, hostOf(core.PORTAL_URL))).toBe('harbor-portal/portal');
    expect(follow(objects, hostOf(core.TRIVY_ADAPTER_URL))).toBe('harbor-trivy/trivy');
    expect(follow(objects, `${core.POSTGRESQL_HOST}:${core.POSTGRESQL_PORT}`)).toBe('harbor-database/database');
    expect(follow(objects, hostOf(core._REDIS_URL_CORE))).toBe('harbor-redis/redis');
    expect(follow(objects, hostOf(core._REDIS_URL_REG))).toBe('harbor-redis/redis');
  });

  test('jobservice, registry, trivy and exporter reach the right containers', () => {
    expect(follow(objects, hostOf(jobservice.CORE_URL))).toBe('harbor-core/core');
    expect(follow(objects, hostOf(jobservice.REGISTRY_URL))).toBe('harbor-registry/registry');
    expect(follow(objects, hostOf(jobservice.REGISTRY_CONTROLLER_URL))).toBe('harbor-registry/registryctl');
    const jobConfig = parseYaml(find(objects, 'ConfigMap', 'harbor-jobservice').data['config.yml']);
    expect(follow(objects, hostOf(jobConfig.worker_pool.redis_pool.redis_url))).toBe('harbor-redis/redis');
    expect(follow(objects, parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['config.yml']).redis.addr)).toBe('harbor-redis/redis');
    expect(follow(objects, hostOf(trivy.SCANNER_REDIS_URL))).toBe('harbor-redis/redis');
    expect(follow(objects, `${exporter.HARBOR_SERVICE_HOST}:${exporter.HARBOR_SERVICE_PORT}`)).toBe('harbor-core/core');
    expect(follow(objects, `${exporter.HARBOR_DATABASE_HOST}:${exporter.HARBOR_DATABASE_PORT}`)).toBe('harbor-database/database');
    expect(follow(objects, hostOf(exporter.HARBOR_REDIS_URL))).toBe('harbor-redis/redis');
  });

  test('the entry nginx upstreams and the entry Service', () => {
    const conf: string = find(objects, 'ConfigMap', 'harbor-nginx').data['nginx.conf'];
    const upstreams = [...conf.matchAll(/upstream (\w+) {\s+server "?([^";]+)"?;/g)].map((m) => [m[1], follow(objects, m[2])]);
    expect(upstreams).toEqual([['core', 'harbor-core/core'], ['portal', 'harbor-portal/portal']]);
    expect(follow(objects, 'harbor')).toBe('harbor-nginx/nginx');
  });

  test('the Ingress backends', () => {
    const { objects: o } = synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com' }) });
    const paths = find(o, 'Ingress', 'harbor-ingress').spec.rules[0].http.paths;
    expect(paths.map((p: any) => `${p.path} ${follow(o, `${p.backend.service.name}:${p.backend.service.port.number}`)}`)).toEqual([
      '/api/ harbor-core/core', '/service/ harbor-core/core', '/v2/ harbor-core/core', '/c/ harbor-core/core', '/ harbor-portal/portal',
    ]);
  });

  test('shared secrets are the same Secret key everywhere', () => {
    expect(new Set([core.CORE_SECRET, jobservice.CORE_SECRET, registryctl.CORE_SECRET])).toEqual(new Set(['secret:harbor-core/secret']));
    expect(new Set([core.JOBSERVICE_SECRET, jobservice.JOBSERVICE_SECRET, registryctl.JOBSERVICE_SECRET])).toEqual(new Set(['secret:harbor-jobservice/JOBSERVICE_SECRET']));
    expect(new Set([registry.REGISTRY_HTTP_SECRET, registryctl.REGISTRY_HTTP_SECRET])).toEqual(new Set(['secret:harbor-registry/REGISTRY_HTTP_SECRET']));
    expect(core.HARBOR_ADMIN_PASSWORD).toBe(exporter.HARBOR_ADMIN_PASSWORD);
  });

  test('the registry password core and jobservice send is the one hashed into the mounted htpasswd', () => {
    expect(core.REGISTRY_CREDENTIAL_PASSWORD).toBe(jobservice.REGISTRY_CREDENTIAL_PASSWORD);
    const [, secretName, passwordKey] = /^secret:([^/]+)\/(.+)$/.exec(core.REGISTRY_CREDENTIAL_PASSWORD)!;
    const htpasswd = registryPod.spec.template.spec.volumes.find((v: any) => v.name === 'registry-htpasswd').secret;
    expect(htpasswd.secretName).toBe(secretName);
    const spec = bootstrapSpec(objects);
    const block = spec.slice(spec.indexOf(`secret ${secretName} Opaque`) + 1);
    const keys = block.slice(0, block.findIndex((l) => !l.startsWith('key ')));
    // The htpasswd line is derived, in the same Secret, from the very password key the clients send,
    // for the very user name they send.
    expect(keys).toContain(`key ${htpasswd.items[0].key} htpasswd ${core.REGISTRY_CREDENTIAL_USERNAME} ${passwordKey}`);
    expect(jobservice.REGISTRY_CREDENTIAL_USERNAME).toBe(core.REGISTRY_CREDENTIAL_USERNAME);
    const config = parseYaml(find(objects, 'ConfigMap', 'harbor-registry').data['config.yml']);
    expect(config.auth.htpasswd.path).toBe('/etc/registry/passwd');
    expect(container(registryPod, 'registry').volumeMounts).toContainEqual({ name: 'registry-htpasswd', mountPath: '/etc/registry/passwd', subPath: 'passwd', readOnly: true });
  });

  test('core\'s key files come from the generated core Secret with the lengths Harbor requires', () => {
    const spec = bootstrapSpec(objects);
    const block = spec.slice(spec.indexOf('secret harbor-core Opaque') + 1, spec.indexOf('secret harbor-jobservice Opaque'));
    expect(block).toEqual(expect.arrayContaining([
      'key secretKey random 16',
      'key secret random 16',
      'key CSRF_KEY random 32',
      'key tls.key rsa 4096',
      'key tls.crt cert tls.key harbor-token-ca 3650',
    ]));
    expect(spec).toContain('key JOBSERVICE_SECRET random 16');
    expect(spec).toContain('key REGISTRY_HTTP_SECRET random 16');
  });
});

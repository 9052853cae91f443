import { container, find, has, mounts, servicePorts, synth, volume } from './helpers';
import { HarborExposure } from '../../src/harbor/exposure';

describe('portal', () => {
  const { objects } = synth();
  const deployment = find(objects, 'Deployment', 'harbor-portal');
  const c = container(deployment, 'portal');

  test('image, port, Service harbor-portal 80 -> 8080, probes GET /', () => {
    expect(c.image).toBe('docker.io/goharbor/harbor-portal:v2.14.4');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080]);
    expect(servicePorts(find(objects, 'Service', 'harbor-portal'))).toEqual(['http 80->8080']);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 300, periodSeconds: 10 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 10 });
  });

  test('nginx.conf at /etc/nginx/nginx.conf: 8080 (IPv4 + IPv6), temp paths under /tmp, SPA fallback', () => {
    expect(mounts(c)).toEqual({ '/etc/nginx/nginx.conf': 'config:nginx.conf', '/tmp': 'tmp', '/var/cache/nginx': 'nginx-cache', '/run': 'run' });
    expect(volume(deployment, 'config').configMap.name).toBe('harbor-portal');
    const conf: string = find(objects, 'ConfigMap', 'harbor-portal').data['nginx.conf'];
    expect(conf).toContain('pid /tmp/nginx.pid;');
    expect(conf).toContain('listen 8080;');
    expect(conf).toContain('listen [::]:8080;');
    expect(conf).toContain('root   /usr/share/nginx/html;');
    expect(conf).toContain('try_files $uri $uri/ /index.html;');
    expect(conf).toContain('location /devcenter-api-2.0 {');
    expect(conf.match(/_temp_path \/tmp\//g)).toHaveLength(5);
  });
});

describe('entry nginx', () => {
  const { registry, objects } = synth();
  const deployment = find(objects, 'Deployment', 'harbor-nginx');
  const c = container(deployment, 'nginx');
  const conf: string = find(objects, 'ConfigMap', 'harbor-nginx').data['nginx.conf'];

  test('image, port, entry Service named like the install (80 -> 8080, ClusterIP)', () => {
    expect(c.image).toBe('docker.io/goharbor/nginx-photon:v2.14.4');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080]);
    const service = find(objects, 'Service', 'harbor');
    expect(service.spec.type).toBe('ClusterIP');
    expect(servicePorts(service)).toEqual(['http 80->8080']);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(registry.entryServiceName).toBe('harbor');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
    expect(mounts(c)['/etc/nginx/nginx.conf']).toBe('config:nginx.conf');
  });

  test('upstreams are the core and portal Services; the chart routes; unlimited, unbuffered bodies', () => {
    expect(conf).toContain('server "harbor-core:80";');
    expect(conf).toContain('server harbor-portal:80;');
    for (const path of ['/api/', '/c/', '/v2/', '/service/']) expect(conf).toContain(`location ${path} {\n      proxy_pass http://core${path};`);
    expect(conf).toContain('location / {\n      proxy_pass http://portal/;');
    expect(conf).toContain('location /v1/ {\n      return 404;');
    expect(conf).toContain('location /service/notifications {\n      return 404;');
    expect(conf).toContain('client_max_body_size 0;');
    expect(conf.match(/proxy_request_buffering off;/g)).toHaveLength(5);
    // /v2/ keeps the client's host:port and waits 15 minutes for large layers.
    const v2 = conf.slice(conf.indexOf('location /v2/'), conf.indexOf('location /service/ '));
    expect(v2).toContain('proxy_set_header Host $http_host;');
    expect(v2).toContain('proxy_send_timeout 900;');
    expect(v2).toContain('proxy_read_timeout 900;');
  });

  test('nodePort exposure: NodePort Service with the chosen node port', () => {
    const { objects: o } = synth({ exposure: HarborExposure.nodePort({ httpNodePort: 30080 }), externalURL: 'http://192.168.1.10:30080' });
    const service = find(o, 'Service', 'harbor');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }]);
  });

  test('ingress exposure: no nginx at all', () => {
    const { registry: r, objects: o } = synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com' }) });
    expect(has(o, 'Deployment', 'harbor-nginx')).toBe(false);
    expect(has(o, 'Service', 'harbor')).toBe(false);
    expect(has(o, 'ConfigMap', 'harbor-nginx')).toBe(false);
    expect(r.entryServiceName).toBeUndefined();
    expect(r.ingressName).toBe('harbor-ingress');
  });
});

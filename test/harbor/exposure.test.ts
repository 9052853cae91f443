import { Testing } from 'cdk8s';
import { container, envMap, expectNames, find, propErrorOf, synth } from './helpers';
import { HarborExposure } from '../../src/harbor/exposure';
import { HarborModelRegistry, HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';

const LARGE_UPLOADS = {
  'nginx.ingress.kubernetes.io/proxy-body-size': '0',
  'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
  'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
  'nginx.ingress.kubernetes.io/proxy-read-timeout': '900',
  'nginx.ingress.kubernetes.io/proxy-send-timeout': '900',
};

function construct(props: HarborModelRegistryProps): HarborModelRegistry {
  return new HarborModelRegistry(Testing.chart(), 'harbor', props);
}

function extEndpoint(objects: any[], name = 'harbor'): string {
  return envMap(container(find(objects, 'Deployment', `${name}-core`))).EXT_ENDPOINT;
}

describe('external URL and registry host', () => {
  test('clusterIP (default): http://<name>.<namespace>.svc', () => {
    const { registry, objects } = synth({ namespace: 'registry', name: 'models' });
    expect(registry.externalURL).toBe('http://models.registry.svc');
    expect(registry.registryHost).toBe('models.registry.svc');
    expect(registry.coreUrl).toBe('http://models-core.registry.svc:80');
    expect(extEndpoint(objects, 'models')).toBe('http://models.registry.svc');
  });

  test('clusterIP with an explicit http URL (e.g. a proxy in front)', () => {
    const { registry } = synth({ externalURL: 'http://harbor.lan:8080' });
    expect(registry.registryHost).toBe('harbor.lan:8080');
  });

  test('nodePort: the URL is required and must use the node port', () => {
    const { registry, objects } = synth({ exposure: HarborExposure.nodePort(), externalURL: 'http://192.168.1.10:30002' });
    expect(registry.registryHost).toBe('192.168.1.10:30002');
    expect(extEndpoint(objects)).toBe('http://192.168.1.10:30002');
    expectNames(propErrorOf(() => construct({ exposure: HarborExposure.nodePort() })), 'externalURL', 'undefined');
    const error = propErrorOf(() => construct({ exposure: HarborExposure.nodePort({ httpNodePort: 30080 }), externalURL: 'http://192.168.1.10:30002' }));
    expectNames(error, 'externalURL', '"http://192.168.1.10:30002"');
    expect(error.fix).toContain('http://192.168.1.10:30080');
  });

  test('ingress: http(s)://<host> by default, per TLS', () => {
    expect(synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com' }) }).registry.externalURL).toBe('http://harbor.example.com');
    const tls = synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }) });
    expect(tls.registry.externalURL).toBe('https://harbor.example.com');
    expect(tls.registry.registryHost).toBe('harbor.example.com');
    expect(extEndpoint(tls.objects)).toBe('https://harbor.example.com');
  });

  test('ingress: an explicit port is kept in the registry host (harbor#5291 for plain HTTP)', () => {
    const { registry } = synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com' }), externalURL: 'http://harbor.example.com:80' });
    expect(registry.registryHost).toBe('harbor.example.com:80');
  });

  test('mismatches throw: TLS Secret with an http URL, https without TLS, another host', () => {
    const tls = HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' });
    const httpWithTls = propErrorOf(() => construct({ exposure: tls, externalURL: 'http://harbor.example.com' }));
    expectNames(httpWithTls, 'externalURL', '"http://harbor.example.com"');
    expect(httpWithTls.allowed).toContain('https://');
    expect(httpWithTls.allowed).toContain('harbor-tls');
    const plain = HarborExposure.ingress({ host: 'harbor.example.com' });
    expectNames(propErrorOf(() => construct({ exposure: plain, externalURL: 'https://harbor.example.com' })), 'externalURL', '"https://harbor.example.com"');
    const otherHost = propErrorOf(() => construct({ exposure: tls, externalURL: 'https://registry.example.com' }));
    expectNames(otherHost, 'externalURL', '"https://registry.example.com"');
    expect(otherHost.allowed).toContain('"harbor.example.com"');
    expectNames(propErrorOf(() => construct({ externalURL: 'https://harbor.harbor.svc' })), 'externalURL', '"https://harbor.harbor.svc"');
  });

  test('projects tell clients how to reach the registry: plain HTTP and entry pods per exposure', () => {
    const clusterIP = construct({}).addProject('ml-models');
    expect(clusterIP.plainHttp).toBe(true);
    expect(clusterIP.harborNamespace).toBe('harbor');
    expect(clusterIP.entryPodLabels).toEqual({ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'harbor', 'app.kubernetes.io/component': 'nginx' });
    expect(clusterIP.ingressControllerNamespace).toBeUndefined();

    const tls = construct({ namespace: 'registry', exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }), ingressControllerNamespace: 'ingress' });
    const models = tls.addProject('ml-models');
    expect(models.plainHttp).toBe(false);
    expect(models.harborNamespace).toBe('registry');
    expect(models.entryPodLabels).toEqual(tls.corePodLabels);
    expect(models.ingressControllerNamespace).toBe('ingress');

    expect(construct({ exposure: HarborExposure.ingress({ host: 'harbor.example.com' }) }).addProject('ml-models').plainHttp).toBe(true);
  });

  test('malformed URLs throw', () => {
    for (const url of ['harbor.example.com', 'http://harbor.example.com/', 'http://harbor.example.com/path', 'ftp://harbor', 'http://Harbor.example.com']) {
      expectNames(propErrorOf(() => construct({ externalURL: url })), 'externalURL', JSON.stringify(url));
    }
  });
});

describe('Ingress exposure', () => {
  test('paths to core and portal, class, large-upload annotations, no ssl-redirect without TLS', () => {
    const { objects } = synth({ exposure: HarborExposure.ingress({ host: 'harbor.example.com', className: 'nginx' }) });
    const ingress = find(objects, 'Ingress', 'harbor-ingress');
    expect(ingress.metadata.annotations).toEqual(LARGE_UPLOADS);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.rules).toEqual([{
      host: 'harbor.example.com',
      http: {
        paths: [['/api/', 'harbor-core'], ['/service/', 'harbor-core'], ['/v2/', 'harbor-core'], ['/c/', 'harbor-core'], ['/', 'harbor-portal']].map(([path, name]) => ({
          path, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } },
        })),
      },
    }]);
  });

  test('TLS: tls block for the host and ssl-redirect; user annotations win', () => {
    const { objects } = synth({
      exposure: HarborExposure.ingress({
        host: 'harbor.example.com',
        tlsSecretName: 'harbor-tls',
        annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600', 'cert-manager.io/cluster-issuer': 'letsencrypt' },
      }),
    });
    const ingress = find(objects, 'Ingress', 'harbor-ingress');
    expect(ingress.spec.tls).toEqual([{ secretName: 'harbor-tls', hosts: ['harbor.example.com'] }]);
    expect(ingress.metadata.annotations).toEqual({
      ...LARGE_UPLOADS,
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
  });

  test('an ingress without host throws', () => {
    const error = propErrorOf(() => construct({ exposure: HarborExposure.ingress({} as any) }));
    expectNames(error, 'exposure.host', 'undefined');
    expect(error.fix).toContain('host');
    expectNames(propErrorOf(() => construct({ exposure: HarborExposure.ingress({ host: '' }) })), 'exposure.host', '""');
    expectNames(propErrorOf(() => construct({ exposure: HarborExposure.ingress({ host: 'Harbor_Example' }) })), 'exposure.host', '"Harbor_Example"');
  });

  test('node ports outside 30000-32767 throw', () => {
    expectNames(propErrorOf(() => construct({ exposure: HarborExposure.nodePort({ httpNodePort: 80 }), externalURL: 'http://10.0.0.1:80' })), 'exposure.httpNodePort', '80');
  });
});

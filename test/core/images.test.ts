import { ExecutableProvider, ImageCatalog, PlatformImage } from '../../src';

describe('PlatformImage catalog', () => {
  test('every image is pinned to a release tag and keys are unique', () => {
    const images = PlatformImage.all();
    expect(images.length).toBeGreaterThanOrEqual(17);
    for (const image of images) {
      expect(ImageCatalog.isPinned(image.reference)).toBe(true);
    }
    expect(new Set(images.map((i) => i.key)).size).toBe(images.length);
  });

  test('covers every component the platform runs', () => {
    const repositories = PlatformImage.all().map((i) => i.repository);
    expect(repositories).toEqual(expect.arrayContaining([
      'chrislusf/seaweedfs',
      'goharbor/harbor-core', 'goharbor/harbor-portal', 'goharbor/harbor-jobservice', 'goharbor/registry-photon',
      'goharbor/harbor-registryctl', 'goharbor/harbor-db', 'goharbor/redis-photon', 'goharbor/trivy-adapter-photon',
      'goharbor/harbor-exporter', 'goharbor/nginx-photon', 'goharbor/prepare',
      'velero/velero', 'velero/velero-plugin-for-aws',
      'ggml-org/llama.cpp', 'oras-project/oras',
    ]));
    const llama = PlatformImage.all().filter((i) => i.repository === 'ggml-org/llama.cpp').map((i) => i.tag);
    expect(llama).toEqual([expect.stringMatching(/^server-b\d+$/), expect.stringMatching(/^server-cuda-b\d+$/)]);
  });

  test('Harbor components share one version', () => {
    const tags = new Set(PlatformImage.all().filter((i) => i.repository.startsWith('goharbor/')).map((i) => i.tag));
    expect([...tags]).toEqual(['v2.14.4']);
  });
});

describe('ImageCatalog', () => {
  test('an override of the former kubectl image says to remove it', () => {
    expect(() => new ImageCatalog({ overrides: { kubectl: 'registry.k8s.io/kubectl:v1.35.3' } }))
      .toThrow(/overrides\.kubectl.*remove it: no container runs the kubectl image any more/s);
  });

  test('resolves upstream references by default', () => {
    expect(new ImageCatalog().resolve(PlatformImage.SEAWEEDFS)).toBe('docker.io/chrislusf/seaweedfs:3.73');
  });

  test('a registry prefix replaces the upstream registry of every image', () => {
    const catalog = new ImageCatalog({ registryPrefix: 'harbor.local:8443/mirror/' });
    for (const image of PlatformImage.all()) {
      expect(catalog.resolve(image)).toBe(`harbor.local:8443/mirror/${image.repository}:${image.tag}`);
    }
  });

  test('a construct-chosen version replaces the tag', () => {
    expect(new ImageCatalog().resolve(PlatformImage.SEAWEEDFS, '3.80')).toBe('docker.io/chrislusf/seaweedfs:3.80');
  });

  test('overrides win and are used verbatim', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const catalog = new ImageCatalog({ registryPrefix: 'mirror.local', overrides: { seaweedfs: `registry.local/sw@${digest}` } });
    expect(catalog.resolve(PlatformImage.SEAWEEDFS)).toBe(`registry.local/sw@${digest}`);
    expect(catalog.resolve(PlatformImage.VELERO)).toBe('mirror.local/velero/velero:v1.18.1');
  });

  test.each(['latest', 'server', 'server-cuda', 'main'])('rejects the moving tag %s as a version', (tag) => {
    expect(() => new ImageCatalog().resolve(PlatformImage.LLAMA_CPP_SERVER, tag)).toThrow(/ImageCatalog 'llama-cpp-server tag': got ".*", expected a release tag/);
  });

  test('rejects overrides without a pinned tag or digest', () => {
    expect(() => new ImageCatalog({ overrides: { seaweedfs: 'registry.local/seaweedfs' } }))
      .toThrow(/ImageCatalog 'overrides.seaweedfs': got "registry.local\/seaweedfs", expected an image reference with a release tag/);
    expect(() => new ImageCatalog({ overrides: { seaweedfs: 'registry.local/seaweedfs:latest' } })).toThrow(/Fix: pin a release tag/);
  });

  test('rejects overrides for keys that are not in the catalog', () => {
    expect(() => new ImageCatalog({ overrides: { 'sea-weed': 'r/x:1' } })).toThrow(/ImageCatalog 'overrides.sea-weed': got "sea-weed", expected a catalog key: seaweedfs, harbor-core/);
  });

  test('rejects a registry prefix with a scheme', () => {
    expect(() => new ImageCatalog({ registryPrefix: 'https://mirror.local' })).toThrow(/ImageCatalog 'registryPrefix': got "https:\/\/mirror.local"/);
  });

  test('isPinned distinguishes tags, digests and moving tags', () => {
    expect(ImageCatalog.isPinned('docker.io/velero/velero:v1.18.1')).toBe(true);
    expect(ImageCatalog.isPinned('registry.local:5000/velero')).toBe(false);
    expect(ImageCatalog.isPinned('ghcr.io/ggml-org/llama.cpp:server')).toBe(false);
    expect(ImageCatalog.isPinned(`ghcr.io/ggml-org/llama.cpp@sha256:${'0'.repeat(64)}`)).toBe(true);
  });
});

describe('PlatformImage contents', () => {
  const SOURCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s#]+(#L\d+(-L\d+)?)?$/;

  test('every image declares its base, user, start command and executables, each with upstream sources', () => {
    for (const image of PlatformImage.all()) {
      const c = image.contents;
      const where = `${image.key}`;
      expect({ where, base: c.base }).toEqual({ where, base: expect.stringMatching(/\S/) });
      const sources = [...c.baseSources, ...c.user.sources, ...c.startSources, ...c.executables.flatMap((e) => e.sources)];
      expect(c.baseSources.length * c.user.sources.length * c.startSources.length).toBeGreaterThan(0);
      for (const source of sources) expect({ where, source }).toEqual({ where, source: expect.stringMatching(SOURCE) });
      expect(c.executables.length).toBeGreaterThan(0);
      for (const e of c.executables) {
        expect({ where, path: e.path, sources: e.sources.length > 0 }).toEqual({ where, path: expect.stringMatching(/^\/[^\s]+[^/]$/), sources: true });
      }
      expect(new Set(c.executables.map((e) => e.path)).size).toBe(c.executables.length);
    }
  });

  test('the bootstrap and setup image (goharbor/prepare) has bash as sh, python3, curl, openssl, htpasswd and GNU tr', () => {
    const prepare = PlatformImage.HARBOR_PREPARE;
    expect(prepare.executable('/bin/sh')).toMatchObject({ provider: ExecutableProvider.BASH });
    expect(prepare.executable('python3')).toMatchObject({ path: '/usr/bin/python3', provider: ExecutableProvider.PYTHON3 });
    for (const tool of ['curl', 'openssl', 'htpasswd']) expect(prepare.executable(tool)).toMatchObject({ provider: ExecutableProvider.OS_PACKAGE });
    expect(prepare.executable('tr')).toMatchObject({ provider: ExecutableProvider.GNU_COREUTILS });
    expect(prepare.executable('grep')).toMatchObject({ provider: ExecutableProvider.TOYBOX });
    // No script in it calls sed: not declared.
    expect(prepare.executable('sed')).toBeUndefined();
    expect(prepare.executable('awk')).toBeUndefined();
    expect(prepare.contents.user).toMatchObject({ uid: 0 });
  });

  test('executable() finds absolute paths, and bare names only in the standard PATH directories', () => {
    expect(PlatformImage.ORAS.executable('/bin/oras')).toMatchObject({ provider: ExecutableProvider.IMAGE });
    expect(PlatformImage.ORAS.executable('oras')).toMatchObject({ path: '/bin/oras' });
    expect(PlatformImage.ORAS.executable('awk')).toMatchObject({ path: '/usr/bin/awk', provider: ExecutableProvider.BUSYBOX });
    expect(PlatformImage.ORAS.executable('/bin/awk')).toBeUndefined();
    expect(PlatformImage.LLAMA_CPP_SERVER.executable('/app/llama-server')).toBeDefined();
    expect(PlatformImage.LLAMA_CPP_SERVER.executable('llama-server')).toBeUndefined();
    expect(PlatformImage.VELERO_PLUGIN_AWS.executable('cp-plugin')).toMatchObject({ path: '/bin/cp-plugin' });
    expect(PlatformImage.ORAS.executable('bin/oras')).toBeUndefined();
    expect(PlatformImage.ORAS.executable('')).toBeUndefined();
  });
});

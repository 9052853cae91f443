/**
 * The facts of every catalog image (see `ImageContents`), read from the upstream Dockerfiles
 * and package specs at the pinned tags. Internal: users read them through `PlatformImage.contents`.
 */
import { ExecutableProvider, ImageContents, ImageExecutable, ImageUser } from './image-contents';

// ---------------------------------------------------------------------------------------------
// Sources

const HARBOR_TAG = 'v2.14.4';
const harbor = (file: string, lines: string): string => `goharbor/harbor@${HARBOR_TAG}:make/photon/${file}#${lines}`;
const photon = (file: string, lines: string): string => `vmware/photon@5.0:${file}#${lines}`;

/** goharbor/photon:5.0 ships these packages (bash, toybox, curl ...). */
const PHOTON_PACKAGES = photon('support/dockerfiles/photon/make-docker-image.sh', 'L32-L36');
/** /bin -> usr/bin, so /bin/x and /usr/bin/x are one file on Photon. */
const PHOTON_BIN_LINK = photon('SPECS/filesystem/filesystem.spec', 'L48');
const PHOTON_SH_IS_BASH = photon('SPECS/bash/bash.spec', 'L84');

const PHOTON_SH: ImageExecutable = {
  path: '/bin/sh',
  provider: ExecutableProvider.BASH,
  sources: [PHOTON_PACKAGES, PHOTON_SH_IS_BASH, PHOTON_BIN_LINK],
  note: 'bash started as sh (POSIX mode)',
};

/** Lines of config-toybox enabling the applets we use. */
const TOYBOX_CONFIG_LINE: { [applet: string]: string } = { grep: 'L38', sed: 'L74' };

function toybox(applet: string): ImageExecutable {
  const line = TOYBOX_CONFIG_LINE[applet];
  if (line === undefined) throw new Error(`image-contents: no config-toybox line recorded for ${applet}`);
  return {
    path: `/usr/bin/${applet}`,
    provider: ExecutableProvider.TOYBOX,
    sources: [PHOTON_PACKAGES, photon('SPECS/toybox/config-toybox', line)],
    note: 'toybox 0.8.9',
  };
}

function gnuCoreutils(tool: string, sources: string[]): ImageExecutable {
  return { path: `/usr/bin/${tool}`, provider: ExecutableProvider.GNU_COREUTILS, sources };
}

/**
 * Install directory of each busybox applet we use, and the file whose `//applet:` line sets it
 * (unchanged between 1.36.1 and the 1.37.0 development branch, mirror/busybox@371fe9f71).
 */
const BUSYBOX_APPLETS: { [applet: string]: { readonly dir: '/bin' | '/usr/bin'; readonly file: string } } = {
  sh: { dir: '/bin', file: 'shell/ash.c' },
  awk: { dir: '/usr/bin', file: 'editors/awk.c' },
  base64: { dir: '/bin', file: 'coreutils/uudecode.c' },
  cat: { dir: '/bin', file: 'coreutils/cat.c' },
  chmod: { dir: '/bin', file: 'coreutils/chmod.c' },
  cp: { dir: '/bin', file: 'coreutils/cp.c' },
  df: { dir: '/bin', file: 'coreutils/df.c' },
  dirname: { dir: '/usr/bin', file: 'coreutils/dirname.c' },
  find: { dir: '/usr/bin', file: 'findutils/find.c' },
  flock: { dir: '/usr/bin', file: 'util-linux/flock.c' },
  grep: { dir: '/bin', file: 'findutils/grep.c' },
  head: { dir: '/usr/bin', file: 'coreutils/head.c' },
  ln: { dir: '/bin', file: 'coreutils/ln.c' },
  mkdir: { dir: '/bin', file: 'coreutils/mkdir.c' },
  mktemp: { dir: '/bin', file: 'coreutils/mktemp.c' },
  mv: { dir: '/bin', file: 'coreutils/mv.c' },
  readlink: { dir: '/usr/bin', file: 'coreutils/readlink.c' },
  rm: { dir: '/bin', file: 'coreutils/rm.c' },
  sed: { dir: '/bin', file: 'editors/sed.c' },
  sha256sum: { dir: '/usr/bin', file: 'coreutils/md5_sha1_sum.c' },
  sleep: { dir: '/bin', file: 'coreutils/sleep.c' },
  stat: { dir: '/bin', file: 'coreutils/stat.c' },
  sync: { dir: '/bin', file: 'coreutils/sync.c' },
  tail: { dir: '/usr/bin', file: 'coreutils/tail.c' },
  timeout: { dir: '/usr/bin', file: 'coreutils/timeout.c' },
  tr: { dir: '/usr/bin', file: 'coreutils/tr.c' },
  wc: { dir: '/usr/bin', file: 'coreutils/wc.c' },
  wget: { dir: '/usr/bin', file: 'networking/wget.c' },
};

/** Busybox applets of an Alpine image, enabled by Alpine's busybox configuration (`presence`). */
function busybox(applets: string[], presence: string): ImageExecutable[] {
  return applets.map((applet) => {
    const known = BUSYBOX_APPLETS[applet];
    if (known === undefined) throw new Error(`image-contents: no install directory recorded for busybox applet ${applet}`);
    return {
      path: `${known.dir}/${applet}`,
      provider: ExecutableProvider.BUSYBOX,
      sources: [presence, `mirror/busybox@1_36_1:${known.file}`],
      ...(applet === 'sh' ? { note: 'busybox ash' } : {}),
    };
  });
}

const ALPINE_BUSYBOX = 'alpinelinux/aports@3.24-stable:main/busybox/busyboxconfig';

// ---------------------------------------------------------------------------------------------
// Harbor (every image FROM goharbor/photon:5.0)

function harborImage(component: string, facts: {
  readonly user: ImageUser;
  readonly entrypoint?: string[];
  readonly cmd?: string[];
  readonly workingDir?: string;
  readonly startSources: string[];
  readonly executables: ImageExecutable[];
  readonly notes?: string;
}): ImageContents {
  return {
    base: 'goharbor/photon:5.0',
    baseSources: [harbor(`${component}/Dockerfile.base`, 'L1'), PHOTON_PACKAGES],
    user: facts.user,
    entrypoint: facts.entrypoint ?? [],
    cmd: facts.cmd ?? [],
    ...(facts.workingDir !== undefined ? { workingDir: facts.workingDir } : {}),
    startSources: facts.startSources,
    executables: facts.executables,
    ...(facts.notes !== undefined ? { notes: facts.notes } : {}),
  };
}

function ownProgram(path: string, ...sources: string[]): ImageExecutable {
  return { path, provider: ExecutableProvider.IMAGE, sources };
}

const HARBOR_USER = (component: string, baseLines: string, userLine: string): ImageUser => ({
  uid: 10000,
  gid: 10000,
  name: 'harbor',
  sources: [harbor(`${component}/Dockerfile.base`, baseLines), harbor(`${component}/Dockerfile`, userLine)],
});

const NGINX_NOTE = 'nginx is looked up on PATH (CMD ["nginx", "-g", "daemon off;"])';

export const HARBOR_CORE_CONTENTS = harborImage('core', {
  user: HARBOR_USER('core', 'L5', 'L20'),
  entrypoint: ['/harbor/entrypoint.sh'],
  workingDir: '/harbor/',
  startSources: [harbor('core/Dockerfile', 'L19-L21')],
  executables: [ownProgram('/harbor/entrypoint.sh', harbor('core/Dockerfile', 'L7'), harbor('core/Dockerfile', 'L21'))],
  notes: 'Also contains bash (/bin/sh), curl and toybox (no tr, no awk); the platform runs only its entrypoint.',
});

export const HARBOR_PORTAL_CONTENTS = harborImage('portal', {
  user: { uid: 10000, gid: 10000, name: 'nginx', sources: [harbor('portal/Dockerfile.base', 'L7'), harbor('portal/Dockerfile', 'L36')] },
  cmd: ['nginx', '-g', 'daemon off;'],
  startSources: [harbor('portal/Dockerfile', 'L37')],
  executables: [{
    path: '/usr/sbin/nginx',
    provider: ExecutableProvider.OS_PACKAGE,
    sources: [harbor('portal/Dockerfile.base', 'L3'), photon('SPECS/nginx/nginx.spec', 'L107')],
    note: NGINX_NOTE,
  }],
});

export const HARBOR_JOBSERVICE_CONTENTS = harborImage('jobservice', {
  user: HARBOR_USER('jobservice', 'L5', 'L18'),
  entrypoint: ['/harbor/entrypoint.sh'],
  workingDir: '/harbor/',
  startSources: [harbor('jobservice/Dockerfile', 'L16'), harbor('jobservice/Dockerfile', 'L24')],
  executables: [ownProgram('/harbor/entrypoint.sh', harbor('jobservice/Dockerfile', 'L6'), harbor('jobservice/Dockerfile', 'L24'))],
});

export const HARBOR_REGISTRY_CONTENTS = harborImage('registry', {
  user: HARBOR_USER('registry', 'L6', 'L16'),
  entrypoint: ['/home/harbor/entrypoint.sh'],
  startSources: [harbor('registry/Dockerfile', 'L18')],
  executables: [ownProgram('/home/harbor/entrypoint.sh', harbor('registry/Dockerfile', 'L6'), harbor('registry/Dockerfile', 'L18'))],
});

export const HARBOR_REGISTRYCTL_CONTENTS = harborImage('registryctl', {
  user: HARBOR_USER('registryctl', 'L5', 'L23'),
  entrypoint: ['/home/harbor/start.sh'],
  startSources: [harbor('registryctl/Dockerfile', 'L21')],
  executables: [ownProgram('/home/harbor/start.sh', harbor('registryctl/Dockerfile', 'L7'), harbor('registryctl/Dockerfile', 'L21'))],
});

export const HARBOR_DATABASE_CONTENTS = harborImage('db', {
  user: { uid: 999, gid: 999, name: 'postgres', sources: [harbor('db/Dockerfile.base', 'L5-L7'), harbor('db/Dockerfile', 'L19')] },
  entrypoint: ['/docker-entrypoint.sh', '14', '15'],
  startSources: [harbor('db/Dockerfile', 'L16')],
  executables: [
    ownProgram('/docker-entrypoint.sh', harbor('db/Dockerfile', 'L7'), harbor('db/Dockerfile', 'L16')),
    PHOTON_SH,
    {
      path: '/usr/bin/chmod',
      provider: ExecutableProvider.GNU_COREUTILS,
      sources: [harbor('db/Dockerfile.base', 'L20'), harbor('db/Dockerfile', 'L12-L14')],
      note: 'toybox is erased from this image; the Dockerfile still runs chmod afterwards',
    },
  ],
  notes: 'No toybox (erased): only bash builtins, coreutils, findutils and util-linux.',
});

export const HARBOR_REDIS_CONTENTS = harborImage('redis', {
  user: { uid: 999, gid: 999, name: 'redis', sources: [harbor('redis/Dockerfile.base', 'L3-L5'), harbor('redis/Dockerfile', 'L13')] },
  cmd: ['redis-server', '/etc/redis.conf'],
  workingDir: '/var/lib/redis',
  startSources: [harbor('redis/Dockerfile', 'L6'), harbor('redis/Dockerfile', 'L14')],
  executables: [{
    path: '/usr/bin/redis-server',
    provider: ExecutableProvider.OS_PACKAGE,
    sources: [harbor('redis/Dockerfile.base', 'L6'), photon('SPECS/redis/redis.spec', 'L42')],
    note: 'looked up on PATH (CMD ["redis-server", "/etc/redis.conf"])',
  }],
});

export const HARBOR_TRIVY_CONTENTS = harborImage('trivy-adapter', {
  user: { uid: 10000, gid: 10000, name: 'scanner', sources: [harbor('trivy-adapter/Dockerfile.base', 'L5-L6'), harbor('trivy-adapter/Dockerfile', 'L23')] },
  entrypoint: ['/home/scanner/entrypoint.sh'],
  startSources: [harbor('trivy-adapter/Dockerfile', 'L25')],
  executables: [ownProgram('/home/scanner/entrypoint.sh', harbor('trivy-adapter/Dockerfile', 'L8'), harbor('trivy-adapter/Dockerfile', 'L25'))],
});

export const HARBOR_EXPORTER_CONTENTS = harborImage('exporter', {
  user: HARBOR_USER('exporter', 'L5', 'L27'),
  entrypoint: ['/harbor/entrypoint.sh'],
  workingDir: '/harbor',
  startSources: [harbor('exporter/Dockerfile', 'L26'), harbor('exporter/Dockerfile', 'L29')],
  executables: [ownProgram('/harbor/entrypoint.sh', harbor('exporter/Dockerfile', 'L18'), harbor('exporter/Dockerfile', 'L29'))],
});

export const HARBOR_NGINX_CONTENTS = harborImage('nginx', {
  user: { uid: 10000, gid: 10000, name: 'nginx', sources: [harbor('nginx/Dockerfile.base', 'L5'), harbor('nginx/Dockerfile', 'L11')] },
  cmd: ['nginx', '-g', 'daemon off;'],
  startSources: [harbor('nginx/Dockerfile', 'L13')],
  executables: [{
    path: '/usr/sbin/nginx',
    provider: ExecutableProvider.OS_PACKAGE,
    sources: [harbor('nginx/Dockerfile.base', 'L3'), photon('SPECS/nginx/nginx.spec', 'L107')],
    note: NGINX_NOTE,
  }],
});

/** python3-libs requires coreutils, so Photon's GNU coreutils replace toybox's applets in prepare. */
const PREPARE_COREUTILS = [harbor('prepare/Dockerfile.base', 'L3'), photon('SPECS/python3/python3.spec', 'L76')];

export const HARBOR_PREPARE_CONTENTS = harborImage('prepare', {
  user: { uid: 0, gid: 0, name: 'root', sources: [harbor('prepare/Dockerfile', 'L1-L17')] },
  entrypoint: ['python3', 'main.py'],
  workingDir: '/usr/src/app',
  startSources: [harbor('prepare/Dockerfile', 'L7'), harbor('prepare/Dockerfile', 'L15')],
  executables: [
    PHOTON_SH,
    {
      path: '/usr/bin/python3',
      provider: ExecutableProvider.PYTHON3,
      sources: [harbor('prepare/Dockerfile.base', 'L3'), harbor('prepare/Dockerfile', 'L15')],
      note: 'Python 3.11; our scripts use its standard library only',
    },
    {
      path: '/usr/bin/curl',
      provider: ExecutableProvider.OS_PACKAGE,
      sources: [PHOTON_PACKAGES],
    },
    {
      path: '/usr/bin/openssl',
      provider: ExecutableProvider.OS_PACKAGE,
      sources: [harbor('prepare/Dockerfile.base', 'L3'), photon('SPECS/python3/python3.spec', 'L50')],
    },
    {
      path: '/usr/bin/htpasswd',
      provider: ExecutableProvider.OS_PACKAGE,
      sources: [harbor('prepare/Dockerfile.base', 'L6-L8')],
      note: 'extracted alone from the httpd package (bcrypt with -B)',
    },
    ...['base64', 'cat', 'date', 'head', 'mkdir', 'mktemp', 'rm', 'sleep', 'tr', 'wc'].map((tool) => gnuCoreutils(tool, PREPARE_COREUTILS)),
    toybox('grep'),
  ],
  notes: 'Runs as root unless the pod sets a user. No awk, no jq, no kubectl: the bootstrap and setup Jobs call the Kubernetes API from python3.',
});

// ---------------------------------------------------------------------------------------------
// Other projects

const SEAWEEDFS_DOCKERFILE = (lines: string): string => `seaweedfs/seaweedfs@3.73:docker/Dockerfile.go_build#${lines}`;

export const SEAWEEDFS_CONTENTS: ImageContents = {
  base: 'alpine',
  baseSources: [SEAWEEDFS_DOCKERFILE('L12')],
  user: { uid: 0, gid: 0, name: 'root', sources: [SEAWEEDFS_DOCKERFILE('L12-L44')] },
  entrypoint: ['/entrypoint.sh'],
  cmd: [],
  workingDir: '/data',
  startSources: [SEAWEEDFS_DOCKERFILE('L40'), SEAWEEDFS_DOCKERFILE('L44')],
  executables: [
    ownProgram('/usr/bin/weed', SEAWEEDFS_DOCKERFILE('L14')),
    // create-buckets.sh and build-identities.sh
    ...busybox(['sh', 'awk', 'cat', 'grep', 'head', 'mktemp', 'mv', 'rm', 'sed', 'sleep', 'timeout', 'tr', 'wc'], ALPINE_BUSYBOX),
  ],
  notes: '`FROM alpine` is not pinned upstream (and the build clones seaweedfs master); the Alpine release depends on when the tag was built.',
};

export const ORAS_CONTENTS: ImageContents = {
  base: 'docker.io/library/alpine:3.24.1',
  baseSources: ['oras-project/oras@v1.3.3:Dockerfile#L23-L24'],
  user: { uid: 0, gid: 0, name: 'root', sources: ['oras-project/oras@v1.3.3:Dockerfile#L23-L28'] },
  entrypoint: ['/bin/oras'],
  cmd: [],
  workingDir: '/workspace',
  startSources: ['oras-project/oras@v1.3.3:Dockerfile#L27-L28'],
  executables: [
    ownProgram('/bin/oras', 'oras-project/oras@v1.3.3:Dockerfile#L25'),
    // import-model.sh and model-cache.sh
    ...busybox([
      'sh', 'awk', 'base64', 'cat', 'chmod', 'cp', 'df', 'dirname', 'find', 'flock', 'grep', 'ln', 'mkdir', 'mktemp', 'mv',
      'readlink', 'rm', 'sed', 'sha256sum', 'sleep', 'stat', 'sync', 'tail', 'timeout', 'tr', 'wc', 'wget',
    ], ALPINE_BUSYBOX),
  ],
  notes: 'busybox 1.37 with wget https through /usr/bin/ssl_client; ca-certificates installed.',
};

const CURL_TAG = '8.21.0';
const curlContainer = (file: string, lines: string): string => `curl/curl-container@${CURL_TAG}:${file}#${lines}`;

export const CURL_CONTENTS: ImageContents = {
  base: 'docker.io/alpine:3.24.1',
  baseSources: [curlContainer('Makefile', 'L8'), curlContainer('Makefile', 'L56-L59')],
  user: {
    name: 'curl_user',
    sources: [curlContainer('create_base_image.sh', 'L93-L95'), curlContainer('create_appliance_image.sh', 'L35-L36')],
  },
  entrypoint: ['/entrypoint.sh'],
  cmd: ['curl'],
  workingDir: '/home/curl_user',
  startSources: [curlContainer('create_base_image.sh', 'L97-L103'), curlContainer('create_appliance_image.sh', 'L44')],
  executables: [
    ownProgram('/usr/bin/curl', curlContainer('create_base_image.sh', 'L75')),
    // download-model.sh
    ...busybox(['sh', 'cat', 'mkdir', 'mktemp', 'mv', 'rm', 'sed', 'sha256sum', 'sleep', 'stat'], ALPINE_BUSYBOX),
  ],
  notes: 'curl built from source (openssl, nghttp2) with CA bundle /cacert.pem (CURL_CA_BUNDLE); curl_user has no fixed uid (adduser -S), so pods set runAsUser.',
};

const VELERO_DOCKERFILE = (lines: string): string => `vmware-tanzu/velero@v1.18.1:Dockerfile#${lines}`;

export const VELERO_CONTENTS: ImageContents = {
  base: 'paketobuildpacks/run-jammy-tiny:0.2.129',
  baseSources: [VELERO_DOCKERFILE('L76')],
  user: { uid: 1002, gid: 1000, name: 'cnb', sources: [VELERO_DOCKERFILE('L84')] },
  entrypoint: [],
  cmd: [],
  startSources: [VELERO_DOCKERFILE('L76-L84')],
  executables: [ownProgram('/velero', VELERO_DOCKERFILE('L41-L44'), VELERO_DOCKERFILE('L80'))],
  notes: 'No shell: every container sets command /velero (server, node-agent, install --crds-only).',
};

const PLUGIN_DOCKERFILE = 'vmware-tanzu/velero-plugin-for-aws@v1.14.2:Dockerfile';

export const VELERO_PLUGIN_AWS_CONTENTS: ImageContents = {
  base: 'scratch',
  baseSources: [PLUGIN_DOCKERFILE],
  user: { uid: 65532, sources: [PLUGIN_DOCKERFILE] },
  entrypoint: ['cp-plugin', '/plugins/velero-plugin-for-aws', '/target/velero-plugin-for-aws'],
  cmd: [],
  startSources: [PLUGIN_DOCKERFILE],
  executables: [
    { ...ownProgram('/bin/cp-plugin', PLUGIN_DOCKERFILE), note: 'looked up on PATH (the entrypoint names it without a directory)' },
    { ...ownProgram('/plugins/velero-plugin-for-aws', PLUGIN_DOCKERFILE), note: 'copied to /target by cp-plugin; the Velero server runs it from /plugins' },
  ],
  notes: 'FROM scratch: nothing but the two binaries.',
};

const llamaCpp = (dockerfile: string, base: string): ImageContents => ({
  base,
  baseSources: [`ggml-org/llama.cpp@b8840:.devops/${dockerfile}`],
  user: { uid: 0, gid: 0, name: 'root', sources: [`ggml-org/llama.cpp@b8840:.devops/${dockerfile}`] },
  entrypoint: ['/app/llama-server'],
  cmd: [],
  workingDir: '/app',
  startSources: [`ggml-org/llama.cpp@b8840:.devops/${dockerfile}`],
  executables: [ownProgram('/app/llama-server', `ggml-org/llama.cpp@b8840:.devops/${dockerfile}`)],
  notes: 'Sets LLAMA_ARG_HOST=0.0.0.0; also has curl (libgomp1 and curl installed).',
});

export const LLAMA_CPP_SERVER_CONTENTS = llamaCpp('cpu.Dockerfile', 'ubuntu:24.04');
export const LLAMA_CPP_SERVER_CUDA_CONTENTS = llamaCpp('cuda.Dockerfile', 'nvidia/cuda:12.8.1-runtime-ubuntu24.04');

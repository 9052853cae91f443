/**
 * Every container of the synthesized platform runs only what its image contains: `command[0]` (or,
 * without a command, the image's entrypoint) is an executable the catalog declares for that image
 * (PlatformImage.contents), or a binary an earlier init container copied onto a shared volume.
 * Shell invocations need an image that declares the shell; `sh -c` command words must be declared
 * too, and a script must run in the image its PATH-jail tests use (CONTAINER_SCRIPT_IMAGES).
 */
import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildExamplePlatform, examplePlatformProps } from '../../examples/platform';
import { ImageExecutable, ModelFormat, ModelPlatform, ModelSource, PlatformImage, PlatformModel, PlatformRegistry, PlatformServiceOptions, SecretKeyReference } from '../../src';
import { CONTAINER_SCRIPT_IMAGES } from '../jail';

/** Builtins of every POSIX shell: not executables of the image. */
const SHELL_BUILTINS = new Set([':', '.', '[', 'cd', 'command', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'printf', 'read', 'return', 'set', 'shift', 'test', 'trap', 'true', 'umask', 'unset', 'wait']);

interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  readonly initContainers?: Container[];
  readonly containers: Container[];
}

/** A container's place: `Kind/namespace/name:container`. */
type Site = string;

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

function podSpecs(objects: any[]): { owner: string; spec: PodSpec }[] {
  const out: { owner: string; spec: PodSpec }[] = [];
  for (const o of objects) {
    const spec = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    if (WORKLOADS.includes(o.kind) || spec?.containers) {
      if (!spec?.containers?.length) throw new Error(`${o.kind}/${o.metadata.name}: no containers found in its pod template`);
      out.push({ owner: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, spec });
    }
  }
  return out;
}

/** The catalog entry of an image reference; the tag decides between entries of one repository (llama.cpp CPU/CUDA). */
function catalogImage(reference: string): PlatformImage | undefined {
  const withoutDigest = reference.replace(/@sha256:[a-f0-9]{64}$/, '');
  const tag = /:([^/:]+)$/.exec(withoutDigest)?.[1];
  const repository = tag === undefined ? withoutDigest : withoutDigest.slice(0, -tag.length - 1);
  const candidates = PlatformImage.all().filter((i) => repository === `${i.registry}/${i.repository}`);
  return candidates.length === 1 ? candidates[0] : candidates.find((i) => i.tag === tag);
}

/** First words of the simple commands of a `sh -c` string, or an error for anything not simple. */
function commandWords(script: string): string[] | string {
  if (/[`$(){}<>"'\\]/.test(script)) return `cannot check the command words of \`${script}\` (quotes, expansions or redirections)`;
  return script.split(/&&|\|\||[;|&\n]/).map((part) => part.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '').filter(Boolean);
}

function mountOf(container: Container, file: string): { name: string; relative: string } | undefined {
  const mounts = (container.volumeMounts ?? []).filter((m) => file.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  const mount = mounts.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return mount && { name: mount.name, relative: path.posix.relative(mount.mountPath, file) };
}

/**
 * Problems of every container that runs something its image does not declare, by site; `copies`
 * receives each binary an init container copied onto a volume (`volume:relative path`).
 */
function commandProblems(objects: any[], copies: Map<string, ImageExecutable> = new Map()): Map<Site, string[]> {
  const problems = new Map<Site, string[]>();
  for (const { owner, spec } of podSpecs(objects)) {
    const copied = new Map<string, ImageExecutable>();
    const containers = [...(spec.initContainers ?? []).map((c) => ({ c, init: true })), ...spec.containers.map((c) => ({ c, init: false }))];
    for (const { c, init } of containers) {
      const site = `${owner}:${c.name}`;
      const found: string[] = [];
      const image = catalogImage(c.image);
      if (!image) {
        problems.set(site, [`image ${c.image} is not in the catalog`]);
        continue;
      }
      const argv = [...(c.command ?? image.contents.entrypoint), ...(c.args ?? (c.command ? [] : image.contents.cmd))];
      if (argv.length === 0) {
        problems.set(site, [`sets no command and the ${image.key} image has no entrypoint or cmd`]);
        continue;
      }
      const fromVolume = argv[0].startsWith('/') ? mountOf(c, argv[0]) : undefined;
      const executable = image.executable(argv[0]) ?? (fromVolume && copied.get(`${fromVolume.name}:${fromVolume.relative}`));
      if (!executable) {
        found.push(`runs ${argv[0]}, which the ${image.key} image does not declare (declared: ${image.contents.executables.map((e) => e.path).join(' ')})`);
      } else if (['sh', 'bash'].includes(path.posix.basename(executable.path))) {
        if (argv[1] === '-c') {
          const words = commandWords(argv[2] ?? '');
          if (typeof words === 'string') {
            found.push(words);
          } else {
            for (const word of words.filter((w) => !SHELL_BUILTINS.has(w) && !image.executable(w))) {
              found.push(`its sh -c command calls ${word}, which the ${image.key} image does not declare`);
            }
          }
        } else {
          const script = path.posix.basename(argv[1] ?? '');
          const scriptImage = CONTAINER_SCRIPT_IMAGES[script];
          if (!scriptImage) found.push(`runs the shell on ${argv[1] ?? 'nothing'}, not a container script with a recorded image`);
          else if (scriptImage !== image) found.push(`runs ${script} in the ${image.key} image; its PATH-jail tests run it in ${scriptImage.key}`);
        }
      }
      // An init container copying a declared binary onto a volume: later containers may run it.
      if (init && executable && found.length === 0 && ['cp', 'cp-plugin'].includes(path.posix.basename(executable.path)) && argv.length === 3) {
        const source = image.executable(argv[1]);
        const target = mountOf(c, argv[2]);
        if (!source) {
          found.push(`copies ${argv[1]}, which the ${image.key} image does not declare`);
        } else if (!target) {
          found.push(`copies ${argv[1]} to ${argv[2]}, which is on no volume`);
        } else {
          copied.set(`${target.name}:${target.relative}`, source);
          copies.set(`${owner}/${target.name}:${target.relative}`, source);
        }
      }
      if (found.length > 0) problems.set(site, found);
    }
  }
  return problems;
}

function synthDemo(): any[] {
  const app = Testing.app();
  buildExamplePlatform(app);
  return app.charts.flatMap((chart) => chart.toJson());
}

/** The demo with the optional images too: Harbor's exporter, the CUDA llama.cpp build and a gated model (curl). */
function synthWithOptionalImages(): any[] {
  const app = Testing.app();
  const props = examplePlatformProps();
  const gated = PlatformModel.imported({
    repository: 'gated-llama',
    tag: 'v1',
    source: ModelSource.fromHuggingFace('example-org/gated-llama-GGUF', 'model.Q4_K_M.gguf', {
      revision: 'main', sha256: 'a'.repeat(64), sizeBytes: 1000, token: SecretKeyReference.fromSecret('hf-token', 'token'),
    }),
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '1B',
  });
  new ModelPlatform(app, 'platform', {
    ...props,
    models: [...props.models!, gated],
    registry: PlatformRegistry.harbor({ registryStorageOnBucket: true, exporter: true }),
    services: props.services!.map((s: PlatformServiceOptions) => ({ ...s, gpu: { count: 1 } })),
  });
  return app.charts.flatMap((chart) => chart.toJson());
}

const usedImages = new Set<string>();

describe.each([
  ['the demo platform', synthDemo],
  ['the platform with Harbor\'s exporter, a GPU service and a gated model', synthWithOptionalImages],
])('containers of %s', (_name, synth) => {
  const objects = synth();
  const copies = new Map<string, ImageExecutable>();
  const problems = commandProblems(objects, copies);

  test('every container runs an executable its image declares', () => {
    expect(Object.fromEntries(problems)).toEqual({});
  });

  test('the Velero plugin reaches the server by cp-plugin copying it onto the shared plugins volume', () => {
    expect([...copies].filter(([, e]) => e.path === '/plugins/velero-plugin-for-aws').map(([k]) => k))
      .toEqual([expect.stringMatching(/^Deployment\/velero\/velero\/[^:]+:velero-plugin-for-aws$/)]);
  });

  for (const image of imagesIn(objects)) usedImages.add(image);
});

/** Catalog keys of every container image in `objects`. */
function imagesIn(objects: any[]): string[] {
  return podSpecs(objects)
    .flatMap(({ spec }) => [...(spec.initContainers ?? []), ...spec.containers])
    .map((c) => catalogImage(c.image)?.key ?? c.image);
}

test('together the two platforms run every catalog image, so every declaration is checked', () => {
  expect([...usedImages].sort()).toEqual(PlatformImage.all().map((i) => i.key).sort());
});

describe('the command check', () => {
  const pod = (containers: Container[], initContainers: Container[] = []) => [{
    kind: 'Deployment', metadata: { name: 'x', namespace: 'ns' }, spec: { template: { spec: { containers, initContainers } } },
  }];
  const ORAS = 'ghcr.io/oras-project/oras:v1.3.3';
  const PREPARE = 'docker.io/goharbor/prepare:v2.14.4';
  const VELERO = 'docker.io/velero/velero:v1.18.1';

  test('accepts declared executables, the entrypoint, and binaries copied by an earlier init container', () => {
    expect(commandProblems(pod([
      { name: 'a', image: ORAS, command: ['/bin/sh', '/opt/model-cache/model-cache.sh'] },
      { name: 'b', image: ORAS, args: ['version'] },
      { name: 'c', image: 'docker.io/goharbor/harbor-db:v2.14.4', command: ['/bin/sh'], args: ['-c', 'chmod -R 700 /data || true'] },
      { name: 'd', image: 'docker.io/velero/velero:v1.18.1', command: ['/plugin-dir/velero-plugin-for-aws'], volumeMounts: [{ name: 'p', mountPath: '/plugin-dir' }] },
    ], [
      { name: 'copy', image: 'docker.io/velero/velero-plugin-for-aws:v1.14.2', volumeMounts: [{ name: 'p', mountPath: '/target' }] },
    ]))).toEqual(new Map());
  });

  test('flags undeclared commands, sh -c words, scripts in the wrong image, uncopied binaries and unknown images', () => {
    const problems = commandProblems(pod([
      { name: 'no-shell', image: VELERO, command: ['/bin/sh', '/opt/secret-bootstrap/bootstrap-secrets.sh'] },
      { name: 'awk', image: PREPARE, command: ['/bin/sh', '-c', 'awk 1 /x; true'] },
      { name: 'wrong-image', image: ORAS, command: ['/bin/sh', '/opt/x/create-buckets.sh'] },
      { name: 'not-copied', image: PREPARE, command: ['/opt/kubectl/bin/kubectl'], volumeMounts: [{ name: 'bin', mountPath: '/opt/kubectl/bin' }] },
      { name: 'unknown', image: 'docker.io/library/busybox:1.37' },
      { name: 'unknown-tag', image: 'ghcr.io/ggml-org/llama.cpp:server-b1' },
      { name: 'quoted', image: PREPARE, command: ['sh', '-c', 'echo "$(date)"'] },
    ], [
      { name: 'copy', image: VELERO, command: ['/bin/cp', '/velero', '/opt/kubectl/bin/kubectl'], volumeMounts: [{ name: 'bin', mountPath: '/opt/kubectl/bin' }] },
    ]));
    expect(Object.fromEntries(problems)).toEqual({
      'Deployment/ns/x:copy': [expect.stringContaining('runs /bin/cp, which the velero image does not declare (declared: /velero')],
      'Deployment/ns/x:no-shell': [expect.stringContaining('runs /bin/sh, which the velero image does not declare')],
      'Deployment/ns/x:awk': ['its sh -c command calls awk, which the harbor-prepare image does not declare'],
      'Deployment/ns/x:wrong-image': ['runs create-buckets.sh in the oras image; its PATH-jail tests run it in seaweedfs'],
      'Deployment/ns/x:not-copied': [expect.stringContaining('runs /opt/kubectl/bin/kubectl, which the harbor-prepare image does not declare')],
      'Deployment/ns/x:unknown': ['image docker.io/library/busybox:1.37 is not in the catalog'],
      'Deployment/ns/x:unknown-tag': ['image ghcr.io/ggml-org/llama.cpp:server-b1 is not in the catalog'],
      'Deployment/ns/x:quoted': [expect.stringContaining('cannot check the command words of `echo "$(date)"`')],
    });
  });
});

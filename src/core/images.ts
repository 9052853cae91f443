import { propError } from './errors';
import { ImageContents, ImageExecutable } from './image-contents';
import * as facts from './image-facts';
import { parseImageReference, requireImageReference, requireImageTag, requireRegistryPrefix } from './image-reference';

/**
 * One container image the platform runs, pinned to an immutable release tag.
 *
 * Every image and tag of the library is declared here and nowhere else. Constructs ask an
 * `ImageCatalog` for the final reference so a registry mirror applies to all of them.
 * `contents` says what the platform relies on inside the image (user, entrypoint, executables):
 * a mirrored or rebuilt image must keep it.
 */
export class PlatformImage {
  // Built from seaweedfs/seaweedfs@3.73:docker/Dockerfile.go_build.
  /** SeaweedFS `weed` (master, volume, filer, S3 gateway, `weed shell`). */
  public static readonly SEAWEEDFS = new PlatformImage('seaweedfs', 'docker.io', 'chrislusf/seaweedfs', '3.73', facts.SEAWEEDFS_CONTENTS);

  // Harbor: every component shares one release tag (goharbor/harbor@v2.14.4:make/photon/<component>/Dockerfile).
  /** Harbor core API and token service. */
  public static readonly HARBOR_CORE = PlatformImage.harbor('harbor-core', 'harbor-core', facts.HARBOR_CORE_CONTENTS);
  /** Harbor web portal (nginx serving the UI). */
  public static readonly HARBOR_PORTAL = PlatformImage.harbor('harbor-portal', 'harbor-portal', facts.HARBOR_PORTAL_CONTENTS);
  /** Harbor job service (replication, scans, retention, GC). */
  public static readonly HARBOR_JOBSERVICE = PlatformImage.harbor('harbor-jobservice', 'harbor-jobservice', facts.HARBOR_JOBSERVICE_CONTENTS);
  /** Harbor's build of the Docker distribution registry. */
  public static readonly HARBOR_REGISTRY = PlatformImage.harbor('harbor-registry', 'registry-photon', facts.HARBOR_REGISTRY_CONTENTS);
  /** Harbor registry controller (garbage collection side-car). */
  public static readonly HARBOR_REGISTRYCTL = PlatformImage.harbor('harbor-registryctl', 'harbor-registryctl', facts.HARBOR_REGISTRYCTL_CONTENTS);
  /** Harbor's internal PostgreSQL. */
  public static readonly HARBOR_DATABASE = PlatformImage.harbor('harbor-database', 'harbor-db', facts.HARBOR_DATABASE_CONTENTS);
  /** Harbor's internal Redis. */
  public static readonly HARBOR_REDIS = PlatformImage.harbor('harbor-redis', 'redis-photon', facts.HARBOR_REDIS_CONTENTS);
  /** Trivy scanner adapter. */
  public static readonly HARBOR_TRIVY = PlatformImage.harbor('harbor-trivy', 'trivy-adapter-photon', facts.HARBOR_TRIVY_CONTENTS);
  /** Harbor Prometheus exporter. */
  public static readonly HARBOR_EXPORTER = PlatformImage.harbor('harbor-exporter', 'harbor-exporter', facts.HARBOR_EXPORTER_CONTENTS);
  /** Harbor's nginx entry point. */
  public static readonly HARBOR_NGINX = PlatformImage.harbor('harbor-nginx', 'nginx-photon', facts.HARBOR_NGINX_CONTENTS);
  /**
   * Harbor's installer image (Photon 5): bash as `/bin/sh`, python3, curl, openssl, `htpasswd`
   * (bcrypt) and GNU coreutils. The secret bootstrap and Harbor setup Jobs run their scripts in it.
   */
  public static readonly HARBOR_PREPARE = PlatformImage.harbor('harbor-prepare', 'prepare', facts.HARBOR_PREPARE_CONTENTS);

  // Velero v1.18.1 with velero-plugin-for-aws v1.14.2 (compatibility table:
  // vmware-tanzu/velero-plugin-for-aws README.md, "Compatibility").
  /** Velero server, node-agent and CRD installer (no shell: only `/velero`). */
  public static readonly VELERO = new PlatformImage('velero', 'docker.io', 'velero/velero', 'v1.18.1', facts.VELERO_CONTENTS);
  /** Velero object-store plugin for S3-compatible storage (FROM scratch: `cp-plugin` and the plugin). */
  public static readonly VELERO_PLUGIN_AWS = new PlatformImage('velero-plugin-for-aws', 'docker.io', 'velero/velero-plugin-for-aws', 'v1.14.2',
    facts.VELERO_PLUGIN_AWS_CONTENTS);

  // Built from ggml-org/llama.cpp@b8840:.devops/cpu.Dockerfile and cuda.Dockerfile; the build-numbered
  // tags are the pinned ones (`server` and `server-cuda` move, see MOVING_TAGS).
  /** llama.cpp `llama-server`, CPU build. */
  public static readonly LLAMA_CPP_SERVER = new PlatformImage('llama-cpp-server', 'ghcr.io', 'ggml-org/llama.cpp', 'server-b8840',
    facts.LLAMA_CPP_SERVER_CONTENTS);
  /** llama.cpp `llama-server`, CUDA 12 build. */
  public static readonly LLAMA_CPP_SERVER_CUDA = new PlatformImage('llama-cpp-server-cuda', 'ghcr.io', 'ggml-org/llama.cpp', 'server-cuda-b8840',
    facts.LLAMA_CPP_SERVER_CUDA_CONTENTS);

  /** ORAS CLI on Alpine (busybox `/bin/sh` and applets) for pushing and pulling model artifacts. */
  public static readonly ORAS = new PlatformImage('oras', 'ghcr.io', 'oras-project/oras', 'v1.3.3', facts.ORAS_CONTENTS);

  /**
   * curl on Alpine (busybox `/bin/sh` and applets): downloads the files of a `ModelArtifact` that
   * need an access token. curl sends a custom Authorization header only to the host it was given,
   * never to the host a redirect leads to (busybox wget would).
   */
  public static readonly CURL = new PlatformImage('curl', 'quay.io', 'curl/curl', '8.21.0', facts.CURL_CONTENTS);

  /** Every image in the catalog, in declaration order. */
  public static all(): PlatformImage[] {
    return [
      PlatformImage.SEAWEEDFS,
      PlatformImage.HARBOR_CORE,
      PlatformImage.HARBOR_PORTAL,
      PlatformImage.HARBOR_JOBSERVICE,
      PlatformImage.HARBOR_REGISTRY,
      PlatformImage.HARBOR_REGISTRYCTL,
      PlatformImage.HARBOR_DATABASE,
      PlatformImage.HARBOR_REDIS,
      PlatformImage.HARBOR_TRIVY,
      PlatformImage.HARBOR_EXPORTER,
      PlatformImage.HARBOR_NGINX,
      PlatformImage.HARBOR_PREPARE,
      PlatformImage.VELERO,
      PlatformImage.VELERO_PLUGIN_AWS,
      PlatformImage.LLAMA_CPP_SERVER,
      PlatformImage.LLAMA_CPP_SERVER_CUDA,
      PlatformImage.ORAS,
      PlatformImage.CURL,
    ];
  }

  private static harbor(key: string, name: string, contents: ImageContents): PlatformImage {
    return new PlatformImage(key, 'docker.io', `goharbor/${name}`, 'v2.14.4', contents);
  }

  /**
   * @param key stable identifier used in `ImageCatalogProps.overrides`
   * @param registry registry host the upstream project publishes to
   * @param repository repository path inside that registry
   * @param tag immutable release tag
   * @param contents what the platform relies on inside the image, with upstream sources
   */
  private constructor(
    public readonly key: string,
    public readonly registry: string,
    public readonly repository: string,
    public readonly tag: string,
    public readonly contents: ImageContents,
  ) {}

  /**
   * The executable the image declares under `command`: an absolute path, or a bare name looked up
   * like a container runtime does, in the standard PATH directories (/usr/local/sbin, /usr/local/bin,
   * /usr/sbin, /usr/bin, /sbin, /bin).
   *
   * @param command absolute path or bare command name
   * @returns the declared executable, or undefined when the platform does not rely on one
   */
  public executable(command: string): ImageExecutable | undefined {
    if (command.startsWith('/')) return this.contents.executables.find((e) => e.path === command);
    if (command.length === 0 || command.includes('/')) return undefined;
    for (const dir of STANDARD_PATH) {
      const found = this.contents.executables.find((e) => e.path === `${dir}/${command}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The upstream reference, `registry/repository:tag`. */
  public get reference(): string {
    return `${this.registry}/${this.repository}:${this.tag}`;
  }
}

/** The PATH container runtimes use when the image sets none. */
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Options for `ImageCatalog`. */
export interface ImageCatalogProps {
  /**
   * Registry (and optional path) that mirrors every upstream image, for air-gapped or mirrored
   * clusters. The upstream registry host is replaced: with `harbor.local/mirror`,
   * `docker.io/chrislusf/seaweedfs:3.73` becomes `harbor.local/mirror/chrislusf/seaweedfs:3.73`.
   *
   * @default - images are pulled from their upstream registries
   */
  readonly registryPrefix?: string;

  /**
   * Full image references that replace catalog entries, keyed by `PlatformImage.key`
   * (e.g. `{ 'seaweedfs': 'registry.local/seaweedfs:3.73@sha256:…' }`). Each must carry a
   * pinned tag or a digest. Applied as given: `registryPrefix` does not rewrite them.
   *
   * @default - no overrides
   */
  readonly overrides?: { [key: string]: string };
}

/** Tags that move between releases and therefore never appear in synthesized output. */
const MOVING_TAGS = new Set(['latest', 'main', 'master', 'stable', 'edge', 'nightly', 'dev', 'server', 'server-cuda', 'full', 'light']);

/**
 * Resolves catalog images to the references written into manifests, applying one registry
 * mirror prefix and per-image overrides. Pass one catalog to every construct of a platform.
 */
export class ImageCatalog {
  /** Whether an image reference is pinned: it has a digest, or a tag that is not a known moving tag. */
  public static isPinned(reference: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(reference)) return true;
    const lastSegment = reference.slice(reference.lastIndexOf('/') + 1);
    const colon = lastSegment.lastIndexOf(':');
    if (colon < 0) return false;
    const tag = lastSegment.slice(colon + 1);
    return tag.length > 0 && !MOVING_TAGS.has(tag);
  }

  private readonly registryPrefix?: string;
  private readonly overrides: { [key: string]: string };

  constructor(props: ImageCatalogProps = {}) {
    if (props === null || typeof props !== 'object') {
      throw propError({ construct: 'ImageCatalog', prop: 'props', value: props, allowed: 'an ImageCatalogProps object', fix: 'pass {} or leave it out' });
    }
    if (props.registryPrefix !== undefined) {
      const at = { construct: 'ImageCatalog', prop: 'registryPrefix' };
      const prefix = requireRegistryPrefix(at, props.registryPrefix);
      const longest = PlatformImage.all().reduce((a, b) => (a.repository.length >= b.repository.length ? a : b));
      const name = `${prefix}/${longest.repository}`;
      if (typeof parseImageReference(name) === 'string') {
        throw propError({ ...at, value: props.registryPrefix, allowed: `a prefix that keeps repository paths within 255 characters ("${name}" is too long)`, fix: 'use a shorter mirror path' });
      }
      this.registryPrefix = prefix;
    }
    const overrides = props.overrides ?? {};
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
      throw propError({ construct: 'ImageCatalog', prop: 'overrides', value: overrides, allowed: 'a map of catalog keys to image references', fix: "pass e.g. { velero: 'registry.example.com/velero/velero:v1.18.2' }" });
    }
    const known = new Set(PlatformImage.all().map((i) => i.key));
    for (const [key, reference] of Object.entries(overrides)) {
      if (!known.has(key)) {
        throw propError({
          construct: 'ImageCatalog',
          prop: `overrides.${key}`,
          value: key,
          allowed: `a catalog key: ${[...known].join(', ')}`,
          fix: key === 'kubectl'
            ? 'remove it: no container runs the kubectl image any more (the secret bootstrap and Harbor setup Jobs run in harbor-prepare)'
            : 'use the key of the PlatformImage you want to replace',
        });
      }
      requireImageReference({ construct: 'ImageCatalog', prop: `overrides.${key}` }, reference,
        'write the reference as [registry/]repository:tag[@sha256:<digest>], e.g. "registry.local/seaweedfs:3.73"');
      if (!ImageCatalog.isPinned(reference)) {
        throw propError({
          construct: 'ImageCatalog',
          prop: `overrides.${key}`,
          value: reference,
          allowed: 'an image reference with a release tag or an @sha256 digest (no "latest" or other moving tag)',
          fix: 'pin a release tag, e.g. "registry.local/seaweedfs:3.73", or append the digest',
        });
      }
    }
    this.overrides = { ...overrides };
  }

  /**
   * The reference to write into a manifest for `image`.
   *
   * @param image catalog entry
   * @param tag a version chosen by a construct prop (e.g. `SeaweedFSStorageProps.version`); must be pinned
   */
  public resolve(image: PlatformImage, tag?: string): string {
    const override = this.overrides[image.key];
    if (override !== undefined) return override;
    const chosenTag = tag === undefined ? image.tag : requireImageTag({ construct: 'ImageCatalog', prop: `${image.key} tag` }, tag, image.tag);
    const reference = `${this.registryPrefix ?? image.registry}/${image.repository}:${chosenTag}`;
    if (!ImageCatalog.isPinned(reference)) {
      throw propError({
        construct: 'ImageCatalog',
        prop: `${image.key} tag`,
        value: chosenTag,
        allowed: 'a release tag (not "latest" or another moving tag)',
        fix: `use a release tag such as "${image.tag}"`,
      });
    }
    return reference;
  }
}

import { propError } from './errors';

/**
 * One container image the platform runs, pinned to an immutable release tag.
 *
 * Every image and tag of the library is declared here and nowhere else. Constructs ask an
 * {@link ImageCatalog} for the final reference so a registry mirror applies to all of them.
 */
export class PlatformImage {
  // SeaweedFS (../shared/reference/seaweedfs.md §1: Docker Hub only for 3.73).
  /** SeaweedFS `weed` (master, volume, filer, S3 gateway, `weed shell`). */
  public static readonly SEAWEEDFS = new PlatformImage('seaweedfs', 'docker.io', 'chrislusf/seaweedfs', '3.73');

  // Harbor 2.14: every component is tagged v2.14.<patch>; 2.14.4 is the newest patch the reference confirms.
  /** Harbor core API and token service. */
  public static readonly HARBOR_CORE = PlatformImage.harbor('harbor-core', 'harbor-core');
  /** Harbor web portal (nginx serving the UI). */
  public static readonly HARBOR_PORTAL = PlatformImage.harbor('harbor-portal', 'harbor-portal');
  /** Harbor job service (replication, scans, retention, GC). */
  public static readonly HARBOR_JOBSERVICE = PlatformImage.harbor('harbor-jobservice', 'harbor-jobservice');
  /** Harbor's build of the Docker distribution registry. */
  public static readonly HARBOR_REGISTRY = PlatformImage.harbor('harbor-registry', 'registry-photon');
  /** Harbor registry controller (garbage collection side-car). */
  public static readonly HARBOR_REGISTRYCTL = PlatformImage.harbor('harbor-registryctl', 'harbor-registryctl');
  /** Harbor's internal PostgreSQL. */
  public static readonly HARBOR_DATABASE = PlatformImage.harbor('harbor-database', 'harbor-db');
  /** Harbor's internal Redis. */
  public static readonly HARBOR_REDIS = PlatformImage.harbor('harbor-redis', 'redis-photon');
  /** Trivy scanner adapter. */
  public static readonly HARBOR_TRIVY = PlatformImage.harbor('harbor-trivy', 'trivy-adapter-photon');
  /** Harbor Prometheus exporter. */
  public static readonly HARBOR_EXPORTER = PlatformImage.harbor('harbor-exporter', 'harbor-exporter');
  /** Harbor's nginx entry point. */
  public static readonly HARBOR_NGINX = PlatformImage.harbor('harbor-nginx', 'nginx-photon');
  /**
   * Harbor's installer image. Ships `/usr/bin/htpasswd` (bcrypt) and `openssl`, which the secret
   * bootstrap uses to derive htpasswd entries and self-signed certificates in-cluster.
   */
  public static readonly HARBOR_PREPARE = PlatformImage.harbor('harbor-prepare', 'prepare');

  // Velero 1.18.1 (the seed's version) with its matching AWS plugin line v1.14.x (../shared/reference/velero.md §1).
  /** Velero server, node-agent and CRD installer. */
  public static readonly VELERO = new PlatformImage('velero', 'docker.io', 'velero/velero', 'v1.18.1');
  /** Velero object-store plugin for S3-compatible storage. */
  public static readonly VELERO_PLUGIN_AWS = new PlatformImage('velero-plugin-for-aws', 'docker.io', 'velero/velero-plugin-for-aws', 'v1.14.2');

  // llama.cpp publishes only build-numbered tags as immutable ones (../shared/reference/llama-cpp-server.md §1).
  /** llama.cpp `llama-server`, CPU build. */
  public static readonly LLAMA_CPP_SERVER = new PlatformImage('llama-cpp-server', 'ghcr.io', 'ggml-org/llama.cpp', 'server-b8840');
  /** llama.cpp `llama-server`, CUDA 12 build. */
  public static readonly LLAMA_CPP_SERVER_CUDA = new PlatformImage('llama-cpp-server-cuda', 'ghcr.io', 'ggml-org/llama.cpp', 'server-cuda-b8840');

  /** ORAS CLI (Alpine based, has `/bin/sh`) for pushing and pulling model artifacts. */
  public static readonly ORAS = new PlatformImage('oras', 'ghcr.io', 'oras-project/oras', 'v1.3.3');

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
    ];
  }

  private static harbor(key: string, name: string): PlatformImage {
    return new PlatformImage(key, 'docker.io', `goharbor/${name}`, 'v2.14.4');
  }

  /**
   * @param key stable identifier used in `ImageCatalogProps.overrides`
   * @param registry registry host the upstream project publishes to
   * @param repository repository path inside that registry
   * @param tag immutable release tag
   */
  private constructor(
    public readonly key: string,
    public readonly registry: string,
    public readonly repository: string,
    public readonly tag: string,
  ) {}

  /** The upstream reference, `registry/repository:tag`. */
  public get reference(): string {
    return `${this.registry}/${this.repository}:${this.tag}`;
  }
}

/** Options for {@link ImageCatalog}. */
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
    if (props.registryPrefix !== undefined) {
      const prefix = props.registryPrefix.replace(/\/+$/, '');
      if (!/^[a-zA-Z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/.test(prefix)) {
        throw propError({
          construct: 'ImageCatalog',
          prop: 'registryPrefix',
          value: props.registryPrefix,
          allowed: 'a registry host with optional port and path, without scheme or tag',
          fix: 'pass something like "harbor.example.com/mirror" or "registry.local:5000"',
        });
      }
      this.registryPrefix = prefix;
    }
    const known = new Set(PlatformImage.all().map((i) => i.key));
    for (const [key, reference] of Object.entries(props.overrides ?? {})) {
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
    this.overrides = { ...(props.overrides ?? {}) };
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
    const chosenTag = tag ?? image.tag;
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

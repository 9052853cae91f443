import { propError } from './errors';
import { splitDigest } from './image-reference';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const REGISTRY = new RegExp(`^(?:localhost|${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})+|\\[[0-9a-fA-F:]+\\]|${DOMAIN_COMPONENT})(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parts of a `ModelReference`. */
export interface ModelReferenceProps {
  /** Registry host with optional port, e.g. `harbor.example.com` or `harbor-core.harbor:80`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `ml-models/tinyllama-oras`. */
  readonly repository: string;
  /**
   * Tag, e.g. `v1.0.0-gguf`.
   * @default - none; then `digest` is required
   */
  readonly tag?: string;
  /**
   * Manifest digest `sha256:<64 hex>`. Pinning it makes starts reproducible and lets a cache hit
   * skip the registry entirely.
   * @default - none; the tag is resolved at pull time
   */
  readonly digest?: string;
  /**
   * Digests (`sha256:<64 hex>`) of the layers the model is expected to consist of, e.g. the
   * sha256 of the GGUF file. Consumers use them to recognise a cached copy without the registry.
   * @default - none
   */
  readonly layerDigests?: string[];
}

/**
 * An OCI reference to a model artifact: `registry/repository[:tag][@sha256:…]`, validated,
 * plus the layer digests it is expected to contain.
 */
export class ModelReference {
  /**
   * Parses `registry/repository[:tag][@sha256:…]`. The registry part is required: models are
   * pulled from a registry the platform names, never from an implied Docker Hub.
   */
  public static parse(reference: string): ModelReference {
    const fail = (allowed: string, fix: string) =>
      propError({ construct: 'ModelReference', prop: 'reference', value: reference, allowed, fix });
    if (typeof reference !== 'string' || reference.trim() === '') {
      throw fail('a reference "registry/repository:tag" or "registry/repository@sha256:<64 hex>"', 'pass e.g. "harbor.example.com/ml-models/tinyllama-oras:v1.0.0-gguf"');
    }
    const { rest, digest } = splitDigest(reference);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      throw fail('a registry host before the first "/"', 'prefix the repository with the registry, e.g. "harbor.example.com/ml-models/model:v1"');
    }
    const registry = rest.slice(0, slash);
    let repository = rest.slice(slash + 1);
    let tag: string | undefined;
    const colon = repository.lastIndexOf(':');
    if (colon >= 0) {
      tag = repository.slice(colon + 1);
      repository = repository.slice(0, colon);
    }
    return new ModelReference({ registry, repository, tag, digest });
  }

  /** Builds a reference from its parts. */
  public static of(props: ModelReferenceProps): ModelReference {
    return new ModelReference(props);
  }

  /** Registry host with optional port. */
  public readonly registry: string;
  /** Repository path inside the registry. */
  public readonly repository: string;
  /** Tag, if any. */
  public readonly tag?: string;
  /** Manifest digest, if pinned. */
  public readonly digest?: string;
  /** Expected layer digests (may be empty). */
  public readonly layerDigests: string[];

  private constructor(props: ModelReferenceProps) {
    const check = (prop: string, value: string | undefined, pattern: RegExp, allowed: string, fix: string) => {
      if (value !== undefined && !pattern.test(value)) {
        throw propError({ construct: 'ModelReference', prop, value, allowed, fix });
      }
    };
    check('registry', props.registry ?? '', REGISTRY, 'a registry host with optional port, e.g. "harbor.example.com" or "harbor-core.harbor:80"', 'give the host (and port) clients use to reach the registry, without scheme');
    check('repository', props.repository ?? '', REPOSITORY, "a lowercase repository path: components of [a-z0-9] separated by '.', '_', '__' or '-', joined by '/'", 'use a path such as "ml-models/tinyllama-oras"');
    check('tag', props.tag, TAG, 'a tag of up to 128 characters from [A-Za-z0-9_.-], not starting with "." or "-"', 'use a tag such as "v1.0.0-gguf"');
    check('digest', props.digest, SHA256_DIGEST, 'a digest "sha256:" followed by 64 lowercase hex characters', 'copy the digest from `oras resolve` or the registry UI');
    if (props.tag === undefined && props.digest === undefined) {
      throw propError({ construct: 'ModelReference', prop: 'tag', value: undefined, allowed: 'a tag, a digest, or both', fix: 'add ":<tag>" or "@sha256:<digest>" to the reference' });
    }
    (props.layerDigests ?? []).forEach((d, i) =>
      check(`layerDigests[${i}]`, d, SHA256_DIGEST, 'a digest "sha256:" followed by 64 lowercase hex characters', 'use the sha256 of the layer file, prefixed with "sha256:"'),
    );
    this.registry = props.registry;
    this.repository = props.repository;
    this.tag = props.tag;
    this.digest = props.digest;
    this.layerDigests = [...(props.layerDigests ?? [])];
  }

  /** `registry/repository`, without tag or digest. */
  public get repositoryReference(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** Whether the manifest is pinned by digest. */
  public get isDigestPinned(): boolean {
    return this.digest !== undefined;
  }

  /** The same reference pinned to a manifest digest. */
  public withDigest(digest: string): ModelReference {
    return new ModelReference({ ...this.props(), digest });
  }

  /** The same reference with the expected layer digests. */
  public withLayerDigests(layerDigests: string[]): ModelReference {
    return new ModelReference({ ...this.props(), layerDigests });
  }

  /** `registry/repository[:tag][@digest]`. */
  public toString(): string {
    return `${this.repositoryReference}${this.tag !== undefined ? `:${this.tag}` : ''}${this.digest !== undefined ? `@${this.digest}` : ''}`;
  }

  private props(): ModelReferenceProps {
    return { registry: this.registry, repository: this.repository, tag: this.tag, digest: this.digest, layerDigests: this.layerDigests };
  }
}

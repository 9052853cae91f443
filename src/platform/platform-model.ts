import { propError } from '../core/errors';
import { ModelArtifactSpec } from '../models/model-artifact';

/** Options of `PlatformModel.existing`. */
export interface ExistingModelOptions {
  /**
   * Manifest digest (`sha256:<64 hex>`): pins the version and lets a cache hit skip the registry.
   * @default - tag only
   */
  readonly digest?: string;

  /**
   * Layer digests of the artifact, weights first: lets a cache hit start without the registry.
   * @default - none
   */
  readonly layerDigests?: string[];

  /**
   * Size of the weight file in bytes (sizes the cache check and the startup probe).
   * @default - unknown
   */
  readonly sizeBytes?: number;
}

/**
 * A model the platform serves, named by `<repository>:<tag>` inside the models project: imported
 * by the platform (a `ModelArtifact` Job pushes it into Harbor) or already in the registry.
 * Services name the model they serve by `key`.
 */
export class PlatformModel {
  /** Imports the model into the platform's Harbor project (download, verify, `oras push`). */
  public static imported(spec: ModelArtifactSpec): PlatformModel {
    if (spec === null || typeof spec !== 'object') {
      throw propError({
        construct: 'PlatformModel',
        prop: 'imported.spec',
        value: spec,
        allowed: 'a ModelArtifactSpec object',
        fix: 'pass repository, tag, source, format, architecture and paramSize',
      });
    }
    return new PlatformModel(spec.repository, spec.tag, spec.source?.fileName, spec, undefined);
  }

  /**
   * A model already in the registry's models project (pushed earlier, or by another pipeline).
   *
   * @param repository repository inside the project, e.g. `tinyllama-oras`
   * @param tag tag, e.g. `v1.0.0-gguf`
   * @param modelFile title of the GGUF layer, e.g. `tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf`
   * @param options digest, layer digests and size
   */
  public static existing(repository: string, tag: string, modelFile: string, options: ExistingModelOptions = {}): PlatformModel {
    return new PlatformModel(repository, tag, modelFile, undefined, options ?? {});
  }

  /** `<repository>:<tag>`: how services refer to the model. */
  public readonly key: string;
  /** Repository inside the models project. */
  public readonly repository: string;
  /** Tag. */
  public readonly tag: string;
  /** @internal */
  public readonly _spec?: ModelArtifactSpec;
  /** @internal */
  public readonly _existing?: ExistingModelOptions;
  /** @internal */
  public readonly _modelFile?: string;

  private constructor(repository: string, tag: string, modelFile: string | undefined, spec?: ModelArtifactSpec, existing?: ExistingModelOptions) {
    this.repository = repository;
    this.tag = tag;
    this.key = `${repository}:${tag}`;
    this._spec = spec;
    this._existing = existing;
    this._modelFile = modelFile;
  }
}

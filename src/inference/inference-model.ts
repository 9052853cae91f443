import { propError } from '../core/errors';
import { ModelReference } from '../core/model-reference';
import { ModelArtifact } from '../models/model-artifact';

const CONSTRUCT = 'InferenceModel';

/**
 * The weight layer's title (`org.opencontainers.image.title`) as the model cache accepts it: a
 * relative path of `[A-Za-z0-9._+-]` components, none of them `.` or `..`.
 */
const MODEL_FILE = /^[A-Za-z0-9._+-]+(?:\/[A-Za-z0-9._+-]+)*$/;

/** Options for `InferenceModel.fromReference`. */
export interface InferenceModelOptions {
  /**
   * Size of the model file in bytes. Used to check that the model cache can hold it and to size
   * the startup probe for the model's load time.
   *
   * @default - unknown: the cache size is not checked and the startup probe allows 10 minutes
   */
  readonly sizeBytes?: number;

  /**
   * Pull from the registry over plain HTTP instead of HTTPS (an in-cluster Harbor behind a
   * ClusterIP Service without TLS).
   *
   * @default false
   */
  readonly plainHttp?: boolean;
}

/**
 * The model a `LlamaInferenceService` serves: an OCI artifact in Harbor, the GGUF file inside
 * it and, when known, its size.
 */
export class InferenceModel {
  /**
   * The model a `ModelArtifact` imports into Harbor: its reference (with the expected layer
   * digests, so a cached copy is recognised without the registry), file name, size and transport.
   */
  public static fromArtifact(artifact: ModelArtifact): InferenceModel {
    if (!(artifact instanceof ModelArtifact)) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'fromArtifact.artifact',
        value: artifact,
        allowed: 'a ModelArtifact',
        fix: 'pass the ModelArtifact that imports the model, or use InferenceModel.fromReference(...)',
      });
    }
    return new InferenceModel(artifact.reference, artifact.modelFile, { sizeBytes: artifact.sizeBytes, plainHttp: artifact.plainHttp });
  }

  /**
   * A model already in a registry.
   *
   * @param reference the artifact, ideally pinned by digest and carrying its layer digests
   * @param modelFile title of the GGUF layer inside the artifact, e.g. `tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf`
   * @param options size and transport
   */
  public static fromReference(reference: ModelReference, modelFile: string, options: InferenceModelOptions = {}): InferenceModel {
    return new InferenceModel(reference, modelFile, options ?? {});
  }

  /** The OCI artifact the model cache pulls. */
  public readonly reference: ModelReference;
  /** Name of the GGUF file inside the artifact. */
  public readonly modelFile: string;
  /** Size of the model file in bytes, when known. */
  public readonly sizeBytes?: number;
  /** Whether the registry is reached over plain HTTP. */
  public readonly plainHttp: boolean;

  private constructor(reference: ModelReference, modelFile: string, options: InferenceModelOptions) {
    if (!(reference instanceof ModelReference)) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'reference',
        value: reference,
        allowed: 'a ModelReference',
        fix: "use ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama:v1') or HarborProject.modelReference(...)",
      });
    }
    if (typeof modelFile !== 'string' || modelFile.length > 1024 || !MODEL_FILE.test(modelFile) || modelFile.split('/').some((c) => c === '.' || c === '..')) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'modelFile',
        value: modelFile,
        allowed: "a relative path of letters, digits, '.', '_', '+' or '-' with '/' between components, none of them '.' or '..'",
        fix: 'pass the file name of the GGUF layer, e.g. "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"',
      });
    }
    if (options.sizeBytes !== undefined && !(Number.isSafeInteger(options.sizeBytes) && options.sizeBytes > 0)) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'sizeBytes',
        value: options.sizeBytes,
        allowed: 'a positive whole number of bytes',
        fix: 'pass the exact file size, e.g. 668788096, or leave it out',
      });
    }
    if (options.plainHttp !== undefined && typeof options.plainHttp !== 'boolean') {
      throw propError({ construct: CONSTRUCT, prop: 'plainHttp', value: options.plainHttp, allowed: 'true or false', fix: 'pass a boolean or leave it out for HTTPS' });
    }
    this.reference = reference;
    this.modelFile = modelFile;
    this.sizeBytes = options.sizeBytes;
    this.plainHttp = options.plainHttp ?? false;
  }
}

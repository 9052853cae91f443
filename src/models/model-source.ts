import { ModelLayerType, requireEnumMember } from './model-metadata';
import { propError } from '../core/errors';
import { SecretKeyReference } from '../core/secret-reference';
import { parseAbsoluteUrl, refuseUrlCredentials } from '../core/url';
import { PropContext, optionalInstance } from '../core/validate';

/** What every model file declaration carries: its expected content. */
export interface ModelSourceOptions {
  /**
   * SHA-256 of the file, 64 hex characters. The import Job refuses a download with any other
   * digest, and it becomes the layer digest of the pushed artifact.
   */
  readonly sha256: string;

  /**
   * Exact size of the file in bytes. Sizes the import Job's scratch volume and is checked before
   * the file is hashed.
   */
  readonly sizeBytes: number;

  /**
   * The kind of layer the file becomes.
   *
   * @default - weight for `ModelArtifactProps.source`; for extra files, inferred from the name:
   * README/LICENSE/NOTICE and `*.md` are docs, `*.py` code, weight extensions (`.gguf`,
   * `.safetensors`, `.bin`, `.pt`, `.pth`, `.onnx`, ...) weights, anything else weight config
   */
  readonly layerType?: ModelLayerType;
}

/** Options for `ModelSource.fromHuggingFace`. */
export interface HuggingFaceSourceOptions extends ModelSourceOptions {
  /**
   * Revision to download: a commit sha (preferred, it never moves) or a tag or branch name. The
   * sha256 check protects the content either way, but a moved branch makes the import fail.
   */
  readonly revision: string;

  /**
   * Base URL of the Hugging Face Hub or a mirror of it (`<endpoint>/<repo>/resolve/<revision>/<file>`).
   *
   * @default 'https://huggingface.co'
   */
  readonly endpoint?: string;

  /**
   * A Hugging Face access token (read scope) for a gated or private repository: a key of a Secret
   * in the import namespace, e.g. made with
   * `kubectl -n model-import create secret generic hf-token --from-literal=token=hf_...`.
   *
   * The import Job then downloads the file in an init container of the curl image, which sends
   * `Authorization: Bearer <token>` to the endpoint's host only: never to the CDN host the Hub
   * redirects downloads to, and never over plain http. The token stays in a file of the pod; it is
   * not written into any synthesized object, argument, environment variable or log line.
   *
   * @default - no token: the repository must be public
   */
  readonly token?: SecretKeyReference;
}

/** Options for `ModelSource.fromUrl`. */
export interface UrlSourceOptions extends ModelSourceOptions {
  /**
   * File name of the layer (its `org.opencontainers.image.title` and model file path).
   *
   * @default - the last segment of the URL path
   */
  readonly fileName?: string;

  /**
   * Accept an `http://` URL. The sha256 check still guards the content, but the download is not
   * private and a man in the middle can make the import fail.
   *
   * @default false
   */
  readonly allowHttp?: boolean;

  /**
   * A bearer token the server requires: a key of a Secret in the import namespace. Sent as
   * `Authorization: Bearer <token>` to the URL's host only (not to hosts it redirects to), by an init
   * container of the curl image; https only. The token is not written into any synthesized object.
   *
   * @default - no token
   */
  readonly token?: SecretKeyReference;
}

const CONSTRUCT = 'ModelSource';
const SHA256 = /^[A-Fa-f0-9]{64}$/;
/** Layer file names: no path, no ':' (ORAS splits `file:mediaType` at the last ':'), not hidden. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
const HF_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const HF_PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
const HF_REVISION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const WEIGHT_EXTENSIONS = ['.gguf', '.ggml', '.safetensors', '.bin', '.pt', '.pth', '.onnx', '.ckpt', '.h5', '.msgpack', '.tflite', '.mlmodel', '.npz'];
const DOC_NAMES = /^(README|LICENSE|LICENCE|NOTICE|COPYING|CHANGELOG|USE_POLICY|MODEL_CARD)(\.[A-Za-z0-9]+)?$/i;

/**
 * One file of a model to import: where to download it and the content it must have (sha256 and
 * size). Create with `ModelSource.fromHuggingFace` or `ModelSource.fromUrl`.
 */
export class ModelSource {
  /**
   * A file of a Hugging Face model repository, downloaded from
   * `https://huggingface.co/<repository>/resolve/<revision>/<file>`.
   *
   * @param repository `<owner>/<name>`, e.g. `TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF`
   * @param file path of the file in the repository, e.g. `tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf`; the layer gets its last segment as name
   * @param options revision, sha256 and size
   */
  public static fromHuggingFace(repository: string, file: string, options: HuggingFaceSourceOptions): ModelSource {
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop: `fromHuggingFace.${prop}` });
    requireOptions(at('options'), options, '{ revision: "<commit sha>", sha256: "<64 hex>", sizeBytes: 668788096 }');
    if (typeof repository !== 'string' || !HF_REPOSITORY.test(repository)) {
      throw propError({
        ...at('repository'),
        value: repository,
        allowed: "'<owner>/<name>' of letters, digits and '. _ -'",
        fix: 'pass the repository id as shown on the Hub, e.g. "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF"',
      });
    }
    const segments = typeof file === 'string' ? file.split('/') : [];
    if (segments.length === 0 || !segments.every((s) => HF_PATH_SEGMENT.test(s))) {
      throw propError({
        ...at('file'),
        value: file,
        allowed: "a file path inside the repository: segments of letters, digits and '. _ -' joined by '/', no '..'",
        fix: 'pass the file name as listed under "Files and versions", e.g. "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"',
      });
    }
    if (typeof options.revision !== 'string' || !HF_REVISION.test(options.revision)) {
      throw propError({
        ...at('revision'),
        value: options.revision,
        allowed: "a commit sha (40 hex characters) or a tag or branch name of letters, digits and '. _ -'",
        fix: 'pin the commit shown under "Files and versions" > history, e.g. "52e7645ba7c309695bec7ac98f4f005b139cf465"',
      });
    }
    const endpoint = requireEndpoint(at('endpoint'), options.endpoint ?? 'https://huggingface.co');
    const url = `${endpoint}/${repository}/resolve/${options.revision}/${segments.join('/')}`;
    return new ModelSource({
      ctx: at,
      url,
      fileName: segments[segments.length - 1],
      options,
      huggingFaceRepository: repository,
      revision: options.revision,
      token: optionalInstance(at('token'), options.token, SecretKeyReference, "SecretKeyReference.fromSecret('hf-token', 'token')"),
    });
  }

  /**
   * A file at an `https://` URL (`http://` only with `allowHttp`).
   *
   * @param url download URL without credentials, e.g. `https://models.example.com/tinyllama.gguf`
   * @param options sha256, size and optionally the file name
   */
  public static fromUrl(url: string, options: UrlSourceOptions): ModelSource {
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop: `fromUrl.${prop}` });
    requireOptions(at('options'), options, '{ sha256: "<64 hex>", sizeBytes: 668788096 }');
    const allowHttp = options.allowHttp ?? false;
    const parsed = parseAbsoluteUrl(url);
    const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!parsed || !schemes.includes(parsed.protocol) || parsed.hostname === '' || /\s/.test(url)) {
      throw propError({
        ...at('url'),
        value: url,
        allowed: allowHttp ? 'an absolute http:// or https:// URL' : 'an absolute https:// URL',
        fix: allowHttp || !url?.startsWith?.('http://') ? 'pass e.g. "https://models.example.com/tinyllama.gguf"' : 'use https, or set allowHttp: true (the sha256 check still guards the content)',
      });
    }
    refuseUrlCredentials(at('url'), parsed, parsed.hostname === 'huggingface.co' || parsed.hostname.endsWith('.huggingface.co')
      ? "use ModelSource.fromHuggingFace for files of the Hub, with options.token = SecretKeyReference.fromSecret('hf-token', 'token') for a gated repository"
      : "pass the URL without credentials (a pre-signed URL also expires before a re-import) and, if the server needs a bearer token, put it in a Secret: options.token = SecretKeyReference.fromSecret('model-server-token', 'token')");
    let fileName = options.fileName;
    if (fileName === undefined) {
      const last = parsed.pathname.split('/').pop() ?? '';
      try {
        fileName = decodeURIComponent(last);
      } catch {
        fileName = last;
      }
      if (!FILE_NAME.test(fileName)) {
        throw propError({
          ...at('fileName'),
          value: fileName,
          allowed: `a file name taken from the URL path (${JSON.stringify(parsed.pathname)}): letters, digits and '. _ -', not starting with '.' or '-'`,
          fix: 'pass options.fileName, e.g. "model.gguf"',
        });
      }
    }
    const token = optionalInstance(at('token'), options.token, SecretKeyReference, "SecretKeyReference.fromSecret('model-server-token', 'token')");
    if (token !== undefined && parsed.protocol !== 'https:') {
      throw propError({
        ...at('token'),
        value: `Secret ${token.secretName} key ${token.key} with the http URL ${parsed.href}`,
        allowed: 'a token for an https:// URL only (over http anyone on the path could read it)',
        fix: 'serve the file over https, or leave the token out',
      });
    }
    return new ModelSource({ ctx: at, url: parsed.href, fileName, options, token });
  }

  /** Download URL. */
  public readonly url: string;
  /** Name of the file in the artifact (layer title and model file path). */
  public readonly fileName: string;
  /** Expected SHA-256, 64 lowercase hex characters. */
  public readonly sha256: string;
  /** Expected size in bytes. */
  public readonly sizeBytes: number;
  /** The layer type as declared, if any (see `ModelSourceOptions.layerType`). */
  public readonly layerType?: ModelLayerType;
  /** Hugging Face repository, for sources from the Hub. */
  public readonly huggingFaceRepository?: string;
  /** Hugging Face revision, for sources from the Hub. */
  public readonly revision?: string;
  /** The Secret key of the access token the download needs, if any. */
  public readonly token?: SecretKeyReference;

  private constructor(init: {
    ctx: (prop: string) => PropContext;
    url: string;
    fileName: string;
    options: ModelSourceOptions;
    huggingFaceRepository?: string;
    revision?: string;
    token?: SecretKeyReference;
  }) {
    const { ctx, options } = init;
    if (!FILE_NAME.test(init.fileName)) {
      throw propError({
        ...ctx('fileName'),
        value: init.fileName,
        allowed: "a file name of 1-255 letters, digits and '. _ -', not starting with '.' or '-', without '/' or ':'",
        fix: 'pass a plain file name such as "model.gguf"',
      });
    }
    if (typeof options.sha256 !== 'string' || !SHA256.test(options.sha256)) {
      throw propError({
        ...ctx('sha256'),
        value: options.sha256,
        allowed: 'the SHA-256 of the file: 64 hex characters, without a "sha256:" prefix',
        fix: 'copy the SHA256 shown for the file (e.g. on the Hub\'s file page) or run `sha256sum <file>`',
      });
    }
    if (typeof options.sizeBytes !== 'number' || !Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < 1) {
      throw propError({
        ...ctx('sizeBytes'),
        value: options.sizeBytes,
        allowed: `the file size in bytes: an integer from 1 to ${Number.MAX_SAFE_INTEGER}`,
        fix: 'pass the exact size (e.g. `stat -c %s <file>`), e.g. 668788096',
      });
    }
    if (options.layerType !== undefined) {
      requireEnumMember(ctx('layerType'), options.layerType, ModelLayerType as unknown as Record<string, ModelLayerType>, 'ModelLayerType.WEIGHT');
    }
    this.url = init.url;
    this.fileName = init.fileName;
    this.sha256 = options.sha256.toLowerCase();
    this.sizeBytes = options.sizeBytes;
    this.layerType = options.layerType;
    this.huggingFaceRepository = init.huggingFaceRepository;
    this.revision = init.revision;
    this.token = init.token;
  }

  /** `sha256:<hex>`, the digest of the raw layer this file becomes. */
  public get digest(): string {
    return `sha256:${this.sha256}`;
  }

  /** TCP port the download connects to (for the Job's egress policy). @internal */
  public _downloadPort(): number {
    const parsed = new URL(this.url);
    if (parsed.port !== '') return Number(parsed.port);
    return parsed.protocol === 'http:' ? 80 : 443;
  }

  /** The layer type: as declared, else inferred from the file name. @internal */
  public _layerTypeOrInferred(): ModelLayerType {
    if (this.layerType !== undefined) return this.layerType;
    const lower = this.fileName.toLowerCase();
    if (DOC_NAMES.test(this.fileName) || lower.endsWith('.md')) return ModelLayerType.DOC;
    if (lower.endsWith('.py')) return ModelLayerType.CODE;
    if (WEIGHT_EXTENSIONS.some((ext) => lower.endsWith(ext))) return ModelLayerType.WEIGHT;
    return ModelLayerType.WEIGHT_CONFIG;
  }
}

function requireOptions(ctx: PropContext, options: unknown, example: string): void {
  if (options === null || typeof options !== 'object') {
    throw propError({ ...ctx, value: options, allowed: 'an options object', fix: `pass ${example}` });
  }
}


function requireEndpoint(ctx: PropContext, value: string): string {
  const parsed = parseAbsoluteUrl(value);
  if (parsed) refuseUrlCredentials(ctx, parsed, 'pass the mirror\'s base URL without credentials');
  if (!parsed || parsed.protocol !== 'https:' || parsed.search !== '' || parsed.hash !== '') {
    throw propError({
      ...ctx,
      value,
      allowed: 'an https:// base URL without credentials, query or fragment',
      fix: 'pass e.g. "https://huggingface.co" or the URL of a Hub mirror',
    });
  }
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/**
 * Rendering of what the import Job pushes besides the files: the ModelPack config blob, the ORAS
 * annotation file and the Job's spec. Internal: not part of the jsii surface.
 *
 * Harbor 2.13-2.15 pick their CNAI processor by the manifest artifactType
 * `application/vnd.cnai.model.manifest.v1+json` only, read the config blob into the model badge,
 * list files by the layer annotation `org.cnai.model.filepath` and show manifest annotations in the
 * Overview (goharbor/harbor@v2.14.4:src/controller/artifact/processor/cnai/cnai.go and
 * processor/cnai/parser). The config follows model-spec v0.0.6 (`modelfs.diff_ids`) or v0.0.7
 * (`modelfs.diffIds`) (modelpack/model-spec:specs-go/v1/config.go, schema/config-schema.json at
 * those tags).
 */
import { ModelLayerType, ModelMediaTypes } from './model-metadata';

/**
 * Creation time written into the manifest (`org.opencontainers.image.created`) and the config
 * (`descriptor.createdAt`) when none is given. A constant, not the time of the push: the same files
 * and metadata must always give the same manifest digest.
 */
export const DEFAULT_MODEL_CREATED_AT = '2025-01-01T00:00:00Z';

/** ORAS' manifest annotation key for the creation time: pinned so that equal files give equal digests. */
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';

/** The identifiers of one ModelPack namespace (`vnd.cnai` or `vnd.cncf`). */
export interface ModelPackIds {
  /** Manifest `artifactType`, the only thing Harbor's processor lookup matches. */
  readonly artifactType: string;
  /** Config blob media type. */
  readonly configMediaType: string;
  /** Layer annotation with the file's path in the model tree. */
  readonly filepathAnnotation: string;
  /** Prefix of the manifest annotations (`org.cnai.model.`). */
  readonly annotationPrefix: string;
  /** Key of the layer digests list in `modelfs`. */
  readonly diffIdsKey: 'diff_ids' | 'diffIds';
}

/** Identifiers per namespace. */
export function modelPackIds(namespace: ModelMediaTypes): ModelPackIds {
  const ns = namespace === ModelMediaTypes.CNCF ? 'cncf' : 'cnai';
  return {
    artifactType: `application/vnd.${ns}.model.manifest.v1+json`,
    configMediaType: `application/vnd.${ns}.model.config.v1+json`,
    filepathAnnotation: `org.${ns}.model.filepath`,
    annotationPrefix: `org.${ns}.model.`,
    diffIdsKey: namespace === ModelMediaTypes.CNCF ? 'diffIds' : 'diff_ids',
  };
}

/** Media type of a raw (one unarchived file) layer, e.g. `application/vnd.cnai.model.weight.v1.raw`. */
export function layerMediaType(namespace: ModelMediaTypes, type: ModelLayerType): string {
  const ns = namespace === ModelMediaTypes.CNCF ? 'cncf' : 'cnai';
  return `application/vnd.${ns}.model.${type}.v1.raw`;
}

/** One file of the artifact, in push order. */
export interface ArtifactFile {
  readonly name: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly mediaType: string;
  readonly url: string;
}

/** Everything the config and annotations are rendered from (validated by the construct). */
export interface ModelDescription {
  readonly mediaTypes: ModelMediaTypes;
  readonly createdAt: string;
  readonly name: string;
  readonly family?: string;
  readonly description?: string;
  readonly sourceURL: string;
  readonly revision?: string;
  readonly architecture: string;
  readonly format: string;
  readonly paramSize: string;
  readonly precision?: string;
  readonly quantization?: string;
  readonly files: ArtifactFile[];
}

/**
 * The config blob: a ModelPack config (`descriptor`, `config`, `modelfs`) with only the fields the
 * schema knows (every object is `additionalProperties: false`). Keys are written in a fixed order,
 * so the blob, and with it the manifest digest, only changes when the model does.
 */
export function renderModelConfig(model: ModelDescription): string {
  const ids = modelPackIds(model.mediaTypes);
  const descriptor: Record<string, string> = { createdAt: model.createdAt, name: model.name };
  if (model.family !== undefined) descriptor.family = model.family;
  if (model.description !== undefined) descriptor.description = model.description;
  descriptor.sourceURL = model.sourceURL;
  if (model.revision !== undefined) descriptor.revision = model.revision;
  const config: Record<string, string> = { architecture: model.architecture, format: model.format, paramSize: model.paramSize };
  if (model.precision !== undefined) config.precision = model.precision;
  if (model.quantization !== undefined) config.quantization = model.quantization;
  return JSON.stringify({
    descriptor,
    config,
    modelfs: { type: 'layers', [ids.diffIdsKey]: model.files.map((f) => `sha256:${f.sha256}`) },
  });
}

/**
 * The manifest annotations: the demo's `org.cnai.model.*` keys (format, architecture, param.size,
 * quantization, description, plus precision and family when given, pre-v0.0.1 draft keys that
 * Harbor shows in the artifact Overview) and the pinned `org.opencontainers.image.created`.
 */
export function manifestAnnotations(model: ModelDescription): Record<string, string> {
  const p = modelPackIds(model.mediaTypes).annotationPrefix;
  const annotations: Record<string, string> = {
    [`${p}format`]: model.format,
    [`${p}architecture`]: model.architecture,
    [`${p}param.size`]: model.paramSize,
  };
  if (model.quantization !== undefined) annotations[`${p}quantization`] = model.quantization;
  if (model.precision !== undefined) annotations[`${p}precision`] = model.precision;
  if (model.family !== undefined) annotations[`${p}family`] = model.family;
  if (model.description !== undefined) annotations[`${p}description`] = model.description;
  annotations[CREATED_ANNOTATION] = model.createdAt;
  return annotations;
}

/**
 * The ORAS `--annotation-file`: `$manifest` for the manifest, and per file (keyed by the file
 * reference exactly as the push command line names it) the model-spec filepath annotation. ORAS
 * adds `org.opencontainers.image.title` itself.
 */
export function renderAnnotationFile(model: ModelDescription): string {
  const ids = modelPackIds(model.mediaTypes);
  const file: Record<string, Record<string, string>> = { $manifest: manifestAnnotations(model) };
  for (const f of model.files) file[f.name] = { [ids.filepathAnnotation]: f.name };
  return JSON.stringify(file, null, 2);
}

/**
 * The spec import-model.sh reads: the target, the push identifiers and one line per file. Names,
 * digests and URLs only, never a credential.
 */
export function renderImportSpec(reference: string, plainHttp: boolean, mediaTypes: ModelMediaTypes, files: ArtifactFile[]): string {
  const ids = modelPackIds(mediaTypes);
  return [
    '# cnai-model-platform model import spec, format 1: names, digests and URLs, no secret values.',
    `reference ${reference}`,
    `plain-http ${plainHttp}`,
    `artifact-type ${ids.artifactType}`,
    `config-media-type ${ids.configMediaType}`,
    ...files.map((f) => `file ${f.name} ${f.sizeBytes} ${f.sha256} ${f.mediaType} ${f.url}`),
    '',
  ].join('\n');
}

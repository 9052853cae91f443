import { Construct, IConstruct } from 'constructs';
import { buildImportJob, ensureImportNamespaceDefaultDeny, TokenDownload } from './import-job';
import {
  ModelFormat,
  ModelLayerType,
  ModelMediaTypes,
  Quantization,
  requireEnumMember,
  requireIdentifier,
  requireParamSize,
  requirePrecision,
  requireText,
  requireTimestamp,
} from './model-metadata';
import { ModelSource } from './model-source';
import { ArtifactFile, DEFAULT_MODEL_CREATED_AT, layerMediaType, renderAnnotationFile, renderImportSpec, renderModelConfig } from './modelpack-config';
import { ClusterNetwork, resolveClusterNetwork } from '../core/cluster-network';
import { ComputeResources } from '../core/compute-resources';
import { PropValidationError, describeObject, propError } from '../core/errors';
import { ImageCatalog, PlatformImage } from '../core/images';
import { ModelReference } from '../core/model-reference';
import { ensureNamespace, shortHash } from '../core/names';
import { NetworkPeer, PolicyRule, registryEgressRules, tcp } from '../core/network-policy';
import { ComponentResourceDefaults, resourceRequirements } from '../core/pod-security';
import { PropContext, requireDnsLabel, requireDnsSubdomain, requireCidr, rejectNullProps, optionalInstance } from '../core/validate';
import { PORTS } from '../harbor/context';
import { HarborProject } from '../harbor/project';
import { HarborRobotAccount, RobotPermission } from '../harbor/robot-account';

const CONSTRUCT = 'ModelArtifact';

const DEFAULT_RESOURCES: ComponentResourceDefaults = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' };
/** `<base>-<8 hex>` must stay a 63-character label. */
const MAX_BASE_NAME = 54;

/**
 * What a `ModelArtifact` imports and how its Job runs, apart from where it pushes (shared by
 * `ModelArtifactProps` and `ModelPlatform`).
 */
export interface ModelArtifactSpec {
  /** Repository inside the project, e.g. `tinyllama-oras` (lowercase path components joined by '/'). */
  readonly repository: string;

  /** Tag of the artifact, e.g. `v1.0.0-gguf`. */
  readonly tag: string;

  /** The weight file: where to download it, its sha256 and size. */
  readonly source: ModelSource;

  /** Format of the weights (config `config.format`, annotation `org.cnai.model.format`). */
  readonly format: ModelFormat;

  /** Model architecture, e.g. `llama` or `transformer` (config `config.architecture`). */
  readonly architecture: string;

  /** Parameter count as model-spec writes it: a count with at most one decimal and Q, T, B, M or K, e.g. `1.1B`, `70B`, `500M`. */
  readonly paramSize: string;

  /**
   * Quantization scheme of the weights.
   *
   * @default - none written
   */
  readonly quantization?: Quantization;

  /**
   * Data type of the weights, e.g. `float16`, or a comma list for mixed precision.
   *
   * @default - none written
   */
  readonly precision?: string;

  /**
   * Model family, e.g. `llama3` (config `descriptor.family`).
   *
   * @default - none written
   */
  readonly family?: string;

  /**
   * Human-readable description (config `descriptor.description`, annotation `org.cnai.model.description`).
   *
   * @default - none written
   */
  readonly description?: string;

  /**
   * Model name in the config (`descriptor.name`, shown on Harbor's model badge).
   *
   * @default - the last path component of `repository`
   */
  readonly modelName?: string;

  /**
   * Further files pushed as layers after the weights, e.g. a tokenizer (weight config layer),
   * README or LICENSE (doc layers, shown by Harbor 2.14+ when named `README`/`README.md` and
   * `LICENSE`/`LICENSE.txt`).
   *
   * @default - none
   */
  readonly extraFiles?: ModelSource[];

  /**
   * CPU and memory of the import container.
   *
   * @default - requests 100m CPU and 128Mi memory, memory limit 512Mi
   */
  readonly resources?: ComputeResources;

  /**
   * StorageClass for the download scratch space. With it, the files are downloaded into a generic
   * ephemeral volume (a PVC created and deleted with the Job's pod); without, into an emptyDir on
   * the node (with a matching ephemeral-storage request), which suits models that fit a node's disk.
   *
   * @default - an emptyDir sized for the files
   */
  readonly storageClassName?: string;

  /**
   * Fixed RFC 3339 creation time for the manifest (`org.opencontainers.image.created`) and the
   * config (`descriptor.createdAt`). Never the current time: the same files and metadata must
   * always give the same digest.
   *
   * @default '2025-01-01T00:00:00Z'
   */
  readonly createdAt?: string;

  /**
   * IPv4 or IPv6 CIDR the Job may download from (on the URLs' ports, 443 for https).
   *
   * @default '0.0.0.0/0'
   */
  readonly allowedDownloadCidr?: string;

  /**
   * ModelPack identifiers: legacy `vnd.cnai` (what Harbor 2.13-2.15 recognise) or `vnd.cncf`
   * (model-spec v0.0.7+, Harbor's main branch).
   *
   * @default ModelMediaTypes.CNAI
   */
  readonly mediaTypes?: ModelMediaTypes;
}

/** Props for `ModelArtifact`. */
export interface ModelArtifactProps extends ModelArtifactSpec {
  /** Harbor project the model is pushed to (from `HarborModelRegistry.addProject`). */
  readonly project: HarborProject;

  /**
   * Robot account of `project` that pushes: it must have `RobotPermission.PUSH` and list the
   * import `namespace` among its namespaces (its credentials Secret is mounted from there).
   */
  readonly pushRobot: HarborRobotAccount;

  /**
   * Namespace the import Job runs in (created if no other construct created it).
   *
   * @default 'model-import'
   */
  readonly namespace?: string;

  /**
   * Image catalog (registry mirror, overrides) for the ORAS image (and the curl image, for sources
   * with a token).
   *
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * The cluster's network: the DNS servers the import pods may query.
   *
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;
}


/** Import base names taken per App and namespace, to refuse two imports whose objects would collide. */
const BASE_NAMES = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A model imported into Harbor as a CNAI model artifact (ModelPack), by an idempotent Job.
 *
 * The Job (in `namespace`) first reads the tag: when it already holds a model artifact with the
 * declared files as layers, it does nothing. Otherwise it downloads every file into a scratch
 * volume, verifies size and sha256 (a mismatch fails the Job at once, naming the file, the expected
 * and the actual digest), and pushes with ORAS exactly as released Harbor recognises a model:
 * `--artifact-type application/vnd.cnai.model.manifest.v1+json`, a ModelPack config blob
 * (`application/vnd.cnai.model.config.v1+json`), one raw layer per file with
 * `org.cnai.model.filepath`, and the manifest annotations `org.cnai.model.format`,
 * `.architecture`, `.param.size`, `.quantization`, `.description` with a fixed
 * `org.opencontainers.image.created`, so the same file always gives the same digest.
 *
 * The push robot's credentials come from its Secret in `namespace` (files, never argv, env or logs).
 * Files of gated or private sources (`ModelSource` option `token`) are downloaded first by an init
 * container of the curl image, which sends the token to the source's host only.
 *
 * @example
 * const models = harbor.addProject('ml-models');
 * const pusher = models.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] });
 * new ModelArtifact(chart, 'tinyllama', {
 *   project: models, repository: 'tinyllama-oras', tag: 'v1.0.0-gguf', pushRobot: pusher,
 *   source: ModelSource.fromHuggingFace('TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF', 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf', {
 *     revision: '52e7645ba7c309695bec7ac98f4f005b139cf465',
 *     sha256: '9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0',
 *     sizeBytes: 668788096,
 *   }),
 *   format: ModelFormat.GGUF, architecture: 'llama', paramSize: '1.1B', quantization: Quantization.Q4_K_M,
 * });
 */
export class ModelArtifact extends Construct {
  /**
   * `<registryHost>/<project>/<repository>:<tag>`, with the layer digests (`sha256:<file sha256>`,
   * weights first, then the extra files) a consumer can recognise a cached copy by.
   */
  public readonly reference: ModelReference;
  /** Name of the weight file in the artifact (its layer title), e.g. `tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf`. */
  public readonly modelFile: string;
  /** Size of the weight file in bytes. */
  public readonly sizeBytes: number;
  /** Whether the registry is reached over plain HTTP (clients such as ORAS need `--plain-http`). */
  public readonly plainHttp: boolean;
  /** Namespace of the import Job. */
  public readonly namespace: string;
  /** Name of the import Job (changes whenever what it pushes changes). */
  public readonly jobName: string;
  /** Name of the ConfigMap with the script, the config blob and the annotation file. */
  public readonly configMapName: string;

  constructor(scope: Construct, id: string, props: ModelArtifactProps) {
    super(scope, id);
    rejectNullProps('ModelArtifact', props);
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });
    if (props === null || typeof props !== 'object') {
      throw propError({ ...at('props'), value: props, allowed: 'a ModelArtifactProps object', fix: 'pass project, repository, tag, source, format, architecture, paramSize and pushRobot' });
    }

    // Where it goes.
    if (!(props.project instanceof HarborProject)) {
      throw propError({ ...at('project'), value: describeObject(props.project), allowed: 'a HarborProject', fix: "pass the result of harbor.addProject('ml-models')" });
    }
    const project = props.project;
    const reference = referenceOf(project, props.repository, props.tag);
    const namespace = requireDnsLabel(at('namespace'), props.namespace ?? 'model-import');
    const robot = requirePushRobot(at('pushRobot'), props.pushRobot, project, namespace);

    // What it is.
    if (!(props.source instanceof ModelSource)) {
      throw propError({ ...at('source'), value: describeObject(props.source), allowed: 'a ModelSource', fix: 'use ModelSource.fromHuggingFace(...) or ModelSource.fromUrl(...)' });
    }
    if (props.source.layerType !== undefined && props.source.layerType !== ModelLayerType.WEIGHT) {
      throw propError({ ...at('source.layerType'), value: props.source.layerType, allowed: `"${ModelLayerType.WEIGHT}" (the source is the weight file)`, fix: 'leave layerType out for the weights; put other files into extraFiles' });
    }
    const extraFiles = props.extraFiles ?? [];
    if (!Array.isArray(extraFiles)) {
      throw propError({ ...at('extraFiles'), value: extraFiles, allowed: 'a list of ModelSource', fix: 'pass e.g. [ModelSource.fromHuggingFace(repo, "README.md", {...})]' });
    }
    const names = new Map<string, string>([[props.source.fileName, 'source']]);
    extraFiles.forEach((file, i) => {
      if (!(file instanceof ModelSource)) {
        throw propError({ ...at(`extraFiles[${i}]`), value: describeObject(file), allowed: 'a ModelSource', fix: 'use ModelSource.fromHuggingFace(...) or ModelSource.fromUrl(...)' });
      }
      const taken = names.get(file.fileName);
      if (taken !== undefined) {
        throw propError({ ...at(`extraFiles[${i}]`), value: file.fileName, allowed: `a file name not used by another file of the artifact (${taken} has it)`, fix: 'give every file a distinct name (ModelSource.fromUrl options.fileName)' });
      }
      names.set(file.fileName, `extraFiles[${i}]`);
    });
    const mediaTypes = requireEnumMember(at('mediaTypes'), props.mediaTypes ?? ModelMediaTypes.CNAI, ModelMediaTypes as unknown as Record<string, ModelMediaTypes>, 'ModelMediaTypes.CNAI');
    const format = requireEnumMember(at('format'), props.format, ModelFormat as unknown as Record<string, ModelFormat>, 'ModelFormat.GGUF');
    const architecture = requireIdentifier(at('architecture'), props.architecture, 'llama');
    const paramSize = requireParamSize(at('paramSize'), props.paramSize);
    if (props.quantization !== undefined && !(props.quantization instanceof Quantization)) {
      throw propError({ ...at('quantization'), value: props.quantization, allowed: 'a Quantization', fix: 'use a constant such as Quantization.Q4_K_M or Quantization.custom("IQ3_XXS")' });
    }
    const precision = props.precision === undefined ? undefined : requirePrecision(at('precision'), props.precision);
    const family = props.family === undefined ? undefined : requireIdentifier(at('family'), props.family, 'llama');
    const description = props.description === undefined ? undefined : requireText(at('description'), props.description, 1024);
    const modelName = requireIdentifier(at('modelName'), props.modelName ?? props.repository.split('/').pop()!, 'tinyllama');
    const createdAt = requireTimestamp(at('createdAt'), props.createdAt ?? DEFAULT_MODEL_CREATED_AT);

    // How the Job runs.
    const images = optionalInstance({ construct: 'ModelArtifact', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    if (!(images instanceof ImageCatalog)) {
      throw propError({ ...at('images'), value: describeObject(images), allowed: 'an ImageCatalog', fix: 'pass new ImageCatalog({...}) or leave it out' });
    }
    const resources = resourceRequirements(at('resources'), props.resources, DEFAULT_RESOURCES);
    const storageClassName = props.storageClassName === undefined ? undefined : requireDnsSubdomain(at('storageClassName'), props.storageClassName);
    const network = resolveClusterNetwork(at('network'), props.network);
    const downloadCidr = requireCidr(at('allowedDownloadCidr'), props.allowedDownloadCidr ?? '0.0.0.0/0', 'pass the address range of the download servers (or their proxy)');

    const sources = [props.source, ...extraFiles];
    const files: ArtifactFile[] = sources.map((s, i) => ({
      name: s.fileName,
      sha256: s.sha256,
      sizeBytes: s.sizeBytes,
      mediaType: layerMediaType(mediaTypes, i === 0 ? ModelLayerType.WEIGHT : s._layerTypeOrInferred()),
      url: s.url,
    }));
    const totalBytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);

    this.reference = reference.withLayerDigests(sources.map((s) => s.digest));
    this.modelFile = props.source.fileName;
    this.sizeBytes = props.source.sizeBytes;
    this.plainHttp = project.plainHttp;
    this.namespace = namespace;
    const baseName = claimBaseName(this, at('tag'), namespace, reference);
    this.configMapName = baseName;

    const model = {
      mediaTypes,
      createdAt,
      name: modelName,
      family,
      description,
      sourceURL: props.source.url,
      revision: props.source.revision,
      architecture,
      format,
      paramSize,
      precision,
      quantization: props.quantization?.name,
      files,
    };

    // The Namespace precedes every object of the import in the output.
    ensureNamespace(this, namespace, { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' }, at('namespace'));
    ensureImportNamespaceDefaultDeny(this, namespace);
    const built = buildImportJob(this, {
      namespace,
      baseName,
      labels: { name: 'model-import', instance: baseName, component: 'import' },
      image: images.resolve(PlatformImage.ORAS),
      resources,
      totalBytes,
      storageClassName,
      credentialsSecretName: robot.secretName,
      spec: renderImportSpec(reference.toString(), project.plainHttp, mediaTypes, files),
      config: renderModelConfig(model),
      annotations: renderAnnotationFile(model),
      egress: egressRules(project, network, downloadCidr, [...new Set(sources.map((s) => s._downloadPort()))].sort((a, b) => a - b)),
      tokenDownload: tokenDownloadOf(sources, images),
    });
    this.jobName = built.jobName;
  }
}

/** The files that need an access token, for the Job's curl init container (none: no init container). */
function tokenDownloadOf(sources: ModelSource[], images: ImageCatalog): TokenDownload | undefined {
  const files = sources.flatMap((s) => (s.token === undefined ? [] : [
    { name: s.fileName, sizeBytes: s.sizeBytes, sha256: s.sha256, url: s.url, token: s.token },
  ]));
  return files.length === 0 ? undefined : { image: images.resolve(PlatformImage.CURL), files };
}

/** The artifact reference, with repository and tag errors reported on ModelArtifact's props. */
function referenceOf(project: HarborProject, repository: string, tag: string): ModelReference {
  const fail = (prop: string, value: unknown, allowed: string, fix: string) => propError({ construct: CONSTRUCT, prop, value, allowed, fix });
  if (typeof repository !== 'string' || repository.length === 0) {
    throw fail('repository', repository, 'a repository path inside the project, e.g. "tinyllama-oras"', 'pass a lowercase repository name');
  }
  if (typeof tag !== 'string' || tag.length === 0) {
    throw fail('tag', tag, 'a tag such as "v1.0.0-gguf"', 'pass a tag');
  }
  try {
    return project.modelReference(repository, tag);
  } catch (e) {
    if (e instanceof PropValidationError && (e.prop === 'repository' || e.prop === 'tag')) {
      throw fail(e.prop, e.prop === 'repository' ? repository : tag, e.allowed, e.fix);
    }
    throw e;
  }
}

function requirePushRobot(ctx: PropContext, robot: HarborRobotAccount, project: HarborProject, namespace: string): HarborRobotAccount {
  if (!(robot instanceof HarborRobotAccount)) {
    throw propError({ ...ctx, value: describeObject(robot), allowed: 'a HarborRobotAccount', fix: "pass project.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] })" });
  }
  if (robot.projectName !== project.name) {
    throw propError({ ...ctx, value: robot.fullName, allowed: `a robot account of project "${project.name}" (a project robot can only push to its own project)`, fix: 'declare the robot with the project\'s addRobotAccount' });
  }
  if (!robot.permissions.includes(RobotPermission.PUSH)) {
    throw propError({
      ...ctx,
      value: `${robot.fullName} with permissions [${robot.permissions.join(', ')}]`,
      allowed: 'a robot account with RobotPermission.PUSH',
      fix: 'declare the robot with permissions: [RobotPermission.PUSH]',
    });
  }
  if (!robot.namespaces.includes(namespace)) {
    throw propError({
      ...ctx,
      value: `${robot.fullName} with namespaces [${robot.namespaces.join(', ')}]`,
      allowed: `a robot whose namespaces include the import namespace "${namespace}" (its credentials Secret is mounted from there)`,
      fix: `add "${namespace}" to the robot's namespaces, or set the ModelArtifact namespace to one of them`,
    });
  }
  return robot;
}

/** Egress of the import pods: DNS, the downloads, and Harbor's entry point. */
function egressRules(project: HarborProject, network: ClusterNetwork, downloadCidr: string, downloadPorts: number[]): PolicyRule[] {
  return [
    network._dnsRule(),
    { peers: [NetworkPeer.cidr(downloadCidr)], ports: tcp(...downloadPorts) },
    // Harbor's own policy admits the robots' namespaces.
    ...registryEgressRules({
      namespace: project.harborNamespace,
      podLabels: project.entryPodLabels,
      port: PORTS.http,
      ingressControllerNamespace: project.ingressControllerNamespace,
    }),
  ];
}

/**
 * Object name of an import: `<repository>-<tag>` in lowercase letters, digits and '-', at most
 * 54 characters, unique per App and namespace. When more than dots had to change to get there
 * (`team/a:b` and `team-a:b` both read `team-a-b`; uppercase; a cut), it ends in 8 hex of the
 * reference instead, so two models never share a name.
 */
function claimBaseName(scope: IConstruct, ctx: PropContext, namespace: string, reference: ModelReference): string {
  const project = reference.repository.split('/')[0];
  const inProject = reference.repository.slice(project.length + 1);
  const readable = `${inProject}-${reference.tag}`;
  const cleaned = readable
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .replace(/-+$/, '') || 'model';
  const lossless = cleaned === readable.replace(/\./g, '-') && cleaned.length <= MAX_BASE_NAME;
  const base = lossless ? cleaned : `${cleaned.slice(0, MAX_BASE_NAME - 9).replace(/-+$/, '')}-${shortHash(readable)}`;
  const root = scope.node.root;
  let taken = BASE_NAMES.get(root);
  if (!taken) {
    taken = new Map();
    BASE_NAMES.set(root, taken);
  }
  const key = `${namespace}/${base}`;
  const other = taken.get(key);
  if (other !== undefined) {
    throw propError({
      ...ctx,
      value: reference.toString(),
      allowed: `an artifact whose object names in namespace "${namespace}" are free ("${base}" is already used by the import of ${other})`,
      fix: 'import each repository and tag once, or run one of the imports in another namespace',
    });
  }
  taken.set(key, reference.toString());
  return base;
}

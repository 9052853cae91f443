import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { renderArchitectureMarkdown } from './architecture';
import { PlatformBackup } from './platform-backup';
import { PlatformModel } from './platform-model';
import { PlatformRegistry } from './platform-registry';
import { PlatformStorage } from './platform-storage';
import { PlatformComponentSummary, summarizeCharts } from './summary';
import { applySyncWaves } from './sync-waves';
import { VeleroKopiaBackup } from '../backup/velero-kopia-backup';
import { ClusterNetwork } from '../core/cluster-network';
import { describeObject, propError } from '../core/errors';
import { ImageCatalog } from '../core/images';
import { ModelReference } from '../core/model-reference';
import { fittedName } from '../core/names';
import { S3Bucket } from '../core/s3-bucket';
import { PropContext, requireDnsLabel, rejectNullProps, optionalInstance, optionalBoolean, requirePlainObject } from '../core/validate';
import { HarborModelRegistry } from '../harbor/harbor-model-registry';
import { HarborProject } from '../harbor/project';
import { HarborRobotAccount, RobotPermission } from '../harbor/robot-account';
import { HarborRegistryStorage } from '../harbor/storage';
import { InferenceModel } from '../inference/inference-model';
import { LlamaInferenceService, LlamaServerOptions } from '../inference/llama-inference-service';
import { ModelArtifact } from '../models/model-artifact';
import { SeaweedFSStorage } from '../seaweedfs/seaweedfs-storage';

const CONSTRUCT = 'ModelPlatform';

/** Namespaces of the platform's components. */
export interface PlatformNamespaces {
  /**
   * SeaweedFS.
   * @default 'seaweedfs'
   */
  readonly storage?: string;
  /**
   * Harbor (or, with an existing registry, where its entry pods run).
   * @default 'harbor'
   */
  readonly registry?: string;
  /**
   * The model import Jobs.
   * @default 'model-import'
   */
  readonly modelImport?: string;
  /**
   * Inference services that set no namespace of their own.
   * @default 'ai-inference'
   */
  readonly inference?: string;
  /**
   * Velero.
   * @default 'velero'
   */
  readonly backup?: string;
}

/** One llama.cpp service of the platform. */
export interface PlatformServiceOptions extends LlamaServerOptions {
  /** The model it serves: the `PlatformModel.key` (`<repository>:<tag>`) of one of the platform's models. */
  readonly model: string;
}

/** Props for `ModelPlatform`. */
export interface ModelPlatformProps {
  /**
   * Namespaces of the components.
   * @default - seaweedfs, harbor, model-import, ai-inference, velero
   */
  readonly namespaces?: PlatformNamespaces;

  /**
   * Image catalog (registry mirror, overrides) for every component that sets none of its own.
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * The cluster's network, for every component's NetworkPolicies: where the API server is and
   * which DNS servers pods query. Set it here, once; a component's own `network` may only repeat it.
   * Needed on Cilium (API server addresses) and with NodeLocal DNSCache (its address).
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * Where backups (and optionally Harbor's blobs) are stored.
   * @default PlatformStorage.seaweedFS()
   */
  readonly storage?: PlatformStorage;

  /**
   * The OCI registry the models live in.
   * @default PlatformRegistry.harbor()
   */
  readonly registry?: PlatformRegistry;

  /**
   * Models to import or to serve from the registry. Each `<repository>:<tag>` once.
   * @default - none
   */
  readonly models?: PlatformModel[];

  /**
   * llama.cpp services, each serving one of `models`. Two services may serve two tags of one
   * repository (A/B); rolling back is changing a service's `model` to the earlier tag.
   * @default - none
   */
  readonly services?: PlatformServiceOptions[];

  /**
   * Backup of the inference namespaces (a Schedule per namespace, model cache PVCs included).
   * @default PlatformBackup.veleroKopia()
   */
  readonly backup?: PlatformBackup;

  /**
   * Annotate every object with an Argo CD sync wave that follows the chart dependencies
   * (`10 × the chart's level + the object's own wave`, where the level is the longest chain of
   * charts the chart depends on, waves set by a component inside its chart keep their order).
   * @default true
   */
  readonly syncWaves?: boolean;
}

/** A wire between two components (for documentation and the architecture diagram). */
export interface PlatformLink {
  /** Construct path of the component that uses the other (named so, not `from`, which Python reserves). */
  readonly consumer: string;
  /** Construct path (or, outside the platform, the name) of what it uses. */
  readonly provider: string;
  /** What flows, e.g. `pulls ml-models/tinyllama-oras:v1.0.0-gguf with robot$ml-models+inference-pull`. */
  readonly description: string;
}

/**
 * The whole model platform from one props object: SeaweedFS S3 storage, Harbor with a models
 * project, model imports, llama.cpp services and Velero + Kopia backup, wired together. It only
 * composes the component constructs; every Kubernetes object is built by them.
 *
 * Each component gets its own Chart, created next to this construct (in `scope`) with the id
 * `<id>-<component>` and chart dependencies in apply order, so `cdk8s synth` writes files whose
 * lexical order is a valid `kubectl apply` order: storage, registry, models, inference, backup,
 * backup-resources (the Velero custom resources, after the CRD Job's chart).
 *
 * Every component can be replaced by an existing one: `PlatformStorage.existingBuckets(...)`,
 * `PlatformRegistry.existing(...)` with `PlatformModel.existing(...)`, `PlatformBackup.none()`.
 *
 * @example
 * new ModelPlatform(app, 'platform', {
 *   registry: PlatformRegistry.harbor({ registryStorageOnBucket: true }),
 *   models: [PlatformModel.imported({ repository: 'tinyllama-oras', tag: 'v1.0.0-gguf', source, format: ModelFormat.GGUF, architecture: 'llama', paramSize: '1.1B' })],
 *   services: [{ name: 'llama', model: 'tinyllama-oras:v1.0.0-gguf', cache: { size: '2Gi' } }],
 *   backup: PlatformBackup.veleroKopia({ oneOffBackupName: 'ai-backup' }),
 * });
 */
export class ModelPlatform extends Construct {
  /** The platform's charts, in creation order (see `chartsInApplyOrder`). */
  public readonly charts: Chart[];
  /** SeaweedFS, unless existing buckets are used. */
  public readonly storage?: SeaweedFSStorage;
  /** Bucket of Velero's BackupStorageLocation, unless backup is off. */
  public readonly backupBucket?: S3Bucket;
  /** Bucket of Harbor's registry storage, when `registryStorageOnBucket` is set. */
  public readonly registryBucket?: S3Bucket;
  /** Harbor, unless an existing registry is used. */
  public readonly registry?: HarborModelRegistry;
  /** The models project in Harbor, unless an existing registry is used. */
  public readonly modelsProject?: HarborProject;
  /** Robot the import Jobs push with (when a model is imported). */
  public readonly pushRobot?: HarborRobotAccount;
  /** Robot the inference services pull with (when a service exists and Harbor is the platform's). */
  public readonly pullRobot?: HarborRobotAccount;
  /** Registry host in model references, e.g. `harbor.harbor.svc`. */
  public readonly registryHost: string;
  /** URL of the registry (Harbor's external URL). */
  public readonly registryUrl: string;
  /** Project the models are in. */
  public readonly modelsProjectName: string;
  /** Keys (`<repository>:<tag>`) of the platform's models, in declaration order. */
  public readonly modelKeys: string[];
  /** The import Jobs, one per imported model. */
  public readonly modelArtifacts: ModelArtifact[];
  /** The llama.cpp services. */
  public readonly services: LlamaInferenceService[];
  /** Namespaces the services run in (each backed up by a Schedule), sorted. */
  public readonly inferenceNamespaces: string[];
  /** Velero, unless backup is off. */
  public readonly backup?: VeleroKopiaBackup;
  /** The wires between components. */
  public readonly links: PlatformLink[] = [];

  private readonly models = new Map<string, InferenceModel>();

  constructor(scope: Construct, id: string, props: ModelPlatformProps = {}) {
    super(scope, id);
    rejectNullProps('ModelPlatform', props);
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });
    if (props === null || typeof props !== 'object') {
      throw propError({ ...at('props'), value: props, allowed: 'a ModelPlatformProps object or nothing', fix: 'pass e.g. { models: [...], services: [...] }' });
    }
    const ns = resolveNamespaces(requirePlainObject(at('namespaces'), props.namespaces ?? {}, "{ inference: 'ai-inference' }"));
    const images = requireInstance(at('images'), optionalInstance({ construct: 'ModelPlatform', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog(), ImageCatalog, 'new ImageCatalog({...})');
    const network = requireInstance(at('network'), props.network ?? new ClusterNetwork(), ClusterNetwork, 'new ClusterNetwork({...})');
    const storage = requireInstance(at('storage'), props.storage ?? PlatformStorage.seaweedFS(), PlatformStorage, 'PlatformStorage.seaweedFS() or PlatformStorage.existingBuckets({...})');
    const registry = requireInstance(at('registry'), props.registry ?? PlatformRegistry.harbor(), PlatformRegistry, 'PlatformRegistry.harbor() or PlatformRegistry.existing({...})');
    const backup = requireInstance(at('backup'), props.backup ?? PlatformBackup.veleroKopia(), PlatformBackup, 'PlatformBackup.veleroKopia() or PlatformBackup.none()');
    const models = requireModels(props.models ?? [], registry);
    const services = requireServices(props.services ?? [], models, ns.inference);
    this.inferenceNamespaces = [...new Set(services.map((s) => s.namespace))].sort();
    this.modelKeys = models.map((m) => m.key);

    const charts: Chart[] = [];
    const newChart = (name: string, ...after: (Chart | undefined)[]): Chart => {
      const chart = new Chart(scope, `${id}-${name}`);
      for (const dependency of after) if (dependency) chart.addDependency(dependency);
      charts.push(chart);
      return chart;
    };

    // Storage: SeaweedFS with a bucket per consumer, or existing buckets.
    const harborOptions = registry._harbor;
    const wantsRegistryBucket = harborOptions?.registryStorageOnBucket === true;
    if (wantsRegistryBucket && harborOptions?.registryStorage !== undefined) {
      throw propError({
        ...at('registry.registryStorageOnBucket'),
        value: true,
        allowed: 'false when registryStorage is given',
        fix: 'set either registryStorage or registryStorageOnBucket',
      });
    }
    let storageChart: Chart | undefined;
    if (storage._seaweedFS) {
      const { backupBucketName, registryBucketName, ...seaweedProps } = storage._seaweedFS;
      storageChart = newChart('storage');
      this.storage = new SeaweedFSStorage(storageChart, 'seaweedfs', {
        ...seaweedProps,
        namespace: sameNamespace(at('storage.namespace'), seaweedProps.namespace, ns.storage, 'namespaces.storage'),
        images: seaweedProps.images ?? images,
        network: sameNetwork(at('storage.network'), seaweedProps.network, network),
      });
      if (backup._velero) {
        this.backupBucket = this.storage.addBucket(backupBucketName ?? 'velero', { consumerNamespace: ns.backup });
      }
      if (wantsRegistryBucket) {
        this.registryBucket = this.storage.addBucket(registryBucketName ?? 'harbor', { consumerNamespace: ns.registry, objectAcls: true });
      }
    } else {
      const existing = storage._existing!;
      this.backupBucket = backup._velero ? requireBucket(at('storage.backupBucket'), existing.backupBucket, 'backups are on; pass a bucket for them or PlatformBackup.none()') : undefined;
      this.registryBucket = wantsRegistryBucket ? requireBucket(at('storage.registryBucket'), existing.registryBucket, 'registryStorageOnBucket is set; pass a bucket for Harbor or drop the option') : undefined;
    }

    // Registry: Harbor with the models project and its robots, or an existing registry.
    let registryChart: Chart | undefined;
    let pullSecretName: string | undefined;
    if (harborOptions) {
      const { projectName, project, registryStorageOnBucket, ...harborProps } = harborOptions;
      registryChart = newChart('registry', this.registryBucket ? storageChart : undefined);
      this.registry = new HarborModelRegistry(registryChart, 'harbor', {
        ...harborProps,
        namespace: sameNamespace(at('registry.namespace'), harborProps.namespace, ns.registry, 'namespaces.registry'),
        images: harborProps.images ?? images,
        network: sameNetwork(at('registry.network'), harborProps.network, network),
        registryStorage: this.registryBucket ? HarborRegistryStorage.s3(this.registryBucket) : harborProps.registryStorage,
      });
      if (this.registryBucket) this.link(this.registry, this.storage ?? 'existing bucket', `registry blobs in bucket ${this.registryBucket.bucket}`);
      this.modelsProject = this.registry.addProject(projectName ?? 'ml-models', project);
      this.modelsProjectName = this.modelsProject.name;
      this.registryHost = this.registry.registryHost;
      this.registryUrl = this.registry.externalURL;
      if (models.some((m) => m._spec !== undefined)) {
        this.pushRobot = this.modelsProject.addRobotAccount('model-import', { permissions: [RobotPermission.PUSH], namespaces: [ns.modelImport] });
      }
      if (services.length > 0) {
        this.pullRobot = this.modelsProject.addRobotAccount('inference-pull', { permissions: [RobotPermission.PULL], namespaces: this.inferenceNamespaces });
      }
    } else {
      const existing = registry._existing!;
      this.registryHost = requireNonEmptyString(at('registry.registryHost'), existing.registryHost, 'harbor.example.com');
      this.modelsProjectName = requireNonEmptyString(at('registry.project'), existing.project, 'ml-models');
      this.registryUrl = `${existing.plainHttp ? 'http' : 'https'}://${this.registryHost}`;
      pullSecretName = existing.pullSecretName;
    }

    // Models: an import Job per imported model, references for the others.
    const imported = models.filter((m) => m._spec !== undefined);
    const modelsChart = imported.length > 0 ? newChart('models', registryChart) : undefined;
    this.modelArtifacts = [];
    for (const model of models) {
      if (model._spec) {
        // Construct ids that never collide: '+' appears in no repository or tag (`team/a:b` is not
        // `team-a:b`), '.' in no namespace or service name (`b-c.a` is not `c.a-b`).
        const artifact = new ModelArtifact(modelsChart!, model.key.replace(/\//g, '+'), {
          ...model._spec,
          project: this.modelsProject!,
          pushRobot: this.pushRobot!,
          namespace: ns.modelImport,
          images,
          network,
        });
        this.modelArtifacts.push(artifact);
        this.models.set(model.key, InferenceModel.fromArtifact(artifact));
        this.link(artifact, this.registry!, `pushes ${artifact.reference} with ${this.pushRobot!.fullName}`);
      } else {
        const options = model._existing!;
        const reference = ModelReference.of({
          registry: this.registryHost,
          repository: `${this.modelsProjectName}/${model.repository}`,
          tag: model.tag,
          digest: options.digest,
          layerDigests: options.layerDigests,
        });
        this.models.set(model.key, InferenceModel.fromReference(reference, model._modelFile!, {
          sizeBytes: options.sizeBytes, plainHttp: registry._existing?.plainHttp ?? this.modelsProject?.plainHttp,
        }));
      }
    }

    // Inference: one LlamaInferenceService per service, pulling with the platform's robot.
    const inferenceChart = services.length > 0 ? newChart('inference', modelsChart ?? registryChart) : undefined;
    this.services = services.map(({ options, namespace }) => {
      const { model: key, ...server } = options;
      const existing = registry._existing;
      const service = new LlamaInferenceService(inferenceChart!, `${server.name ?? 'llama'}.${namespace}`, {
        ...server,
        namespace,
        model: this.models.get(key)!,
        images,
        network,
        pullRobot: this.pullRobot,
        pullSecretName,
        harbor: this.registry,
        harborNamespace: existing ? existing.namespace ?? ns.registry : undefined,
        harborPodLabels: existing?.entryPodLabels,
        harborPort: existing?.port,
      });
      this.link(service, this.registry ?? 'existing registry', `pulls ${service.model.reference} into PVC ${service.cacheClaimName}`);
      return service;
    });

    // Backup: Velero on the backup bucket; a Schedule (and optional one-off Backup) per inference namespace.
    if (backup._velero) {
      const { scheduleCron, scheduleTtl, oneOffBackupName, ...veleroProps } = backup._velero;
      const backupChart = newChart('backup', storageChart);
      const resourcesChart = newChart('backup-resources', backupChart, inferenceChart);
      this.backup = new VeleroKopiaBackup(backupChart, 'velero', {
        ...veleroProps,
        namespace: sameNamespace(at('backup.namespace'), veleroProps.namespace, ns.backup, 'namespaces.backup'),
        images: veleroProps.images ?? images,
        network: sameNetwork(at('backup.network'), veleroProps.network, network),
        bucket: this.backupBucket!,
        resourcesChart,
      });
      this.link(this.backup, this.storage ?? 'existing bucket', `BackupStorageLocation on bucket ${this.backupBucket!.bucket} at ${this.backupBucket!.endpoint} (credentials Secret in ${this.backup.namespace})`);
      for (const namespace of this.inferenceNamespaces) {
        this.backup.scheduleNamespace(namespace, { cron: scheduleCron ?? '0 2 * * *', ttl: scheduleTtl ?? '168h0m0s' });
        if (oneOffBackupName !== undefined) {
          const name = this.inferenceNamespaces.length === 1 ? oneOffBackupName : fittedName(63, oneOffBackupName, namespace);
          this.backup.backupNamespace(namespace, { name: requireDnsLabel(at('backup.oneOffBackupName'), name) });
        }
        for (const service of this.services.filter((s) => s.namespace === namespace)) {
          this.link(this.backup, service, `Kopia file-system backup of ${namespace}, PVC ${service.cacheClaimName} included`);
        }
      }
    }

    this.charts = charts;
    if (optionalBoolean(at('syncWaves'), props.syncWaves, true)) {
      // At synth, so objects added to the charts after construction get their wave too.
      this.node.addValidation({ validate: () => applySyncWaves(this.charts) });
    }
  }

  /** The model a service would serve for `key` (`<repository>:<tag>`). */
  public inferenceModel(key: string): InferenceModel {
    const model = this.models.get(key);
    if (!model) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'inferenceModel.key',
        value: key,
        allowed: `one of the platform's models: ${[...this.models.keys()].join(', ') || 'none'}`,
        fix: 'add the model to props.models',
      });
    }
    return model;
  }

  /**
   * The platform's charts in the order `cdk8s synth` writes them (a valid apply order: every chart
   * after the charts it depends on).
   */
  public chartsInApplyOrder(): Chart[] {
    return App.of(this).charts.filter((chart) => this.charts.includes(chart));
  }

  /**
   * Per chart in apply order, what each component put into it: objects by kind, images, storage
   * (what `npm run synth` prints).
   */
  public summarize(): PlatformComponentSummary[] {
    return summarizeCharts(this.chartsInApplyOrder());
  }

  /** The platform's architecture as Markdown with a Mermaid diagram generated from the construct tree. */
  public architectureMarkdown(): string {
    return renderArchitectureMarkdown(this);
  }

  private link(from: Construct, to: Construct | string, description: string): void {
    this.links.push({ consumer: from.node.path, provider: typeof to === 'string' ? to : to.node.path, description });
  }
}

interface ResolvedNamespaces {
  readonly storage: string;
  readonly registry: string;
  readonly modelImport: string;
  readonly inference: string;
  readonly backup: string;
}

function resolveNamespaces(namespaces: PlatformNamespaces): ResolvedNamespaces {
  const label = (key: keyof PlatformNamespaces, fallback: string): string =>
    requireDnsLabel({ construct: CONSTRUCT, prop: `namespaces.${key}` }, namespaces[key] ?? fallback);
  return {
    storage: label('storage', 'seaweedfs'),
    registry: label('registry', 'harbor'),
    modelImport: label('modelImport', 'model-import'),
    inference: label('inference', 'ai-inference'),
    backup: label('backup', 'velero'),
  };
}

/** A component's own `namespace` option may repeat the platform's namespace, not contradict it. */
function sameNamespace(ctx: PropContext, own: string | undefined, platform: string, platformProp: string): string {
  if (own !== undefined && own !== platform) {
    throw propError({ ...ctx, value: own, allowed: `the platform's ${platformProp} ("${platform}") or nothing`, fix: `set ${platformProp} instead` });
  }
  return platform;
}

/**
 * A component's own `network` option may repeat the platform's, not contradict it: the cluster has
 * one API server and one DNS layout.
 */
function sameNetwork(ctx: PropContext, own: ClusterNetwork | undefined, platform: ClusterNetwork): ClusterNetwork {
  if (own !== undefined && !(own instanceof ClusterNetwork && own._sameAs(platform))) {
    throw propError({
      ...ctx,
      value: describeObject(own),
      allowed: "the platform's network (same settings) or nothing",
      fix: 'set the network once on the platform (ModelPlatformProps.network); it reaches every component',
    });
  }
  return platform;
}

function requireInstance<T>(ctx: PropContext, value: T, type: Function, example: string): T {
  if (!(value instanceof type)) {
    throw propError({ ...ctx, value: describeObject(value), allowed: `a ${type.name}`, fix: `pass ${example}` });
  }
  return value;
}

function requireBucket(ctx: PropContext, bucket: S3Bucket | undefined, why: string): S3Bucket {
  if (!(bucket instanceof S3Bucket)) {
    throw propError({ ...ctx, value: describeObject(bucket), allowed: `an S3Bucket (${why})`, fix: 'pass S3Bucket.fromAttributes({...})' });
  }
  return bucket;
}

function requireNonEmptyString(ctx: PropContext, value: string, example: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw propError({ ...ctx, value, allowed: 'a non-empty string', fix: `pass e.g. "${example}"` });
  }
  return value;
}

function requireModels(models: PlatformModel[], registry: PlatformRegistry): PlatformModel[] {
  if (!Array.isArray(models)) {
    throw propError({ construct: CONSTRUCT, prop: 'models', value: models, allowed: 'a list of PlatformModel', fix: 'pass [PlatformModel.imported({...})]' });
  }
  const keys = new Set<string>();
  models.forEach((model, i) => {
    const ctx = { construct: CONSTRUCT, prop: `models[${i}]` };
    requireInstance(ctx, model, PlatformModel, 'PlatformModel.imported({...}) or PlatformModel.existing(...)');
    if (keys.has(model.key)) {
      throw propError({ ...ctx, value: model.key, allowed: 'a repository:tag not declared before', fix: 'declare each model once; services share it by its key' });
    }
    keys.add(model.key);
    if (model._spec !== undefined && registry._harbor === undefined) {
      throw propError({
        ...ctx,
        value: model.key,
        allowed: 'PlatformModel.existing(...) with an existing registry (the platform imports only into its own Harbor)',
        fix: 'push the model with your pipeline and declare it with PlatformModel.existing, or use PlatformRegistry.harbor()',
      });
    }
  });
  return models;
}

interface ResolvedService {
  readonly options: PlatformServiceOptions;
  readonly namespace: string;
}

function requireServices(services: PlatformServiceOptions[], models: PlatformModel[], defaultNamespace: string): ResolvedService[] {
  if (!Array.isArray(services)) {
    throw propError({ construct: CONSTRUCT, prop: 'services', value: services, allowed: 'a list of PlatformServiceOptions', fix: "pass [{ name: 'llama', model: 'tinyllama-oras:v1.0.0-gguf', cache: { size: '2Gi' } }]" });
  }
  const keys = models.map((m) => m.key);
  const taken = new Set<string>();
  return services.map((options, i) => {
    const ctx = (prop: string): PropContext => ({ construct: CONSTRUCT, prop: `services[${i}].${prop}` });
    if (options === null || typeof options !== 'object') {
      throw propError({ ...ctx('options'), value: options, allowed: 'a PlatformServiceOptions object', fix: "pass { name: 'llama', model: '<repository>:<tag>', cache: { size: '2Gi' } }" });
    }
    if (!keys.includes(options.model)) {
      throw propError({
        ...ctx('model'),
        value: options.model,
        allowed: `the key of one of the platform's models (${keys.join(', ') || 'none declared'})`,
        fix: 'declare the model in props.models and name it here as <repository>:<tag>',
      });
    }
    const namespace = requireDnsLabel(ctx('namespace'), options.namespace ?? defaultNamespace);
    const name = options.name ?? 'llama';
    if (taken.has(`${namespace}/${name}`)) {
      throw propError({ ...ctx('name'), value: name, allowed: `a name not used by another service in namespace "${namespace}"`, fix: 'give every service of a namespace its own name' });
    }
    taken.add(`${namespace}/${name}`);
    return { options, namespace };
  });
}

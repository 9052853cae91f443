import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { Cdk8sChartDeployment } from './chart-deployment';
// The library by its own package name (package.json `exports`): this folder is compiled by plain tsc
// after jsii and must not import `../` paths. Tests map the name to src/ with jest's moduleNameMapper.
import { ModelPlatform as Cdk8sModelPlatform, ModelPlatformProps } from 'cnai-model-platform';

/** Where Velero writes the backups. */
export interface BackupLocation {
  /** Bucket of the BackupStorageLocation. */
  readonly bucket: string;
  /** S3 endpoint URL of the bucket. */
  readonly endpoint: string;
  /** Key prefix inside the bucket, when one is set. */
  readonly prefix?: string;
}

/** Arguments of `ModelPlatform`: the cdk8s `ModelPlatformProps` plus two Pulumi-only fields. */
export interface ModelPlatformArgs extends ModelPlatformProps {
  /**
   * Do not wait for the objects to become ready. Default false. Waiting is what orders the charts
   * on a live cluster (e.g. the Velero custom resources wait for the CRD Job), so leave it off for `pulumi up`.
   */
  readonly skipAwait?: pulumi.Input<boolean>;
  /** The provider's default namespace, for depends-on references of objects without one. Default `default`. */
  readonly defaultNamespace?: string;
}

/** Construct id of the platform in the private App: charts and paths as in `examples/main.ts` (`platform-storage`, ...). */
const CONSTRUCT_ID = 'platform';

/**
 * The cdk8s `ModelPlatform` deployed with Pulumi. It builds the constructs in a private cdk8s App
 * (nothing is written to disk) and deploys its charts with a child `Cdk8sChartDeployment`: one
 * `kubernetes:yaml/v2:ConfigGroup` per chart, named `<name>-platform-<component>` (stable), ordered
 * with depends-on annotations and `dependsOn` between the ConfigGroups.
 *
 * Invalid args raise a `pulumi.ResourceError` with the library's message.
 *
 * @example
 * const platform = new ModelPlatform('platform', { models: [...], services: [...] });
 * export const harborUrl = platform.harborUrl;
 */
export class ModelPlatform extends pulumi.ComponentResource {
  /** URL of the registry (Harbor's external URL). */
  public readonly harborUrl: pulumi.Output<string>;
  /** Registry host in the model references, e.g. `harbor.harbor.svc`. */
  public readonly registryHost: pulumi.Output<string>;
  /** Model key (`<repository>:<tag>`) -> OCI reference of the model. */
  public readonly modelReferences: pulumi.Output<Record<string, string>>;
  /** `<namespace>/<name>` of each llama.cpp service -> its endpoint (`http://<service>.<namespace>.svc:<port>`). */
  public readonly inferenceEndpoints: pulumi.Output<Record<string, string>>;
  /** Velero's backup location: undefined when backup is off. */
  public readonly backupLocation: pulumi.Output<BackupLocation | undefined>;
  /** Number of Kubernetes objects handed to the ConfigGroups. */
  public readonly objectCount: pulumi.Output<number>;
  /** The cdk8s construct (in this component's private App), e.g. for `architectureMarkdown()`. */
  public readonly platform: Cdk8sModelPlatform;
  /** The child that holds the ConfigGroups (`deployment.configGroups`, keyed `platform-<component>`). */
  public readonly deployment: Cdk8sChartDeployment;

  constructor(name: string, args: ModelPlatformArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    // Only plain values go to the engine: the props hold class instances (models, storage, ...).
    const plain = args !== null && typeof args === 'object' ? args : {};
    super('cnai-model-platform:index:ModelPlatform', name, {
      namespaces: plain.namespaces, syncWaves: plain.syncWaves, skipAwait: plain.skipAwait, defaultNamespace: plain.defaultNamespace,
    }, opts);

    // Library errors name construct, prop, value and fix; surface them as errors of this resource.
    try {
      if (args === null || typeof args !== 'object') {
        throw new Error(`ModelPlatform 'args': got ${String(args)}, expected a ModelPlatformArgs object. Fix: pass { models: [...], services: [...] } or nothing`);
      }
      const { skipAwait, defaultNamespace, ...props } = args;
      const app = new App(); // never synthesized to disk: the ConfigGroups get the objects
      this.platform = new Cdk8sModelPlatform(app, CONSTRUCT_ID, props);
      this.deployment = new Cdk8sChartDeployment(name, { app, skipAwait, defaultNamespace }, { parent: this });
    } catch (error) {
      if (pulumi.ResourceError.isInstance(error)) throw error;
      throw new pulumi.ResourceError(error instanceof Error ? error.message : String(error), this);
    }

    const platform = this.platform;
    this.harborUrl = pulumi.output(platform.registryUrl);
    this.registryHost = pulumi.output(platform.registryHost);
    this.modelReferences = pulumi.output(Object.fromEntries(
      platform.modelKeys.map((key) => [key, platform.inferenceModel(key).reference.toString()])));
    this.inferenceEndpoints = pulumi.output(Object.fromEntries(platform.services.map((s) => [`${s.namespace}/${s.name}`, s.endpoint])));
    this.backupLocation = pulumi.output(backupLocation(platform));
    this.objectCount = this.deployment.objectCount;

    this.registerOutputs({
      harborUrl: this.harborUrl,
      registryHost: this.registryHost,
      modelReferences: this.modelReferences,
      inferenceEndpoints: this.inferenceEndpoints,
      backupLocation: this.backupLocation,
      objectCount: this.objectCount,
    });
  }
}

/** Bucket, endpoint and prefix of Velero's backup storage location. */
function backupLocation(platform: Cdk8sModelPlatform): BackupLocation | undefined {
  const { backup, backupBucket } = platform;
  if (backup === undefined || backupBucket === undefined) return undefined;
  return { bucket: backupBucket.bucket, endpoint: backupBucket.endpoint, ...(backup.prefix !== undefined ? { prefix: backup.prefix } : {}) };
}

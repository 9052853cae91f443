import { HarborModelRegistryProps } from '../harbor/harbor-model-registry';
import { HarborProjectOptions } from '../harbor/project';

/** Options of `PlatformRegistry.harbor`. */
export interface PlatformHarborOptions extends HarborModelRegistryProps {
  /**
   * Harbor project that holds the models.
   * @default 'ml-models'
   */
  readonly projectName?: string;

  /**
   * Settings of the models project (quota, scanning, immutable tags, retention).
   * @default - Harbor's defaults: private, auto-scan on push, no quota
   */
  readonly project?: HarborProjectOptions;

  /**
   * Keep Harbor's registry blobs in an S3 bucket of the platform's storage (SeaweedFS bucket
   * `registryBucketName`, or `ExistingBucketsOptions.registryBucket`) instead of a PVC. Cannot be
   * combined with `registryStorage`.
   * @default false
   */
  readonly registryStorageOnBucket?: boolean;
}

/** Options of `PlatformRegistry.existing`. */
export interface ExistingRegistryOptions {
  /** Host (and port, if any) clients pull from, e.g. `harbor.harbor.svc` or `harbor.example.com`. */
  readonly registryHost: string;

  /** Project (first path component of every repository) the models are in, e.g. `ml-models`. */
  readonly project: string;

  /**
   * Existing Secret with `username` and `password` keys (a pull robot's credentials) in every
   * inference namespace.
   * @default - anonymous pulls (a public project)
   */
  readonly pullSecretName?: string;

  /**
   * The registry is reached over plain HTTP.
   * @default false
   */
  readonly plainHttp?: boolean;

  /**
   * Namespace of the registry's entry pods inside the cluster (for the inference pods' egress policy).
   * @default 'harbor'
   */
  readonly namespace?: string;

  /**
   * Labels of the registry's entry pods (for the inference pods' egress policy).
   * @default - the nginx pods of a `HarborModelRegistry` named 'harbor'
   */
  readonly entryPodLabels?: { [key: string]: string };

  /**
   * Container port of the entry pods.
   * @default 8080
   */
  readonly port?: number;
}

/** The OCI registry the platform's models live in: a Harbor run by the platform, or an existing one. */
export class PlatformRegistry {
  /** Harbor inside the cluster (a `HarborModelRegistry`) with the models project and its robot accounts. */
  public static harbor(options: PlatformHarborOptions = {}): PlatformRegistry {
    return new PlatformRegistry(options, undefined);
  }

  /**
   * A registry that already exists (for example Harbor installed by its Helm chart). Models must
   * already be in it (`PlatformModel.existing`); the platform imports nothing.
   */
  public static existing(options: ExistingRegistryOptions): PlatformRegistry {
    return new PlatformRegistry(undefined, options);
  }

  /** @internal */
  public readonly _harbor?: PlatformHarborOptions;
  /** @internal */
  public readonly _existing?: ExistingRegistryOptions;

  private constructor(harbor: PlatformHarborOptions | undefined, existing: ExistingRegistryOptions | undefined) {
    this._harbor = harbor;
    this._existing = existing;
  }
}

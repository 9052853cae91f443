import { Construct } from 'constructs';
import { buildCore } from './components/core';
import { buildDatabase } from './components/database';
import { buildExporter } from './components/exporter';
import { buildIngress } from './components/ingress';
import { buildJobservice } from './components/jobservice';
import { buildNginx } from './components/nginx';
import { buildPortal } from './components/portal';
import { buildRedis } from './components/redis';
import { buildRegistry } from './components/registry';
import { HarborComponentResources, resolveComponentResources } from './components/resources';
import { buildTrivy } from './components/trivy';
import { HarborContext, PORTS, SERVICE_PORTS, componentSelector } from './context';
import { HarborExposure, resolveExposure, resolveExternalUrl } from './exposure';
import { HarborDatabase, HarborRedis, resolveExternalDatabase, resolveExternalRedis, resolveInternalStore } from './external-services';
import { buildNetworkPolicies, externalTargets } from './network-policies';
import { HarborProject, HarborProjectOptions } from './project';
import { HarborSecrets, declareHarborSecrets } from './secrets';
import { HarborSetup } from './setup-job';
import { HarborRegistryStorage, requireSize, resolveStorage } from './storage';
import { ClusterNetwork, resolveClusterNetwork } from '../core/cluster-network';
import { propError } from '../core/errors';
import { ImageCatalog, PlatformImage } from '../core/images';
import { ensureNamespace } from '../core/names';
import { NetworkPeer } from '../core/network-policy';
import { SecretBootstrap } from '../core/secret-bootstrap';
import { SecretKeyReference } from '../core/secret-reference';
import { optionalBoolean, optionalInstance, PropContext, rejectNullProps, requireCidr, requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireOneOf } from '../core/validate';

const CONSTRUCT = 'HarborModelRegistry';

/** Longest instance name: StatefulSet pods get `controller-revision-hash=<name>-database-<10 chars>` (≤ 63). */
const MAX_NAME_LENGTH = 30;

const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;

/** Props for `HarborModelRegistry`. */
export interface HarborModelRegistryProps {
  /**
   * Namespace for every Harbor object (created if no other construct created it).
   * @default 'harbor'
   */
  readonly namespace?: string;

  /**
   * Instance name, the prefix of object names (`<name>-core`, ..., the entry Service is `<name>`).
   * At most 30 characters.
   * @default 'harbor'
   */
  readonly name?: string;

  /**
   * Image tag of every Harbor image (`v2.14.<patch>`). Env, config files and probes are those of 2.14.
   * @default 'v2.14.4'
   */
  readonly version?: string;

  /**
   * Image catalog (registry mirror, per-image overrides).
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * How clients reach Harbor.
   * @default HarborExposure.clusterIP()
   */
  readonly exposure?: HarborExposure;

  /**
   * The URL clients use (`scheme://host[:port]`): core's EXT_ENDPOINT, the token realm and the host
   * in image references. Checked against the exposure (https exactly when the Ingress has a TLS
   * Secret; the Ingress host; the node port).
   * @default - clusterIP: `http://<name>.<namespace>.svc`; ingress: `http(s)://<host>`; nodePort: required
   */
  readonly externalURL?: string;

  /**
   * Where the registry stores blobs.
   * @default HarborRegistryStorage.persistentVolume()
   */
  readonly registryStorage?: HarborRegistryStorage;

  /**
   * PostgreSQL.
   * @default HarborDatabase.internal()
   */
  readonly database?: HarborDatabase;

  /**
   * Redis.
   * @default HarborRedis.internal()
   */
  readonly redis?: HarborRedis;

  /**
   * Deploy the Trivy scanner (core registers it as the default scanner).
   * @default true
   */
  readonly trivy?: boolean;

  /**
   * Air-gapped Trivy: never download vulnerability DBs (pre-seed the cache volume) and open no
   * internet egress for it.
   * @default false
   */
  readonly trivyOffline?: boolean;

  /**
   * Size of Trivy's cache PVC.
   * @default '5Gi'
   */
  readonly trivyStorageSize?: string;

  /**
   * Deploy the Prometheus exporter (`<name>-exporter`, port 8001).
   * @default false
   */
  readonly exporter?: boolean;

  /**
   * Size of jobservice's job-log PVC.
   * @default '1Gi'
   */
  readonly jobLogStorageSize?: string;

  /**
   * StorageClass of the job-log and Trivy PVCs (registry, database and Redis take theirs from
   * their own options).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Existing Secret key (in Harbor's namespace) with the initial admin password. Harbor applies it
   * only on first start.
   * @default - generated in-cluster (32 characters with upper, lower and digit) into Secret `<name>-admin`
   */
  readonly adminPassword?: SecretKeyReference;

  /**
   * Log level of every component: debug, info, warning, error or fatal.
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * Namespaces whose pods may reach the entry point (nginx, or core with an Ingress), besides the
   * namespaces of robot accounts declared through `HarborModelRegistry.addProject`.
   * @default - none
   */
  readonly clientNamespaces?: string[];

  /**
   * Namespace of the ingress controller, allowed to core and portal with the ingress exposure.
   * @default 'ingress-nginx'
   */
  readonly ingressControllerNamespace?: string;

  /**
   * Namespaces allowed to scrape the exporter.
   * @default - none
   */
  readonly metricsClientNamespaces?: string[];

  /**
   * CIDR for egress to external endpoints given by DNS name (external database or Redis, an S3
   * endpoint that is not an in-cluster `<service>.<namespace>.svc` name), on their ports only.
   * In-cluster Service names are reached by namespace, IPv4 literals by address.
   * @default '0.0.0.0/0'
   */
  readonly externalEndpointsCidr?: string;

  /**
   * The cluster's network: the API server peers of the secret bootstrap and setup Jobs, and the
   * DNS servers every Harbor pod may query.
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * CPU and memory per component.
   * @default - requests 100m/256Mi and a 512Mi-1Gi memory limit per component; Trivy 200m/512Mi, limits 1 CPU/1Gi
   */
  readonly resources?: HarborComponentResources;
}

/**
 * Harbor 2.14 built from typed code (no Helm): core, portal, registry + registryctl, jobservice,
 * an nginx entry point (or an Ingress), internal or external PostgreSQL and Redis, Trivy and an
 * optional exporter: every secret generated in-cluster by a `SecretBootstrap` or taken from
 * Secrets the user names; default-deny NetworkPolicies with exactly Harbor's flows. Projects and
 * robot accounts are declared with `addProject` and created by a setup Job.
 *
 * @example
 * const bucket = storage.addBucket('harbor', { consumerNamespace: 'harbor', objectAcls: true });
 * const harbor = new HarborModelRegistry(chart, 'harbor', {
 *   exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }),
 *   registryStorage: HarborRegistryStorage.s3(bucket),
 * });
 * const models = harbor.addProject('ml-models');
 */
export class HarborModelRegistry extends Construct {
  /** Namespace of the Harbor objects. */
  public readonly namespace: string;
  /** Instance name (prefix of object names). */
  public readonly name: string;
  /** Harbor version deployed (image tag). */
  public readonly version: string;
  /** The URL clients use (EXT_ENDPOINT). */
  public readonly externalURL: string;
  /** `host[:port]` of `externalURL`: what clients put in image references. */
  public readonly registryHost: string;
  /** Core's URL inside the cluster, e.g. `http://harbor-core.harbor.svc:80` (API base `<coreUrl>/api/v2.0`). */
  public readonly coreUrl: string;
  /** Name of core's Service (port 80). */
  public readonly coreServiceName: string;
  /** Name of the portal's Service (port 80). */
  public readonly portalServiceName: string;
  /** Name of the registry's Service (5000 registry, 8080 registryctl). */
  public readonly registryServiceName: string;
  /** Name of the entry Service (nginx, port 80) for clusterIP and nodePort exposure: undefined with an Ingress. */
  public readonly entryServiceName?: string;
  /** Name of the Ingress with the ingress exposure: undefined otherwise. */
  public readonly ingressName?: string;
  /** The admin password (generated Secret `<name>-admin`, or the user's). */
  public readonly adminPasswordSecret: SecretKeyReference;
  /** Labels that select core's pods (for NetworkPolicies of clients). */
  public readonly corePodLabels: { [key: string]: string };
  /** The secret bootstrap of Harbor's namespace (generated Secrets, checks of the user's Secrets). */
  public readonly secrets: SecretBootstrap;

  /** Selector labels of the pods behind the entry point (nginx, or core with an Ingress), for clients' egress policies. */
  public readonly entryPodLabels: { [key: string]: string };
  /**
   * With the ingress exposure, the ingress controller's namespace: `registryHost` resolves to
   * the Ingress, so in-cluster clients also need egress to the controller (ports 80 and 443).
   * Undefined with the clusterIP and nodePort exposures.
   */
  public readonly ingressControllerNamespace?: string;

  private readonly images: ImageCatalog;
  private readonly harborSecrets: HarborSecrets;
  private setupJob?: HarborSetup;

  constructor(scope: Construct, id: string, props: HarborModelRegistryProps = {}) {
    super(scope, id);
    rejectNullProps('HarborModelRegistry', props);
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });

    this.namespace = requireDnsLabel(at('namespace'), props.namespace ?? 'harbor');
    this.name = requireDns1035Label(at('name'), props.name ?? 'harbor', MAX_NAME_LENGTH);
    this.version = requireHarborVersion(at('version'), props.version ?? PlatformImage.HARBOR_CORE.tag);
    this.images = optionalInstance({ construct: 'HarborModelRegistry', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    const image = (entry: PlatformImage): string => this.images.resolve(entry, this.version);
    const logLevel = requireOneOf(at('logLevel'), props.logLevel ?? 'info', LOG_LEVELS);

    // Choices, validated before anything is created.
    // The chart defaults to an Ingress with a self-signed certificate; in-cluster clients need neither.
    const exposure = resolveExposure(at('exposure'), props.exposure ?? HarborExposure.clusterIP());
    const entryHost = `${this.name}.${this.namespace}.svc`;
    const url = resolveExternalUrl(at('externalURL'), props.externalURL, exposure, entryHost);
    const storage = resolveStorage(at('registryStorage'), props.registryStorage ?? HarborRegistryStorage.persistentVolume(), this.namespace);
    const database = props.database ?? HarborDatabase.internal();
    const redis = props.redis ?? HarborRedis.internal();
    requireChoice(at('database'), database, HarborDatabase, 'HarborDatabase.internal() or HarborDatabase.external({...})');
    requireChoice(at('redis'), redis, HarborRedis, 'HarborRedis.internal() or HarborRedis.external({...})');
    const internalDb = database.isInternal ? resolveInternalStore(at('database'), database._internal) : undefined;
    const externalDb = database.isInternal ? undefined : resolveExternalDatabase(at('database'), database._external);
    const internalRedis = redis.isInternal ? resolveInternalStore(at('redis'), redis._internal) : undefined;
    const externalRedis = redis.isInternal ? undefined : resolveExternalRedis(at('redis'), redis._external);
    const trivy = optionalBoolean(at('trivy'), props.trivy, true);
    const trivyOffline = optionalBoolean(at('trivyOffline'), props.trivyOffline, false);
    const exporter = optionalBoolean(at('exporter'), props.exporter, false);
    const trivyStorageSize = requireSize(at('trivyStorageSize'), props.trivyStorageSize ?? '5Gi');
    const jobLogSize = requireSize(at('jobLogStorageSize'), props.jobLogStorageSize ?? '1Gi');
    const storageClassName = props.storageClassName === undefined ? undefined : requireDnsSubdomain(at('storageClassName'), props.storageClassName);
    const resources = resolveComponentResources(at('resources'), props.resources);
    const clientNamespaces = namespaceList(at('clientNamespaces'), props.clientNamespaces);
    const metricsNamespaces = namespaceList(at('metricsClientNamespaces'), props.metricsClientNamespaces);
    const ingressControllerNamespace = requireDnsLabel(at('ingressControllerNamespace'), props.ingressControllerNamespace ?? 'ingress-nginx');
    const externalCidr = requireCidr(at('externalEndpointsCidr'), props.externalEndpointsCidr ?? '0.0.0.0/0', 'pass the address range of the external endpoints');
    if (props.adminPassword !== undefined && !(props.adminPassword instanceof SecretKeyReference)) {
      throw propError({ ...at('adminPassword'), value: props.adminPassword, allowed: 'a SecretKeyReference', fix: "pass SecretKeyReference.fromSecret('harbor-admin', 'password') or leave it out" });
    }

    // Outputs.
    this.externalURL = url.url;
    this.registryHost = url.hostPort;
    this.coreServiceName = `${this.name}-core`;
    this.portalServiceName = `${this.name}-portal`;
    this.registryServiceName = `${this.name}-registry`;
    this.coreUrl = `http://${this.coreServiceName}.${this.namespace}.svc:${SERVICE_PORTS.core}`;
    this.entryServiceName = exposure.nginx ? this.name : undefined;
    this.ingressName = exposure.nginx ? undefined : `${this.name}-ingress`;

    // The Namespace precedes every object of the install in the output.
    ensureNamespace(this, this.namespace, { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' }, at('namespace'));
    this.secrets = new SecretBootstrap(this, 'secret-bootstrap', {
      namespace: this.namespace,
      name: this.name,
      images: this.images,
      appName: 'harbor',
      instance: this.name,
      network: resolveClusterNetwork(at('network'), props.network),
    });
    this.harborSecrets = declareHarborSecrets(this.secrets, {
      name: this.name,
      adminPassword: props.adminPassword,
      databasePassword: externalDb?.password,
      redisPassword: externalRedis?.password,
    });
    this.adminPasswordSecret = this.harborSecrets.adminPassword;

    const ctx: HarborContext = {
      namespace: this.namespace,
      name: this.name,
      version: this.version,
      logLevel,
      externalURL: url.url,
      trivy,
      // Internal stores are reached by their short Service names, like the chart does; the image
      // creates database `registry` for user `postgres`.
      database: externalDb ? { internal: false, ...externalDb } : {
        internal: true,
        host: `${this.name}-database`,
        port: PORTS.database,
        username: 'postgres',
        database: 'registry',
        sslMode: 'disable',
        password: this.harborSecrets.databasePassword,
      },
      redis: externalRedis ? { internal: false, ...externalRedis } : { internal: true, host: `${this.name}-redis`, port: PORTS.redis },
    };
    this.corePodLabels = componentSelector(ctx, 'core');
    this.entryPodLabels = exposure.nginx ? componentSelector(ctx, 'nginx') : this.corePodLabels;
    this.ingressControllerNamespace = exposure.nginx ? undefined : ingressControllerNamespace;
    const s = this.harborSecrets;

    buildCore(this, ctx, { image: image(PlatformImage.HARBOR_CORE), resources: resources.core, secrets: s, storageDriver: storage.driver });
    buildPortal(this, ctx, { image: image(PlatformImage.HARBOR_PORTAL), resources: resources.portal });
    buildRegistry(this, ctx, {
      registryImage: image(PlatformImage.HARBOR_REGISTRY),
      registryctlImage: image(PlatformImage.HARBOR_REGISTRYCTL),
      registryResources: resources.registry,
      registryctlResources: resources.registryctl,
      secrets: s,
      storage,
    });
    buildJobservice(this, ctx, {
      image: image(PlatformImage.HARBOR_JOBSERVICE), resources: resources.jobservice, secrets: s, jobLogSize, storageClassName,
    });
    if (internalDb) {
      buildDatabase(this, ctx, {
        image: image(PlatformImage.HARBOR_DATABASE), resources: resources.database, initResources: resources.databaseInit, store: internalDb,
      });
    }
    if (internalRedis) buildRedis(this, ctx, { image: image(PlatformImage.HARBOR_REDIS), resources: resources.redis, store: internalRedis });
    if (trivy) {
      buildTrivy(this, ctx, {
        image: image(PlatformImage.HARBOR_TRIVY), resources: resources.trivy, offline: trivyOffline, storageSize: trivyStorageSize, storageClassName,
      });
    }
    if (exporter) buildExporter(this, ctx, { image: image(PlatformImage.HARBOR_EXPORTER), resources: resources.exporter, secrets: s });
    if (exposure.nginx) {
      buildNginx(this, ctx, { image: image(PlatformImage.HARBOR_NGINX), resources: resources.nginx, exposure, serviceName: this.name });
    } else {
      buildIngress(this, ctx, exposure);
    }

    const external = externalTargets({
      database: externalDb,
      redis: externalRedis,
      bucket: storage.bucket,
      trivy,
      trivyDownloads: !trivyOffline,
      exporter,
      fallbackCidr: externalCidr,
    });
    buildNetworkPolicies(this, ctx, {
      network: this.secrets.network,
      nginx: exposure.nginx,
      trivy,
      exporter,
      internalDatabase: internalDb !== undefined,
      internalRedis: internalRedis !== undefined,
      external,
      entryClients: () => [
        // A NodePort is reached from outside the cluster (node addresses after SNAT): any source.
        ...(exposure.type === 'nodePort' ? [NetworkPeer.cidr('0.0.0.0/0')] : []),
        ...unique([...clientNamespaces, ...this.robotNamespaces()]).map((ns) => NetworkPeer.namespace(ns)),
      ],
      ingressController: exposure.nginx ? [] : [NetworkPeer.namespace(ingressControllerNamespace)],
      metricsClients: metricsNamespaces.map((ns) => NetworkPeer.namespace(ns)),
      // The setup Job (its own policy covers its egress) calls core's API.
      coreClients: () => (this.setupJob ? [NetworkPeer.pods(this.setupJob.podLabels)] : []),
    });
  }

  /** The setup Job that creates projects and robot accounts (created by the first `addProject`). */
  public get setup(): HarborSetup | undefined {
    return this.setupJob;
  }

  /** Projects declared with `addProject`. */
  public get projects(): HarborProject[] {
    return this.setupJob ? [...this.setupJob.projects] : [];
  }

  /**
   * Declares a Harbor project, created (or updated) by the setup Job once core answers. Robot
   * accounts added to it open the entry point to their namespaces.
   *
   * @param name project name
   * @param options visibility, quota, scanning, immutability, retention
   */
  public addProject(name: string, options?: HarborProjectOptions): HarborProject {
    return this.ensureSetup().addProject(name, options);
  }

  private ensureSetup(): HarborSetup {
    if (!this.setupJob) {
      this.setupJob = new HarborSetup(this, 'setup', {
        namespace: this.namespace,
        name: this.name,
        coreUrl: this.coreUrl,
        registryHost: this.registryHost,
        adminPassword: this.adminPasswordSecret,
        secrets: this.secrets,
        images: this.images,
        corePodLabels: this.corePodLabels,
        plainHttp: this.externalURL.startsWith('http://'),
        entryPodLabels: this.entryPodLabels,
        ingressControllerNamespace: this.ingressControllerNamespace,
      });
    }
    return this.setupJob;
  }

  /** Namespaces of the robot accounts declared so far (read at synth). */
  private robotNamespaces(): string[] {
    return this.projects.flatMap((p) => p.robotAccounts.flatMap((r) => r.namespaces));
  }
}

function requireChoice(ctx: PropContext, value: unknown, type: Function, example: string): void {
  if (!(value instanceof type)) throw propError({ ...ctx, value, allowed: `a ${type.name}`, fix: `use ${example}` });
}

function namespaceList(ctx: PropContext, values: string[] | undefined): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) {
    throw propError({ ...ctx, value: values, allowed: 'a list of namespace names', fix: 'pass e.g. ["ai-inference"]' });
  }
  return values.map((ns, i) => requireDnsLabel({ construct: ctx.construct, prop: `${ctx.prop}[${i}]` }, ns));
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * Harbor's image tag: a 2.14 patch release `v2.14.<patch>`. The env, config files and probes written
 * here are those of 2.14 (goharbor/harbor@v2.14.4); another minor release needs another library release.
 */
function requireHarborVersion(ctx: PropContext, version: string): string {
  if (typeof version !== 'string' || !/^v2\.14\.(0|[1-9][0-9]*)$/.test(version)) {
    throw propError({
      ...ctx,
      value: version,
      allowed: 'a Harbor 2.14 patch release "v2.14.<patch>" (env, config files and probes are those of 2.14)',
      fix: `use e.g. "${PlatformImage.HARBOR_CORE.tag}"; for another minor release upgrade this library`,
    });
  }
  return version;
}

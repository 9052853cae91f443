import { ApiObject, App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { NamespaceBackupOptions } from './backup';
import { buildBackupGate, OneOffBackup } from './backup-gate';
import { ANNOTATIONS, VELERO, VeleroContext, WAVES, veleroLabels } from './context';
import { buildCrdInstall } from './crd-install';
import { CustomResourceTarget, mergeSpec, namespacedRef, veleroResource } from './custom-resource';
import { buildMaintenanceConfigMap } from './maintenance';
import { buildNetworkPolicies } from './network-policies';
import { buildNodeAgent } from './node-agent';
import { VeleroKopiaBackupProps } from './props';
import { buildServiceAccount } from './rbac';
import { RestoreOptions } from './restore';
import { NamespaceScheduleOptions } from './schedule';
import { buildServer } from './server';
import { resolveSettings } from './settings';
import { MAX_SCHEDULE_NAME, namespaceBackupSpec, namespaceScheduleSpec, restoreSpec } from './specs';
import { buildBackupStorageLocation, buildVolumeSnapshotLocation } from './storage-location';
import { ClusterNetwork } from '../core/cluster-network';
import { propError } from '../core/errors';
import { GeneratedValue } from '../core/generated-value';
import { ImageCatalog, PlatformImage } from '../core/images';
import { requireLabels, requireTolerations } from '../core/kube-syntax';
import { ensureNamespace, fittedName } from '../core/names';
import { resourceRequirements } from '../core/pod-security';
import { SecretBootstrap } from '../core/secret-bootstrap';
import { PropContext, requireDnsLabel, requireInteger, rejectNullProps, optionalInstance, optionalBoolean } from '../core/validate';

const CONSTRUCT = 'VeleroKopiaBackup';

/**
 * Velero 1.18 with the node-agent and Kopia file-system backup, as
 * `velero install --provider aws --use-node-agent --uploader-type kopia` installs it, onto an S3
 * bucket (e.g. from `SeaweedFSStorage`), plus typed Backup, Schedule and Restore resources.
 *
 * Differences from the CLI install, each documented where it is made: CRDs come from a Job that
 * runs the pinned velero binary; the cloud-credentials file and a random Kopia repository password
 * are generated in-cluster (no secret value in any manifest) and the server waits for both; no
 * VolumeSnapshotLocation unless asked for; maintenance settings through the repo-maintenance
 * ConfigMap; default-deny NetworkPolicies; requests and limits everywhere; S3-compatible checksum
 * settings. Custom resources go into a later chart (see `resourcesChart`).
 *
 * @example
 * const backups = storage.addBucket('velero', { consumerNamespace: 'velero' });
 * const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: backups });
 * velero.scheduleNamespace('ai-inference', { cron: '0 2 * * *', ttl: '168h0m0s' });
 */
export class VeleroKopiaBackup extends Construct {
  /** Namespace of the install. */
  public readonly namespace: string;
  /** Velero server image. */
  public readonly veleroImage: string;
  /** velero-plugin-for-aws image. */
  public readonly pluginImage: string;
  /** Chart holding the Velero custom resources (applied after this construct's chart). */
  public readonly resourcesChart: Chart;
  /** Name of the CRD bootstrap Job (`velero-crd-install-<hash>`). */
  public readonly crdInstallJobName: string;
  /** The CRD Job as a `config.kubernetes.io/depends-on` reference. */
  public readonly crdInstallJobRef: string;
  /** Key prefix of the backups inside the bucket, when one is set. */
  public readonly prefix?: string;
  /** Name of the BackupStorageLocation (`default`). */
  public readonly backupStorageLocationName: string;
  /** Secret with the AWS shared-credentials file (key `cloud`), generated in-cluster. */
  public readonly cloudCredentialsSecretName: string;
  /** Secret with the Kopia repository password (key `repository-password`), generated in-cluster. */
  public readonly repositoryPasswordSecretName: string;
  /** ServiceAccount of the server and the node-agent. */
  public readonly serviceAccountName: string;
  /** ConfigMap given to `--repo-maintenance-job-configmap`. */
  public readonly maintenanceConfigMapName: string;

  private readonly target: CustomResourceTarget;
  private readonly ctx: VeleroContext;
  private readonly gateImage: string;
  private readonly network: ClusterNetwork;
  private readonly bslRef: string;
  private readonly declaredBackups = new Map<string, string[]>();
  private readonly declaredSchedules = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: VeleroKopiaBackupProps) {
    super(scope, id);
    rejectNullProps('VeleroKopiaBackup', props);
    const settings = resolveSettings(props);
    this.namespace = settings.namespace;
    const bucket = settings.bucket;
    this.prefix = settings.prefix;

    const images = optionalInstance({ construct: 'VeleroKopiaBackup', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    this.veleroImage = settings.veleroImage;
    this.pluginImage = settings.pluginImage;
    const ctx: VeleroContext = {
      namespace: this.namespace,
      veleroImage: this.veleroImage,
      pluginImage: this.pluginImage,
      version: PlatformImage.VELERO.tag,
    };
    this.ctx = ctx;
    this.gateImage = images.resolve(PlatformImage.HARBOR_PREPARE);
    this.network = settings.network;

    const installChart = Chart.of(this);
    this.resourcesChart = this.resolveResourcesChart(id, installChart, props.resourcesChart);

    // 1. Namespace first. Privileged as `velero install` labels it: the node-agent and the
    // data-mover pods use hostPath volumes and run as root (see node-agent.ts).
    const namespace = ensureNamespace(this, this.namespace, {
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'privileged',
      'pod-security.kubernetes.io/warn-version': 'latest',
    }, { construct: CONSTRUCT, prop: 'namespace' });
    // Argo CD applies the namespace with the CRD Job in wave -1 (unless someone set a wave already).
    if (namespace.toJson().metadata?.annotations?.[ANNOTATIONS.syncWave] === undefined) {
      namespace.metadata.addAnnotation(ANNOTATIONS.syncWave, WAVES.crds);
    }

    // 2. CRDs, from the velero binary itself.
    const crds = buildCrdInstall(this, ctx, { network: settings.network });
    this.crdInstallJobName = crds.jobName;
    this.crdInstallJobRef = crds.jobRef;

    // 3. Identity, secrets, settings, workloads, policies.
    this.serviceAccountName = buildServiceAccount(this, ctx).serviceAccountName;
    const secrets = new SecretBootstrap(this, 'secret-bootstrap', {
      namespace: this.namespace,
      name: 'velero',
      images,
      appName: 'velero',
      instance: this.namespace,
      network: settings.network,
      namespaceWaitTimeout: optionalInstance({ construct: CONSTRUCT, prop: 'credentialsWaitTimeout' }, props.credentialsWaitTimeout, Duration, 'Duration.minutes(10)'),
    });
    // Random, not upstream's static "static-passw0rd". Keep a copy outside the cluster: a
    // disaster-recovery install must recreate this exact Secret before Velero starts.
    this.repositoryPasswordSecretName = secrets.addSecret(VELERO.repoCredentialsSecret, {
      keys: { [VELERO.repoCredentialsKey]: GeneratedValue.randomAlphanumeric(64) },
    }).name;
    // The shared-credentials file is rendered in-cluster from the bucket's key pair, which the
    // storage's bootstrap copies into this namespace (the script waits for it, bounded).
    const credentials = bucket.credentials!;
    const credentialsFile = GeneratedValue.awsSharedCredentials(credentials.secretName, credentials.accessKeyIdKey, credentials.secretAccessKeyKey);
    this.cloudCredentialsSecretName = secrets.addSecret(VELERO.cloudCredentialsSecret, {
      keys: { [VELERO.cloudCredentialsKey]: credentialsFile },
    }).name;

    this.maintenanceConfigMapName = buildMaintenanceConfigMap(this, ctx, {
      ...settings.maintenance,
      keepLatestMaintenanceJobs: settings.keepLatestMaintenanceJobs,
    });
    const server = buildServer(this, ctx, {
      features: settings.features,
      defaultVolumesToFsBackup: settings.defaultVolumesToFsBackup,
      fsBackupTimeout: settings.fsBackupTimeout,
      maintenanceConfigMap: this.maintenanceConfigMapName,
      logLevel: settings.logLevel,
      resources: settings.serverResources,
      pluginResources: resourceRequirements({ construct: CONSTRUCT, prop: 'plugin' }, undefined, { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '128Mi' }),
      checksumWhenRequired: settings.checksumWhenRequired,
    });
    // The server exits when Velero's CRDs are missing: it follows the CRD Job in the file (built
    // first) and names it as a depends-on (kpt, Pulumi). An annotation rather than a cdk8s object
    // dependency, which would double the paths cdk8s walks when it orders the app at synth.
    server.metadata.addAnnotation(ANNOTATIONS.dependsOn, this.crdInstallJobRef);
    buildNodeAgent(this, ctx, {
      features: settings.features,
      logLevel: settings.logLevel,
      resources: settings.nodeAgentResources,
      tolerations: props.nodeAgentTolerations === undefined ? undefined
        : requireTolerations({ construct: CONSTRUCT, prop: 'nodeAgentTolerations' }, props.nodeAgentTolerations, "[{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]"),
      kubeletRootDir: settings.kubeletRootDir,
    });
    buildNetworkPolicies(this, ctx, {
      bucket,
      network: settings.network,
      s3EgressCidr: settings.s3EgressCidr,
      metricsClientNamespaces: settings.metricsClientNamespaces,
    });

    // 4. Custom resources, in the later chart.
    this.target = { chart: this.resourcesChart, namespace: this.namespace, labels: veleroLabels(ctx, 'backup') };
    buildBackupStorageLocation(this.target, {
      bucket,
      prefix: settings.prefix,
      checksumAlgorithm: settings.checksumAlgorithm,
      publicUrl: settings.publicUrl,
      dependsOn: [this.crdInstallJobRef],
    });
    this.backupStorageLocationName = VELERO.locationName;
    this.bslRef = namespacedRef('velero.io', this.namespace, 'BackupStorageLocation', VELERO.locationName);
    if (optionalBoolean({ construct: CONSTRUCT, prop: 'volumeSnapshots' }, props.volumeSnapshots, false)) {
      buildVolumeSnapshotLocation(this.target, bucket.region, [this.crdInstallJobRef]);
    }
  }

  /**
   * A Schedule that backs up `namespace` (e.g. `ai-inference`) on a cron schedule, pod volumes
   * (the model cache) included through Kopia.
   *
   * @param namespace namespace to back up
   * @param options cron, retention and content
   * @returns the Schedule object
   */
  public scheduleNamespace(namespace: string, options: NamespaceScheduleOptions): ApiObject {
    const at = this.ctxFor('scheduleNamespace');
    requireDnsLabel(at('namespace'), namespace);
    if (options === undefined || options === null) {
      throw propError({ ...at('options'), value: options, allowed: 'options with a cron expression', fix: "pass { cron: '0 2 * * *' }" });
    }
    const name = requireDnsLabel(at('name'), options.name ?? fittedName(MAX_SCHEDULE_NAME, namespace, 'schedule'), MAX_SCHEDULE_NAME);
    const spec = mergeSpec(at('extraSpec'), namespaceScheduleSpec(at, namespace, options), options.extraSpec);
    const schedule = veleroResource(this.target, {
      kind: 'Schedule', name, spec, wave: WAVES.operations, dependsOn: [this.crdInstallJobRef, this.bslRef], labels: extraLabels(at('labels'), options.labels),
    });
    this.declaredSchedules.set(name, [namespace]);
    return schedule;
  }

  /**
   * A one-off Backup of `namespace` (the declarative form of
   * `velero backup create <name> --include-namespaces <namespace>`), created by a Job once it can
   * succeed: when the BackupStorageLocation is Available and every Deployment and StatefulSet of
   * `namespace` is ready. Velero fails a Backup created before its location is Available for good,
   * and skips the volumes of pods that are not Running without an error, so a Backup object applied
   * together with the location would lose one or the other.
   *
   * The Backup is not part of the manifests: GitOps tools apply (and keep) the Job, which creates
   * the Backup once and leaves an existing one alone; they do not re-create the Backup when
   * Velero's garbage collection deletes it after its `ttl`.
   *
   * @param namespace namespace to back up
   * @param options name (e.g. `ai-backup`), retention and content
   * @returns the Job that creates the Backup
   */
  public backupNamespace(namespace: string, options: NamespaceBackupOptions = {}): ApiObject {
    const at = this.ctxFor('backupNamespace');
    requireDnsLabel(at('namespace'), namespace);
    const name = requireDnsLabel(at('name'), options.name ?? fittedName(63, namespace, 'backup'));
    const spec = mergeSpec(at('extraSpec'), namespaceBackupSpec(at, namespace, options), options.extraSpec);
    const id = `backup-${name}`;
    if (this.declaredBackups.has(name) || this.resourcesChart.node.tryFindChild(id)) {
      throw propError({ ...at('name'), value: name, allowed: `a Backup name not used yet in chart ${this.resourcesChart.node.path}`, fix: 'pass another name' });
    }
    // A model download on a cold cache can take long: an hour by default, a week at most.
    const waitTimeoutSeconds = requireInteger(at('waitTimeout'), (options.waitTimeout ?? Duration.hours(1)).toSeconds(), 60, 7 * 86400);
    const job = buildBackupGate(new OneOffBackup(this.resourcesChart, id), this.ctx, {
      backup: {
        apiVersion: 'velero.io/v1',
        kind: 'Backup',
        metadata: { name, namespace: this.namespace, labels: { ...this.target.labels, ...extraLabels(at('labels'), options.labels) } },
        spec,
      },
      workloadNamespace: namespace,
      storageLocation: options.storageLocation ?? this.backupStorageLocationName,
      image: this.gateImage,
      network: this.network,
      dependsOn: [this.crdInstallJobRef, this.bslRef],
      waitTimeoutSeconds,
    });
    this.declaredBackups.set(name, [namespace]);
    return job;
  }

  /**
   * A Restore of a backup (or of a schedule's latest backup), run once when the object is created
   * (the declarative form of `velero restore create --from-backup <name>`).
   *
   * @param options backup or schedule, namespaces and mapping, policies
   * @returns the Restore object
   */
  public restore(options: RestoreOptions): ApiObject {
    const at = this.ctxFor('restore');
    if (options === undefined || options === null || (options.backupName === undefined) === (options.scheduleName === undefined)) {
      throw propError({
        ...at('backupName'),
        value: options ? { backupName: options.backupName, scheduleName: options.scheduleName } : options,
        allowed: 'exactly one of backupName and scheduleName',
        fix: "pass { backupName: 'ai-backup' } or { scheduleName: 'ai-inference-schedule' }",
      });
    }
    const source = options.backupName !== undefined
      ? requireDnsLabel(at('backupName'), options.backupName)
      : requireDnsLabel(at('scheduleName'), options.scheduleName!, MAX_SCHEDULE_NAME);
    const declared = options.backupName !== undefined ? this.declaredBackups.get(source) : this.declaredSchedules.get(source);
    // Namespaces the restore can contain: those of the referenced declaration, or of all of them
    // when the backup was made elsewhere (e.g. with the CLI).
    const known = declared ?? [...new Set([...this.declaredBackups.values(), ...this.declaredSchedules.values()].flat())];
    const name = requireDnsLabel(at('name'), options.name ?? fittedName(63, source, 'restore'));
    const spec = mergeSpec(at('extraSpec'), restoreSpec(at, options, known), options.extraSpec);
    const restore = veleroResource(this.target, {
      kind: 'Restore', name, spec, wave: WAVES.operations, dependsOn: [this.crdInstallJobRef, this.bslRef], labels: extraLabels(at('labels'), options.labels),
    });
    return restore;
  }

  private ctxFor(method: string): (prop: string) => PropContext {
    return (prop: string) => ({ construct: CONSTRUCT, prop: `${method}.${prop}` });
  }

  private resolveResourcesChart(id: string, installChart: Chart, given: Chart | undefined): Chart {
    if (given !== undefined) {
      if (!(given instanceof Chart) || given === installChart || given.node.root !== installChart.node.root) {
        throw propError({
          construct: CONSTRUCT,
          prop: 'resourcesChart',
          value: given instanceof Chart ? given.node.path : given,
          allowed: `a Chart of the same App other than the construct's own chart (${installChart.node.path})`,
          fix: 'pass a separate Chart, or leave resourcesChart out to get a sibling chart',
        });
      }
      given.addDependency(installChart);
      return given;
    }
    const app = installChart.node.root as App;
    const chartId = `${id}-resources`;
    if (app.node.tryFindChild(chartId)) {
      throw propError({
        construct: CONSTRUCT,
        prop: 'resourcesChart',
        value: chartId,
        allowed: 'a chart id not taken in the App',
        fix: 'give this construct another id or pass resourcesChart',
      });
    }
    const chart = new Chart(app, chartId);
    chart.addDependency(installChart);
    return chart;
  }
}

/** Extra metadata labels of a custom resource: a label map the API server accepts, or none. */
function extraLabels(ctx: PropContext, labels: { [key: string]: string } | undefined): Record<string, string> {
  return labels === undefined ? {} : requireLabels(ctx, labels, "{ 'team': 'ml' }");
}

import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  CACHE_SCRIPT_CHECKSUM_ANNOTATION, MODEL_ANNOTATION, VELERO_BACKUP_VOLUMES_ANNOTATION, VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION,
} from './annotations';
import { CACHE_INIT_RESOURCES, cacheClaim, resolveCache } from './cache-storage';
import { GpuOptions } from './gpu';
import { ResolvedGpu, requireLabelMap, resolveGpu } from './gpu-settings';
import { InferenceModel } from './inference-model';
import {
  MODEL_CACHE_SCRIPT_KEY, ModelCacheContainerOptions, modelCacheInitContainer, modelCacheScript, modelCacheVolumes, registryWaitSeconds,
  servedModelPath,
} from './model-cache';
import { CacheAccessMode, ModelCacheOptions } from './model-cache-options';
import { DEFAULT_DENY_NAME, ensureDefaultDeny, serverPolicy } from './network-policies';
import { resolveStartupSeconds, serverProbes } from './probes';
import { API_KEY_ENV, defaultPromptCacheMib, defaultThreads, serverArgs, validateExtraArgs } from './server-args';
import { ClusterNetwork, resolveClusterNetwork } from '../core/cluster-network';
import { ComputeResources } from '../core/compute-resources';
import { propError } from '../core/errors';
import { imageTag } from '../core/image-reference';
import { ImageCatalog, PlatformImage } from '../core/images';
import { kube, Wire } from '../core/kube-object';
import { ensureNamespace, selectorLabels, standardLabels } from '../core/names';
import { RegistryEntry } from '../core/network-policy';
import { resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { SecretKeyReference } from '../core/secret-reference';
import { optionalInstance, parseByteQuantity, parseCpuQuantity, PropContext, rejectNullProps, requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireInteger, requirePort } from '../core/validate';
import { HarborModelRegistry } from '../harbor/harbor-model-registry';
import { HarborRobotAccount } from '../harbor/robot-account';

const CONSTRUCT = 'LlamaInferenceService';

/** Longest instance name: `<name>-model-cache-script` (ConfigMap) and ReplicaSet pod names stay short. */
const MAX_NAME_LENGTH = 40;

/*
 * Security context decision (llama.cpp `server-b<N>` images).
 *
 * The images have no USER directive and run as root by default, but llama-server needs nothing
 * root gives: it binds an unprivileged port (>= 1024, enforced below), reads the model and writes
 * nothing unless asked to download (`-hf`, `-mu`, `-dr`, all rejected in extraArgs) or to save
 * slots. So the pod runs as an arbitrary non-root UID/GID, 65532 (not in the image's /etc/passwd;
 * llama-server never looks its user up), with a read-only root filesystem, `/tmp` as an emptyDir
 * for anything a library might still want to write, all capabilities dropped, no privilege
 * escalation and seccomp RuntimeDefault: the `restricted` Pod Security Standard, nothing relaxed.
 *
 * fsGroup 65532 hands the cache PVC to that group so the model-cache init container (same UID) can
 * write it; `OnRootMismatch` skips the recursive chown on every later start. The server mounts the
 * cache read-only: it can never damage a cached version.
 */
const RUN_AS_UID = 65532;

/** Where the cache PVC is mounted, in the init container (read-write) and the server (read-only). */
const CACHE_MOUNT_PATH = '/models';
/** Pod volume name of the cache PVC: what Velero's `backup.velero.io/backup-volumes` names. */
const CACHE_VOLUME = 'model-cache';
const TMP_VOLUME = 'tmp';

const PSS_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

/**
 * How a `LlamaInferenceService` serves, apart from which model and registry (shared by
 * `LlamaInferenceServiceProps` and `ModelPlatform`).
 */
export interface LlamaServerOptions {
  /**
   * Namespace of every object (created if no other construct created it), labelled to enforce the
   * `restricted` Pod Security Standard.
   * @default 'ai-inference'
   */
  readonly namespace?: string;

  /**
   * Instance name: the Deployment, Service, ServiceAccount and NetworkPolicy are called this: the
   * cache PVC `<name>-model-cache`. At most 40 characters.
   * @default 'llama'
   */
  readonly name?: string;

  /**
   * Pods. More than one needs `cache.accessMode` ReadWriteMany (one cache shared by every pod).
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Context size in tokens (`--ctx-size`), shared by the parallel slots. Always passed: the
   * builds' defaults differ (0 = from the model, 4096 in some older builds).
   * @default 2048
   */
  readonly contextSize?: number;

  /**
   * CPU threads for generation and prompt processing (`--threads`). At most the CPU limit when
   * `resources.cpuLimit` is set: more threads than the quota are throttled.
   * @default - the CPU limit, else the CPU request, in whole cores (at least 1); llama.cpp itself would start one thread per core of the node, whatever the container's CPU
   */
  readonly threads?: number;

  /**
   * Parallel request slots (`--parallel`): each gets `contextSize / parallel` tokens.
   * @default 1
   */
  readonly parallel?: number;

  /**
   * Size in MiB of llama-server's host-RAM prompt cache (`--cache-ram`), which keeps the KV state
   * of finished prompts so a later request with the same prefix skips its prompt processing. It
   * is anonymous memory and counts against the memory limit; llama.cpp's own default is 8192 MiB,
   * more than the default limit. 0 turns it off. Must stay below the memory limit.
   * @default - half of what the memory limit leaves after the model file and 512 MiB for KV cache and buffers, in whole MiB; 0 when that is under 64 MiB (512 for TinyLlama Q4_K_M with the default resources)
   */
  readonly promptCacheMib?: number;

  /**
   * Port the server listens on (container and Service port). Always passed with `--host 0.0.0.0`:
   * upstream is moving its default from 8080 to 9931. 1024 or above: the restricted profile
   * drops `NET_BIND_SERVICE`.
   * @default 8080
   */
  readonly port?: number;

  /**
   * Secret key holding the API key clients must send (`Authorization: Bearer <key>`). Injected as
   * `LLAMA_API_KEY` from the Secret, so the value never appears in a manifest or in `args`.
   * `/health` stays public (the probes need no key); `/metrics` then needs the key.
   * @default - no authentication
   */
  readonly apiKey?: SecretKeyReference;

  /**
   * Further llama-server arguments, e.g. `['--chat-template', 'zephyr']`. Flags the construct
   * manages (`--host`, `--port`, `--model`, `--ctx-size`, `--threads`, `--parallel`,
   * `--cache-ram`, `--metrics`, `--api-key*`, `--n-gpu-layers`, download sources) are rejected:
   * use the props.
   * @default - none
   */
  readonly extraArgs?: string[];

  /**
   * GPUs: requests the extended resource, runs the CUDA image and offloads layers.
   * @default - CPU only, with the CPU image
   */
  readonly gpu?: GpuOptions;

  /** The model cache PVC. */
  readonly cache: ModelCacheOptions;

  /**
   * CPU and memory of the server container.
   * @default - 1 CPU requested, no CPU limit; memory request max(1Gi, model size + 512Mi), limit max(2Gi, request + 1Gi)
   */
  readonly resources?: ComputeResources;

  /**
   * Namespaces whose pods may reach the server port (API and `/metrics`). The namespace's own
   * pods are not allowed unless it is listed.
   * @default - none: nothing reaches the server until a namespace is declared
   */
  readonly clientNamespaces?: string[];

  /**
   * How long the model may take to load before the container is restarted (startup probe on
   * `/health`, which answers 503 while loading). The pull from the registry, and the wait for an
   * unreachable registry (at most `registryWaitSeconds`, 96 s), are not included: they run in the
   * init container before. The Deployment's progress deadline covers all three.
   * @default - 30 s + 1 s per 25 MiB of model, at least 2 minutes; 10 minutes when the size is unknown
   */
  readonly startupTimeout?: Duration;
}

/** Props for `LlamaInferenceService`. */
export interface LlamaInferenceServiceProps extends LlamaServerOptions {
  /** The model to serve, e.g. `InferenceModel.fromArtifact(tinyllama)`. */
  readonly model: InferenceModel;

  /**
   * Harbor robot account whose credentials the model cache pulls with. It must list this
   * namespace in its `namespaces` (Harbor's setup Job then writes its Secret here).
   * @default - `pullSecretName`, or anonymous pulls (a public project)
   */
  readonly pullRobot?: HarborRobotAccount;

  /**
   * Existing Secret in this namespace with `username` and `password` keys for the registry, used
   * instead of a robot account.
   * @default - the robot's Secret, or anonymous pulls
   */
  readonly pullSecretName?: string;

  /**
   * Image catalog (registry mirror, per-image overrides).
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * The cluster's network: the DNS servers the server pods may query.
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * The Harbor the model is pulled from. Egress is opened to its entry pods (nginx, or core with an
   * Ingress exposure) on port 8080 and, with an Ingress exposure, to its ingress controller's
   * namespace on ports 80 and 443 (the registry host resolves to the Ingress). The robot and model
   * reference are checked against it.
   * @default - the entry given by `harborNamespace`, `harborPodLabels` and `harborPort`
   */
  readonly harbor?: HarborModelRegistry;

  /**
   * Namespace of the registry entry pods the cache pulls from. Setting it or `harborPodLabels`
   * replaces the entry derived from `harbor`, ingress controller included: for a registry host
   * that resolves to an ingress controller, name the controller's namespace, pods and port here.
   * @default - `harbor.namespace`, else 'harbor'
   */
  readonly harborNamespace?: string;

  /**
   * Labels of the registry entry pods the cache pulls from.
   * @default - the entry pods of `harbor`, else the nginx pods of a HarborModelRegistry named 'harbor'
   */
  readonly harborPodLabels?: { [key: string]: string };

  /**
   * Container port of the registry entry pods (NetworkPolicies match pod ports, not Service ports).
   * @default 8080
   */
  readonly harborPort?: number;
}

/**
 * llama.cpp `llama-server` serving one GGUF model from Harbor through a content-addressed model
 * cache: a PVC filled by an init container (a cache hit starts without the registry), a Deployment
 * (Recreate with a ReadWriteOnce cache), a ClusterIP Service, probes on `/health` sized for the
 * model's load time, Prometheus metrics, optional API key and GPUs, Velero file-system backup
 * annotations that select the cache and exclude the scratch emptyDirs, a default-deny namespace that enforces Pod Security `restricted`, and a
 * NetworkPolicy that admits only the declared clients and lets the pod reach only DNS and Harbor.
 *
 * @example
 * const llama = new LlamaInferenceService(chart, 'llama', {
 *   model: InferenceModel.fromArtifact(tinyllama),
 *   pullRobot: puller,
 *   harbor,
 *   cache: { size: '2Gi' },
 *   clientNamespaces: ['apps'],
 * });
 */
export class LlamaInferenceService extends Construct {
  /** Namespace of the objects. */
  public readonly namespace: string;
  /** Instance name. */
  public readonly name: string;
  /** The served model. */
  public readonly model: InferenceModel;
  /** Name of the Deployment. */
  public readonly deploymentName: string;
  /** Name of the ClusterIP Service. */
  public readonly serviceName: string;
  /** Port of the server and the Service. */
  public readonly port: number;
  /** `http://<service>.<namespace>.svc:<port>`: the OpenAI-compatible API is under `/v1`. */
  public readonly endpoint: string;
  /** Name of the model cache PVC. */
  public readonly cacheClaimName: string;
  /** Pod volume name of the cache (what Velero's backup-volumes annotation lists). */
  public readonly cacheVolumeName: string;
  /** Path of the served GGUF file inside the server container. */
  public readonly modelPath: string;
  /** Server image reference (the CUDA build when GPUs are requested). */
  public readonly image: string;
  /** Labels that select the server pods (for NetworkPolicies of clients, ServiceMonitors). */
  public readonly podLabels: { [key: string]: string };
  /** Name of the Secret the model cache pulls with, if any. */
  public readonly pullSecretName?: string;
  /** Seconds the startup probe allows for the model load. */
  public readonly startupTimeoutSeconds: number;
  /**
   * Longest time the model-cache init container waits for a registry that does not answer, per
   * lookup: 3 attempts of at most 30 s each, 2 s and 4 s apart (96 s). A tag-only reference then
   * falls back to the version last served for the tag (`cache.staleTagFallback`).
   */
  public readonly registryWaitSeconds: number;

  constructor(scope: Construct, id: string, props: LlamaInferenceServiceProps) {
    super(scope, id);
    rejectNullProps('LlamaInferenceService', props);
    const at = (prop: string): PropContext => ({ construct: CONSTRUCT, prop });
    if (props === undefined || props === null || typeof props !== 'object') {
      throw propError({ ...at('props'), value: props, allowed: 'a LlamaInferenceServiceProps object', fix: "pass at least { model, cache: { size: '2Gi' } }" });
    }

    // Choices, validated before anything is created.
    if (!(props.model instanceof InferenceModel)) {
      throw propError({ ...at('model'), value: props.model, allowed: 'an InferenceModel', fix: 'use InferenceModel.fromArtifact(artifact) or InferenceModel.fromReference(reference, file)' });
    }
    this.model = props.model;
    this.namespace = requireDnsLabel(at('namespace'), props.namespace ?? 'ai-inference');
    this.name = requireDns1035Label(at('name'), props.name ?? 'llama', MAX_NAME_LENGTH);
    if (this.name === DEFAULT_DENY_NAME) {
      // The server's NetworkPolicy carries the service name; this one is the namespace's default-deny.
      throw propError({ ...at('name'), value: this.name, allowed: `a name other than "${DEFAULT_DENY_NAME}" (the namespace's default-deny NetworkPolicy has it)`, fix: 'pick another name, e.g. "llama"' });
    }
    const replicas = requireInteger(at('replicas'), props.replicas ?? 1, 1, 100);
    const contextSize = positiveInteger(at('contextSize'), props.contextSize ?? 2048, 'a context size in tokens such as 2048');
    const parallel = positiveInteger(at('parallel'), props.parallel ?? 1, 'a slot count such as 1 or 4');
    if (contextSize < parallel) {
      throw propError({ ...at('contextSize'), value: contextSize, allowed: `at least one token per parallel slot (parallel is ${parallel})`, fix: `raise contextSize to ${parallel * 512} or lower parallel` });
    }
    this.port = requireServerPort(at('port'), props.port ?? 8080);
    const extraArgs = validateExtraArgs(at('extraArgs'), props.extraArgs);
    if (props.apiKey !== undefined && !(props.apiKey instanceof SecretKeyReference)) {
      throw propError({ ...at('apiKey'), value: props.apiKey, allowed: 'a SecretKeyReference', fix: "pass SecretKeyReference.fromSecret('llama-api-key', 'key') or leave it out" });
    }
    const gpu = resolveGpu(at('gpu'), props.gpu);
    const cache = resolveCache(at('cache'), props.cache, this.model.sizeBytes);
    if (replicas > 1 && cache.accessMode === CacheAccessMode.READ_WRITE_ONCE) {
      throw propError({
        ...at('replicas'),
        value: replicas,
        allowed: '1 with a ReadWriteOnce cache (a second pod on another node cannot mount the volume and would wait forever)',
        fix: 'use replicas: 1, or cache.accessMode CacheAccessMode.READ_WRITE_MANY on a storage class that supports it',
      });
    }
    const clientNamespaces = namespaceList(at('clientNamespaces'), props.clientNamespaces);
    const network = resolveClusterNetwork(at('network'), props.network);
    this.pullSecretName = this.resolvePullSecret(at, props);
    const registry = this.resolveRegistryEntry(at, props);
    this.startupTimeoutSeconds = resolveStartupSeconds(at('startupTimeout'), props.startupTimeout, this.model.sizeBytes);
    this.registryWaitSeconds = registryWaitSeconds();
    const images = optionalInstance({ construct: 'LlamaInferenceService', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    this.image = images.resolve(gpu ? PlatformImage.LLAMA_CPP_SERVER_CUDA : PlatformImage.LLAMA_CPP_SERVER);
    const serverResources = withGpu(
      resourceRequirements(at('resources'), props.resources, defaultServerResources(this.model.sizeBytes)),
      gpu,
    );
    const cacheResources = resourceRequirements(at('cache.resources'), cache.resources, CACHE_INIT_RESOURCES);
    const threads = resolveThreads(at('threads'), props.threads, serverResources);
    const promptCacheMib = resolvePromptCacheMib(at('promptCacheMib'), props.promptCacheMib, serverResources, this.model.sizeBytes);

    // Outputs.
    this.deploymentName = this.name;
    this.serviceName = this.name;
    this.cacheClaimName = `${this.name}-model-cache`;
    this.cacheVolumeName = CACHE_VOLUME;
    this.endpoint = `http://${this.serviceName}.${this.namespace}.svc:${this.port}`;
    this.modelPath = servedModelPath(CACHE_MOUNT_PATH, this.model.modelFile);
    const appLabels = { name: 'llama-server', instance: this.name, component: 'inference' };
    const version = imageTag(this.image);
    const labels = standardLabels({ ...appLabels, ...(version !== undefined ? { version } : {}) });
    this.podLabels = selectorLabels(appLabels);

    // Namespace first, then its default-deny: every later object of the namespace follows them.
    this.ensureRestrictedNamespace(at('namespace'));
    ensureDefaultDeny(this, this.namespace, { 'app.kubernetes.io/part-of': labels['app.kubernetes.io/part-of'], 'app.kubernetes.io/managed-by': 'cdk8s' });

    const metadata = (name: string) => ({ name, namespace: this.namespace, labels });
    kube(k8s.KubeServiceAccount, this, 'service-account', { metadata: metadata(this.name), automountServiceAccountToken: false });
    cacheClaim(this, 'model-cache', { name: this.cacheClaimName, namespace: this.namespace, labels, cache });
    const scriptConfigMapName = `${this.name}-model-cache-script`;
    const script = modelCacheScript();
    kube(k8s.KubeConfigMap, this, 'model-cache-script', { metadata: metadata(scriptConfigMapName), data: { [MODEL_CACHE_SCRIPT_KEY]: script } });

    const cacheOptions: ModelCacheContainerOptions = {
      image: images.resolve(PlatformImage.ORAS),
      reference: this.model.reference,
      modelFile: this.model.modelFile,
      cacheVolumeName: CACHE_VOLUME,
      cacheMountPath: CACHE_MOUNT_PATH,
      scriptConfigMapName,
      keepVersions: cache.keepVersions,
      verifyOnStart: cache.verifyOnStart,
      staleTagFallback: cache.staleTagFallback,
      plainHttp: this.model.plainHttp,
      credentialsSecretName: this.pullSecretName,
      resources: cacheResources,
      securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: true }),
    };

    const server: Wire<k8s.Container> = {
      name: 'llama-server',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      // The image's ENTRYPOINT is /app/llama-server: flags only.
      args: serverArgs({
        port: this.port, modelPath: this.modelPath, contextSize, threads, parallel, promptCacheMib, gpuLayers: gpu?.layers, extraArgs,
      }),
      ...(props.apiKey !== undefined
        ? { env: [{ name: API_KEY_ENV, valueFrom: { secretKeyRef: { name: props.apiKey.secretName, key: props.apiKey.key } } }] }
        : {}),
      ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
      ...serverProbes(this.port, this.startupTimeoutSeconds),
      resources: serverResources,
      securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: true }),
      volumeMounts: [
        { name: CACHE_VOLUME, mountPath: CACHE_MOUNT_PATH, readOnly: true },
        { name: TMP_VOLUME, mountPath: '/tmp' },
      ],
    };

    const volumes: Wire<k8s.Volume>[] = [
      { name: CACHE_VOLUME, persistentVolumeClaim: { claimName: this.cacheClaimName } },
      { name: TMP_VOLUME, emptyDir: { sizeLimit: '64Mi' } },
      ...modelCacheVolumes(cacheOptions),
    ];

    kube(k8s.KubeDeployment, this, 'deployment', {
      metadata: metadata(this.deploymentName),
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: progressDeadlineSeconds(this.startupTimeoutSeconds, this.registryWaitSeconds, this.model.sizeBytes),
        selector: { matchLabels: this.podLabels },
        strategy: rolloutStrategy(cache.accessMode),
        template: {
          metadata: {
            labels,
            annotations: {
              // Velero file-system backup of the cache (values are pod volume names, not PVC names).
              // On restore Velero prepends its `restore-wait` init container at index 0 and our
              // model-cache init container, declared normally after it, starts only once Kopia has
              // written the blobs, version records and served link back. It then finds the expected
              // digests present, a cache hit: the model is served without contacting the registry,
              // even when Harbor itself is not back yet (with a digest-pinned reference).
              [VELERO_BACKUP_VOLUMES_ANNOTATION]: CACHE_VOLUME,
              // Opt-out mode (`defaultVolumesToFsBackup`, VeleroKopiaBackup's default) ignores the
              // opt-in list and takes every emptyDir too: exclude the scratch volumes (nothing in
              // them outlives the pod), or each backup copies them and each restore waits for them.
              [VELERO_BACKUP_VOLUMES_EXCLUDES_ANNOTATION]: volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name).join(','),
              // The model reference (tag and digest) lives in the pod template, so changing it rolls
              // the pods through the cache; the server image stays as it is.
              [MODEL_ANNOTATION]: this.model.reference.toString(),
              [CACHE_SCRIPT_CHECKSUM_ANNOTATION]: createHash('sha256').update(script).digest('hex'),
            },
          },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            // Service links would inject *_SERVICE_HOST variables for every Service of the namespace.
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext({ runAsUser: RUN_AS_UID, runAsGroup: RUN_AS_UID, fsGroup: RUN_AS_UID }),
            // Our only init container. Nothing here may run before Velero's `restore-wait`: no
            // container of that name, no restartable (sidecar) init containers ahead of it.
            initContainers: [modelCacheInitContainer(cacheOptions)],
            containers: [server],
            volumes,
            ...(gpu?.nodeSelector ? { nodeSelector: gpu.nodeSelector } : {}),
            ...(gpu ? { tolerations: gpu.tolerations } : {}),
            ...(gpu?.runtimeClassName ? { runtimeClassName: gpu.runtimeClassName } : {}),
          },
        },
      },
    });

    kube(k8s.KubeService, this, 'service', {
      metadata: metadata(this.serviceName),
      spec: {
        type: 'ClusterIP',
        selector: this.podLabels,
        ports: [{ name: 'http', port: this.port, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
      },
    });

    if (replicas > 1) {
      // Voluntary evictions (node drains) take one pod at a time.
      kube(k8s.KubePodDisruptionBudget, this, 'pdb', {
        metadata: metadata(this.name),
        spec: { maxUnavailable: 1, selector: { matchLabels: this.podLabels } },
      });
    }

    serverPolicy(this, 'network-policy', {
      namespace: this.namespace,
      name: this.name,
      labels,
      podSelector: this.podLabels,
      port: this.port,
      clientNamespaces,
      registry,
      network,
    });
  }

  /**
   * Creates (or labels) the namespace with Pod Security `restricted` in enforce, audit and warn
   * mode. Enforce is safe: every pod of an inference namespace is ours (server and cache init
   * container are restricted-compliant, the model import Job runs elsewhere, Harbor's setup Job
   * only writes Secrets here through the API), and the `restore-wait` container Velero injects on
   * restore copies the first app container's restricted security context (or uses its own
   * restricted default). A namespace another construct already set to a different enforce level
   * is refused rather than silently tightened or loosened.
   */
  private ensureRestrictedNamespace(ctx: PropContext): void {
    ensureNamespace(this, this.namespace, PSS_LABELS, ctx);
  }

  private resolvePullSecret(at: (prop: string) => PropContext, props: LlamaInferenceServiceProps): string | undefined {
    const robot = props.pullRobot;
    if (robot !== undefined && props.pullSecretName !== undefined) {
      throw propError({ ...at('pullSecretName'), value: props.pullSecretName, allowed: 'either pullRobot or pullSecretName, not both', fix: 'remove one of them' });
    }
    if (props.pullSecretName !== undefined) return requireDnsSubdomain(at('pullSecretName'), props.pullSecretName);
    if (robot === undefined) return undefined;
    if (!(robot instanceof HarborRobotAccount)) {
      throw propError({ ...at('pullRobot'), value: robot, allowed: 'a HarborRobotAccount', fix: "use the value of project.addRobotAccount('puller', {...})" });
    }
    if (!robot.namespaces.includes(this.namespace)) {
      throw propError({
        ...at('pullRobot'),
        value: robot.fullName,
        allowed: `a robot account whose namespaces include "${this.namespace}" (it lists ${robot.namespaces.length > 0 ? robot.namespaces.map((n) => `"${n}"`).join(', ') : 'none'}), so its credentials Secret exists here`,
        fix: `add "${this.namespace}" to the namespaces of addRobotAccount('${robot.name}', ...)`,
      });
    }
    const project = this.model.reference.repository.split('/')[0];
    if (robot.projectName !== project) {
      throw propError({
        ...at('pullRobot'),
        value: robot.fullName,
        allowed: `a robot account of project "${project}", where the model ${this.model.reference.toString()} lives`,
        fix: `add a pull robot to project "${project}" and pass it`,
      });
    }
    if (props.harbor !== undefined && !props.harbor.projects.some((p) => p.robotAccounts.includes(robot))) {
      throw propError({
        ...at('pullRobot'),
        value: robot.fullName,
        allowed: `a robot account declared on the Harbor given as harbor (${props.harbor.registryHost})`,
        fix: 'pass the robot of that Harbor, or the Harbor the robot belongs to',
      });
    }
    return robot.secretName;
  }

  private resolveRegistryEntry(at: (prop: string) => PropContext, props: LlamaInferenceServiceProps): RegistryEntry {
    const harbor = props.harbor;
    if (harbor !== undefined) {
      if (!(harbor instanceof HarborModelRegistry)) {
        throw propError({ ...at('harbor'), value: harbor, allowed: 'a HarborModelRegistry', fix: 'pass the HarborModelRegistry the model was pushed to, or use harborNamespace/harborPodLabels' });
      }
      if (this.model.reference.registry !== harbor.registryHost) {
        throw propError({
          ...at('harbor'),
          value: harbor.registryHost,
          allowed: `the Harbor serving the model's registry host "${this.model.reference.registry}"`,
          fix: 'use project.modelReference(...) of that Harbor for the model, or leave harbor out and set harborNamespace/harborPodLabels/harborPort',
        });
      }
    }
    const namespace = requireDnsLabel(at('harborNamespace'), props.harborNamespace ?? harbor?.namespace ?? 'harbor');
    const podLabels = props.harborPodLabels !== undefined
      ? requireLabelMap(at('harborPodLabels'), props.harborPodLabels, "{ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/component': 'nginx' }")
      : harborEntryPodLabels(harbor);
    if (Object.keys(podLabels).length === 0) {
      throw propError({
        ...at('harborPodLabels'),
        value: podLabels,
        allowed: 'labels that select the registry entry pods (an empty map would open egress to every pod of the namespace)',
        fix: "pass e.g. { 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/component': 'nginx' }",
      });
    }
    const port = requirePort(at('harborPort'), props.harborPort ?? 8080);
    // An explicit entry (harborNamespace/harborPodLabels) says where the registry host lands; else
    // the host of a Harbor behind an Ingress resolves to the ingress controller, as for ModelArtifact.
    const explicitEntry = props.harborNamespace !== undefined || props.harborPodLabels !== undefined;
    const ingressControllerNamespace = explicitEntry ? undefined : harbor?.ingressControllerNamespace;
    return { namespace, podLabels, port, ingressControllerNamespace };
  }
}

/**
 * Harbor's entry pods: nginx with the ClusterIP and NodePort exposures, core with an Ingress (the
 * ingress controller is added by the caller). The labels follow HarborModelRegistry's selector scheme.
 */
function harborEntryPodLabels(harbor: HarborModelRegistry | undefined): Record<string, string> {
  if (harbor === undefined) return selectorLabels({ name: 'harbor', instance: 'harbor', component: 'nginx' });
  return { ...harbor.entryPodLabels };
}

/**
 * Rollout strategy. A ReadWriteOnce cache is attached to one node at a time: a surge pod scheduled
 * on another node would wait forever for the volume while the old pod holds it, so the old pod
 * goes first (Recreate; a short outage, then a cache hit or a delta pull). A ReadWriteMany cache is
 * shared: new pods start beside the old ones and replace them one by one without capacity loss.
 * The cache's writes are atomic renames of verified files, so concurrent init containers are safe.
 */
function rolloutStrategy(accessMode: CacheAccessMode): Wire<k8s.DeploymentStrategy> {
  if (accessMode === CacheAccessMode.READ_WRITE_ONCE) return { type: 'Recreate' };
  return { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
}

/** Pull rate assumed for the rollout deadline: 10 MiB/s from Harbor. */
const PULL_BYTES_PER_SECOND = 10 * 2 ** 20;
/** Pull budget when the model size is unknown. */
const UNKNOWN_SIZE_PULL_SECONDS = 1800;

/**
 * The Deployment's progress deadline: the init container may wait for an unreachable registry
 * (`registryWaitSeconds`, then the stale-tag fallback) and, on a cache miss, pull the model: the
 * server then loads it. For a large model that takes longer than Kubernetes' default 600 s. Past
 * the deadline the rollout is only reported as failed (`kubectl rollout status` exits non-zero), so
 * the estimate errs on the long side.
 */
function progressDeadlineSeconds(startupSeconds: number, registryWait: number, modelBytes: number | undefined): number {
  const pullSeconds = modelBytes === undefined ? UNKNOWN_SIZE_PULL_SECONDS : Math.ceil(modelBytes / PULL_BYTES_PER_SECOND);
  return Math.max(600, registryWait + pullSeconds + startupSeconds);
}

/** Server resources: weights are mmap'd (page cache counts against the memory limit), plus KV cache and buffers. */
function defaultServerResources(modelBytes: number | undefined): { cpuRequest: string; memoryRequest: string; memoryLimit: string } {
  const mi = 2 ** 20;
  const requestMi = Math.max(1024, Math.ceil(((modelBytes ?? 0) + 512 * mi) / mi));
  const limitMi = Math.max(2048, requestMi + 1024);
  return { cpuRequest: '1', memoryRequest: `${requestMi}Mi`, memoryLimit: `${limitMi}Mi` };
}

/**
 * Adds the GPU extended resource as a limit (Kubernetes sets the request equal to it, extended
 * resources cannot be overcommitted).
 */
function withGpu(resources: Wire<k8s.ResourceRequirements>, gpu: ResolvedGpu | undefined): Wire<k8s.ResourceRequirements> {
  if (!gpu) return resources;
  return { ...resources, limits: { ...(resources.limits ?? {}), [gpu.resourceName]: gpu.count } };
}

/** `--threads`: the user's count (at most the CPU limit) or `defaultThreads`. */
function resolveThreads(ctx: PropContext, given: number | undefined, resources: Wire<k8s.ResourceRequirements>): number {
  const cpuRequest = String(resources.requests!.cpu);
  const cpuLimit = resources.limits?.cpu === undefined ? undefined : String(resources.limits.cpu);
  const limitMillis = cpuLimit === undefined ? undefined : parseCpuQuantity(ctx, cpuLimit);
  if (given === undefined) return defaultThreads(parseCpuQuantity(ctx, cpuRequest), limitMillis);
  const threads = positiveInteger(ctx, given, 'a thread count such as 4, or leave it out for the CPU limit or request');
  if (limitMillis !== undefined && threads > Math.max(1, Math.floor(limitMillis / 1000))) {
    throw propError({
      ...ctx,
      value: threads,
      allowed: `at most ${Math.max(1, Math.floor(limitMillis / 1000))} thread(s) with the CPU limit ${cpuLimit} (more threads than the quota are throttled and slow every token)`,
      fix: `lower threads, raise resources.cpuLimit to at least "${threads}", or leave threads out`,
    });
  }
  return threads;
}

/** `--cache-ram`: the user's size (below the memory limit) or `defaultPromptCacheMib`. */
function resolvePromptCacheMib(
  ctx: PropContext,
  given: number | undefined,
  resources: Wire<k8s.ResourceRequirements>,
  modelBytes: number | undefined,
): number {
  const memoryLimit = String(resources.limits!.memory);
  const limitBytes = parseByteQuantity(ctx, memoryLimit);
  if (given === undefined) return defaultPromptCacheMib(limitBytes, modelBytes);
  const limitMib = Math.floor(limitBytes / 2 ** 20);
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 0 || given >= limitMib) {
    throw propError({
      ...ctx,
      value: given,
      allowed: `a whole number of MiB from 0 (off) to below the container's memory limit ${memoryLimit} `
        + '(llama.cpp\'s -1 for "no limit" is not offered: the cache would grow until the container is OOM-killed)',
      fix: `pass a size below ${limitMib} such as ${Math.min(limitMib - 1, Math.max(defaultPromptCacheMib(limitBytes, modelBytes), 64))}, 0 to turn the cache off, or leave it out`,
    });
  }
  return given;
}

function positiveInteger(ctx: PropContext, value: number, example: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10_000_000) {
    throw propError({ ...ctx, value, allowed: 'a positive integer', fix: `pass ${example}` });
  }
  return value;
}

function requireServerPort(ctx: PropContext, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1024 || value > 65535) {
    throw propError({
      ...ctx,
      value,
      allowed: 'an integer from 1024 to 65535 (lower ports need NET_BIND_SERVICE, which the restricted profile drops)',
      fix: 'use e.g. 8080',
    });
  }
  return value;
}

function namespaceList(ctx: PropContext, values: string[] | undefined): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) {
    throw propError({ ...ctx, value: values, allowed: 'a list of namespace names', fix: 'pass e.g. ["apps"]' });
  }
  const list = values.map((ns, i) => requireDnsLabel({ construct: ctx.construct, prop: `${ctx.prop}[${i}]` }, ns));
  return [...new Set(list)];
}


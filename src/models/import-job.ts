/**
 * The objects of one model import: ConfigMap (script, spec, config blob, annotation file), the
 * Job and its NetworkPolicy, plus one default-deny policy per import namespace. Internal: not part
 * of the jsii surface.
 */
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { readContainerScript } from '../core/container-scripts';
import { kube, Wire } from '../core/kube-object';
import { AppLabels, PART_OF, selectorLabels, standardLabels } from '../core/names';
import { allowPolicy, defaultDenyPolicy, PolicyRule } from '../core/network-policy';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { SecretKeyReference } from '../core/secret-reference';

export const SCRIPT_KEY = 'import-model.sh';
export const SPEC_KEY = 'import.spec';
export const CONFIG_KEY = 'model-config.json';
export const ANNOTATIONS_KEY = 'annotations.json';
/** Functions both scripts source from their directory. */
export const LIB_KEY = 'import-lib.sh';
export const DOWNLOAD_SCRIPT_KEY = 'download-model.sh';
export const DOWNLOAD_SPEC_KEY = 'download.spec';

/** Where the ConfigMap is mounted. */
export const IMPORT_DIR = '/opt/model-import';
/** The download volume. */
export const SCRATCH_DIR = '/scratch';
/** Memory-backed: the registry config with the robot's credentials lives only here. */
export const SECRET_DIR = '/run/model-import';
/** The push robot's `username` and `password` keys, as files. */
export const CREDENTIALS_DIR = '/etc/model-import/registry';
/** The ORAS image runs as root by default: the Job runs it as this non-root user. */
export const IMPORT_UID = 65532;
/** Name of the import container (the pod failure policy matches it). */
export const CONTAINER_NAME = 'import';
/** Name of the init container that downloads the files that need a token. */
export const DOWNLOAD_CONTAINER_NAME = 'download';
/** Where token `i` of the download spec is mounted: `<TOKENS_DIR>/<i>/token`. */
export const TOKENS_DIR = '/etc/model-import/tokens';
/** Exit codes of import-model.sh and download-model.sh that no retry can fix: bad input (2) and a download that is not the declared file (3). */
export const FATAL_EXIT_CODES = [2, 3];
/** Head room on the scratch volume above the sum of the file sizes. */
export const SCRATCH_HEADROOM_BYTES = 128 * 2 ** 20;
const TMP_MIB = 64;
const MIB = 2 ** 20;

/** Retry knobs handed to the script (see import-model.sh). */
export const IMPORT_RETRIES = { attempts: 8, retryDelaySeconds: 5, readTimeoutSeconds: 60 } as const;

/** Inputs of `buildImportJob`. */
export interface ImportJobOptions {
  readonly namespace: string;
  /** ConfigMap and NetworkPolicy name, prefix of the Job name (at most 54 characters). */
  readonly baseName: string;
  readonly labels: AppLabels;
  readonly image: string;
  /** CPU and memory of the container (validated). */
  readonly resources: Wire<k8s.ResourceRequirements>;
  /** Sum of the file sizes. */
  readonly totalBytes: number;
  /** With a storage class, the scratch volume is an ephemeral PVC: without, an emptyDir. */
  readonly storageClassName?: string;
  /** The push robot's Secret in `namespace` (keys `username` and `password`). */
  readonly credentialsSecretName: string;
  readonly spec: string;
  readonly config: string;
  readonly annotations: string;
  /** Egress of the Job's pods (DNS, downloads, Harbor). */
  readonly egress: PolicyRule[];
  /** The files that need an access token, downloaded first by an init container. */
  readonly tokenDownload?: TokenDownload;
}

/** One file downloaded with an access token. */
export interface TokenFile {
  readonly name: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly url: string;
  readonly token: SecretKeyReference;
}

/** The init container that downloads the files needing a token (see download-model.sh). */
export interface TokenDownload {
  /** The curl image. */
  readonly image: string;
  readonly files: TokenFile[];
}

const tokenId = (token: SecretKeyReference): string => `${token.secretName}/${token.key}`;

/** The distinct token Secret keys of `files`, in first-use order: token `i` is mounted at `<TOKENS_DIR>/<i>/token`. */
function distinctTokens(files: TokenFile[]): SecretKeyReference[] {
  const seen = new Map<string, SecretKeyReference>();
  for (const { token } of files) if (!seen.has(tokenId(token))) seen.set(tokenId(token), token);
  return [...seen.values()];
}

/** download-model.sh's spec: names, digests, token file paths and URLs, no secret values. */
export function renderDownloadSpec(files: TokenFile[]): string {
  const index = new Map(distinctTokens(files).map((token, i) => [tokenId(token), i]));
  const tokenFile = (token: SecretKeyReference) => `${TOKENS_DIR}/${index.get(tokenId(token))}/token`;
  return [
    '# cnai-model-platform token download spec, format 1: names, digests, token file paths and URLs, no secret values.',
    ...files.map((f) => `file ${f.name} ${f.sizeBytes} ${f.sha256} ${tokenFile(f.token)} ${f.url}`),
    '',
  ].join('\n');
}

/** What `buildImportJob` made. */
export interface ImportJob {
  readonly job: k8s.KubeJob;
  readonly jobName: string;
  readonly configMap: k8s.KubeConfigMap;
  readonly networkPolicy: k8s.KubeNetworkPolicy;
}

/**
 * Size of the scratch volume: every file plus head room, in whole MiB.
 */
export function scratchSize(totalBytes: number): string {
  return `${scratchMiB(totalBytes)}Mi`;
}

function scratchMiB(totalBytes: number): number {
  return Math.ceil((totalBytes + SCRATCH_HEADROOM_BYTES) / MIB);
}

/**
 * Deadline of the Job: 30 minutes plus one second per 5 MB of model (download, hash and push of
 * every byte at an overall ≥ 5 MB/s). TinyLlama (669 MB) gets ≈ 32 minutes, a 140 GB model ≈ 8 h.
 */
export function activeDeadlineSeconds(totalBytes: number): number {
  return 1800 + Math.ceil(totalBytes / 5_000_000);
}

/** The ConfigMap, Job and NetworkPolicy of one import. */
export function buildImportJob(scope: Construct, options: ImportJobOptions): ImportJob {
  const script = readContainerScript(__dirname, SCRIPT_KEY, 'ModelArtifact');
  const labels = standardLabels(options.labels);
  const data: Record<string, string> = {
    [SCRIPT_KEY]: script,
    [LIB_KEY]: readContainerScript(__dirname, LIB_KEY, 'ModelArtifact'),
    [SPEC_KEY]: options.spec,
    [CONFIG_KEY]: options.config,
    [ANNOTATIONS_KEY]: options.annotations,
  };
  if (options.tokenDownload !== undefined) {
    data[DOWNLOAD_SCRIPT_KEY] = readContainerScript(__dirname, DOWNLOAD_SCRIPT_KEY, 'ModelArtifact');
    data[DOWNLOAD_SPEC_KEY] = renderDownloadSpec(options.tokenDownload.files);
  }
  const configMap = kube(k8s.KubeConfigMap, scope, 'config', {
    metadata: { name: options.baseName, namespace: options.namespace, labels },
    data,
  });
  const template = podTemplate(options, labels);
  // A Job's pod template is immutable, so a changed model, script or image needs a new Job: the
  // name carries a hash of everything the pod runs. An unchanged declaration keeps its finished Job.
  const hash = createHash('sha256').update(JSON.stringify(template));
  for (const key of Object.keys(data).sort()) hash.update('\0').update(key).update('\0').update(data[key]);
  const jobName = `${options.baseName}-${hash.digest('hex').slice(0, 8)}`;
  const job = kube(k8s.KubeJob, scope, 'job', {
    metadata: { name: jobName, namespace: options.namespace, labels },
    spec: {
      // Registry and network trouble is retried inside the script; a pod that still fails is
      // retried a few times (the script is idempotent). Bad input and a wrong download fail the
      // Job at once, and evictions (node drain) do not count.
      backoffLimit: 4,
      activeDeadlineSeconds: activeDeadlineSeconds(options.totalBytes),
      podFailurePolicy: {
        rules: [
          ...[CONTAINER_NAME, ...(options.tokenDownload ? [DOWNLOAD_CONTAINER_NAME] : [])].map((containerName) => (
            { action: 'FailJob', onExitCodes: { containerName, operator: 'In' as const, values: [...FATAL_EXIT_CODES] } })),
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template,
    },
  });
  const networkPolicy = allowPolicy(scope, 'network-policy', {
    namespace: options.namespace,
    name: options.baseName,
    labels,
    podSelector: selectorLabels(options.labels),
    // Nothing connects to the import pods.
    ingress: [],
    egress: options.egress,
  });
  return { job, jobName, configMap, networkPolicy };
}

function podTemplate(options: ImportJobOptions, labels: Record<string, string>): Wire<k8s.PodTemplateSpec> {
  const scratch = scratchSize(options.totalBytes);
  const scratchVolume: Wire<k8s.Volume> = options.storageClassName === undefined
    // The model lands on the node's ephemeral storage: the request makes the scheduler pick a
    // node with room for it, sizeLimit evicts the pod rather than filling the node.
    ? { name: 'scratch', emptyDir: { sizeLimit: scratch } }
    // Multi-GB models rarely fit a node's ephemeral storage: a generic ephemeral volume gets a PVC
    // of the given class that is created with the pod and deleted with it.
    : {
      name: 'scratch',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: options.storageClassName,
            resources: { requests: { storage: scratch } },
          },
        },
      },
    };
  // Node ephemeral storage the pod uses: /tmp, plus the scratch emptyDir when there is no PVC.
  const ephemeralRequest = options.storageClassName === undefined ? `${scratchMiB(options.totalBytes) + TMP_MIB}Mi` : `${TMP_MIB}Mi`;
  const resources: Wire<k8s.ResourceRequirements> = {
    ...options.resources,
    requests: { ...(options.resources.requests ?? {}), 'ephemeral-storage': ephemeralRequest },
  };
  const env: Wire<k8s.EnvVar>[] = [
    { name: 'IMPORT_SCRATCH_DIR', value: SCRATCH_DIR },
    { name: 'IMPORT_SECRET_DIR', value: SECRET_DIR },
    { name: 'IMPORT_ATTEMPTS', value: String(IMPORT_RETRIES.attempts) },
    { name: 'IMPORT_RETRY_DELAY_SECONDS', value: String(IMPORT_RETRIES.retryDelaySeconds) },
    { name: 'IMPORT_READ_TIMEOUT_SECONDS', value: String(IMPORT_RETRIES.readTimeoutSeconds) },
    { name: 'HOME', value: '/tmp' },
    { name: 'TMPDIR', value: '/tmp' },
  ];
  const workMounts: Wire<k8s.VolumeMount>[] = [
    { name: 'import', mountPath: IMPORT_DIR, readOnly: true },
    { name: 'scratch', mountPath: SCRATCH_DIR },
    { name: 'secret-work', mountPath: SECRET_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const tokens = options.tokenDownload === undefined ? [] : distinctTokens(options.tokenDownload.files);
  // Files that need a token are downloaded first, by curl: busybox wget (the ORAS image's) would
  // send the Authorization header on to the host a redirect leads to.
  const initContainers: Wire<k8s.Container>[] = options.tokenDownload === undefined ? [] : [{
    name: DOWNLOAD_CONTAINER_NAME,
    image: options.tokenDownload.image,
    imagePullPolicy: 'IfNotPresent',
    // Replaces the image's entrypoint (/entrypoint.sh, which runs curl).
    command: ['/bin/sh', `${IMPORT_DIR}/${DOWNLOAD_SCRIPT_KEY}`, `${IMPORT_DIR}/${DOWNLOAD_SPEC_KEY}`],
    workingDir: '/tmp',
    env,
    volumeMounts: [
      ...workMounts,
      ...tokens.map((_, i) => ({ name: `token-${i}`, mountPath: `${TOKENS_DIR}/${i}`, readOnly: true })),
    ],
    securityContext: restrictedContainerSecurityContext(),
    resources,
  }];
  return {
    metadata: { labels },
    spec: {
      restartPolicy: 'Never',
      // No Kubernetes API access is needed.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The ORAS image has no USER (root by default) and the curl image's has no fixed uid; neither
      // needs one: HOME and TMPDIR point at /tmp, and fsGroup makes the scratch volume writable and
      // the credential and token files readable.
      securityContext: restrictedPodSecurityContext({ runAsUser: IMPORT_UID, fsGroup: IMPORT_UID }),
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers: [{
        name: CONTAINER_NAME,
        image: options.image,
        imagePullPolicy: 'IfNotPresent',
        // Replaces the image's entrypoint (/bin/oras); the script calls oras itself.
        command: ['/bin/sh', `${IMPORT_DIR}/${SCRIPT_KEY}`, `${IMPORT_DIR}/${SPEC_KEY}`, `${IMPORT_DIR}/${CONFIG_KEY}`, `${IMPORT_DIR}/${ANNOTATIONS_KEY}`],
        workingDir: '/tmp',
        env: [{ name: 'REGISTRY_CREDENTIALS_DIR', value: CREDENTIALS_DIR }, ...env],
        volumeMounts: [
          workMounts[0],
          { name: 'registry-credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
          ...workMounts.slice(1),
        ],
        securityContext: restrictedContainerSecurityContext(),
        resources,
      }],
      volumes: [
        { name: 'import', configMap: { name: options.baseName, defaultMode: 0o444 } },
        // Only the two keys ORAS' registry config is built from, as files: never environment variables.
        {
          name: 'registry-credentials',
          secret: {
            secretName: options.credentialsSecretName,
            items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }],
            defaultMode: 0o440,
          },
        },
        // Only the token key, as a file.
        ...tokens.map((token, i) => ({
          name: `token-${i}`,
          secret: { secretName: token.secretName, items: [{ key: token.key, path: 'token' }], defaultMode: 0o440 },
        })),
        scratchVolume,
        { name: 'secret-work', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'tmp', emptyDir: { sizeLimit: `${TMP_MIB}Mi` } },
      ],
    },
  };
}

const DEFAULT_DENY = new WeakMap<IConstruct, Set<string>>();

/**
 * A default-deny NetworkPolicy for an import namespace, created once per App (by the first import
 * that runs there): each import's own policy then opens exactly its flows.
 */
export function ensureImportNamespaceDefaultDeny(scope: Construct, namespace: string): void {
  const root = scope.node.root;
  let done = DEFAULT_DENY.get(root);
  if (!done) {
    done = new Set();
    DEFAULT_DENY.set(root, done);
  }
  if (done.has(namespace)) return;
  done.add(namespace);
  defaultDenyPolicy(scope, 'default-deny', {
    namespace,
    name: 'model-import-default-deny',
    labels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' },
  });
}


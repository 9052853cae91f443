/**
 * The model-cache init container of LlamaInferenceService (internal, not exported from index.ts).
 *
 * It runs `scripts/model-cache.sh` in the ORAS image against the cache PVC. The cache is
 * content-addressed: blobs by sha256, one small record per model version, and
 * a stable link `<cache>/current` that llama-server's `--model` goes through. The script's header
 * documents the layout and the hit / miss / corruption / moved-tag decisions.
 */
import { k8s } from 'cdk8s-plus-30';
import { readContainerScript } from '../core/container-scripts';
import { propError } from '../core/errors';
import { Wire } from '../core/kube-object';
import { ModelReference } from '../core/model-reference';

/** ConfigMap key (and file name) of the script. */
export const MODEL_CACHE_SCRIPT_KEY = 'model-cache.sh';
/** Name of the init container. */
export const MODEL_CACHE_CONTAINER_NAME = 'model-cache';
/** Pod volume of the script ConfigMap. */
export const MODEL_CACHE_SCRIPT_VOLUME = 'model-cache-script';
/** Pod volume (memory-backed emptyDir) for the script's private scratch files, e.g. the registry config. */
export const MODEL_CACHE_WORK_VOLUME = 'model-cache-work';
/** Pod volume of the registry credentials Secret (only with `credentialsSecretName`). */
export const MODEL_CACHE_CREDENTIALS_VOLUME = 'model-cache-registry-credentials';
/** Where the script is mounted. */
export const MODEL_CACHE_SCRIPT_DIR = '/opt/model-cache';
/** Where the scratch volume is mounted (also HOME, so ORAS never writes elsewhere). */
export const MODEL_CACHE_WORK_DIR = '/tmp';
/** Where the credentials Secret is mounted (files `username` and `password`). */
export const MODEL_CACHE_CREDENTIALS_DIR = '/var/run/secrets/model-registry';

/*
 * Registry budget of the script (its header explains it): ORAS v1.3.3 has no timeout flag and
 * retries every request itself (oras-go v2.6.2 `retry.DefaultPolicy`: 5 retries on dial timeouts,
 * 408, 429 and 5xx, 200 ms-3 s apart, on Go's 30 s dial timeout), so one call to a host that drops
 * packets takes about 3 minutes. The script stops each lookup after ORAS_TIMEOUT_SECONDS (busybox
 * `timeout` in the ORAS image) and makes FETCH_ATTEMPTS attempts, RETRY_DELAY_SECONDS apart and
 * doubling.
 */
/** Wall-clock limit of one registry lookup (`oras resolve`, `oras manifest fetch`): ORAS's own retries of a 5xx fit in it. */
export const REGISTRY_LOOKUP_TIMEOUT_SECONDS = 30;
/** Attempts per registry lookup. */
export const REGISTRY_LOOKUP_ATTEMPTS = 3;
/** Pause after the first failed attempt, doubled after each further one. */
export const REGISTRY_RETRY_DELAY_SECONDS = 2;

/**
 * Longest time one registry lookup can take when the registry does not answer: every attempt runs
 * into the timeout, with the pauses between (3 x 30 s + 2 s + 4 s = 96 s). A tag-only reference
 * falls back to the version last served for the tag after this long.
 */
export function registryWaitSeconds(): number {
  let pauses = 0;
  for (let attempt = 1; attempt < REGISTRY_LOOKUP_ATTEMPTS; attempt++) pauses += REGISTRY_RETRY_DELAY_SECONDS * 2 ** (attempt - 1);
  return REGISTRY_LOOKUP_ATTEMPTS * REGISTRY_LOOKUP_TIMEOUT_SECONDS + pauses;
}

/** Options of the model-cache init container. */
export interface ModelCacheContainerOptions {
  /** Resolved ORAS image (catalog.resolve(PlatformImage.ORAS)). */
  readonly image: string;
  /** The model: tag and/or digest: `layerDigests` are the expected layer digests (may be empty). */
  readonly reference: ModelReference;
  /** Title (file name) of the weight layer llama-server loads. */
  readonly modelFile: string;
  /** Pod volume name of the cache PVC. */
  readonly cacheVolumeName: string;
  /** Mount path of the cache PVC, e.g. `/models`. */
  readonly cacheMountPath: string;
  /** ConfigMap holding the script under `MODEL_CACHE_SCRIPT_KEY`. */
  readonly scriptConfigMapName: string;
  /** Versions kept for instant rollback (>= 1). */
  readonly keepVersions: number;
  /** The registry speaks plain http (ORAS `--plain-http`). */
  readonly plainHttp: boolean;
  /**
   * Secret with keys `username` and `password` (robot credentials), mounted read-only as files
   * (mode 0440: readable through the pod's fsGroup). Absent = anonymous pulls.
   */
  readonly credentialsSecretName?: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly securityContext: Wire<k8s.SecurityContext>;
  /**
   * Hash every blob of the served version on each start (detects same-size corruption, costs a
   * full read of the model per start). The default checks presence and size only, O(1).
   * @default false
   */
  readonly verifyOnStart?: boolean;
  /**
   * With a tag-only reference and the registry unreachable, serve the version last served for
   * that tag (with a warning) instead of failing.
   * @default true
   */
  readonly staleTagFallback?: boolean;
}

/** The script text, read at synth from `scripts/` next to this module. */
export function modelCacheScript(): string {
  return readContainerScript(__dirname, MODEL_CACHE_SCRIPT_KEY, 'LlamaInferenceService');
}

/** The stable path llama-server's `--model` points at: `<cacheMountPath>/current/<modelFile>`. */
export function servedModelPath(cacheMountPath: string, modelFile: string): string {
  return `${trimSlashes(cacheMountPath)}/current/${modelFile}`;
}

/** The init container: pulls missing layers into the cache PVC and switches `current`. */
export function modelCacheInitContainer(options: ModelCacheContainerOptions): Wire<k8s.Container> {
  validate(options);
  const reference = options.reference;
  const env: Wire<k8s.EnvVar>[] = [
    { name: 'CACHE_DIR', value: trimSlashes(options.cacheMountPath) },
    { name: 'MODEL_REGISTRY', value: reference.registry },
    { name: 'MODEL_REPOSITORY', value: reference.repository },
    ...(reference.tag !== undefined ? [{ name: 'MODEL_TAG', value: reference.tag }] : []),
    ...(reference.digest !== undefined ? [{ name: 'MODEL_DIGEST', value: reference.digest }] : []),
    ...(reference.layerDigests.length > 0 ? [{ name: 'MODEL_LAYER_DIGESTS', value: reference.layerDigests.join(' ') }] : []),
    { name: 'MODEL_FILE', value: options.modelFile },
    { name: 'KEEP_VERSIONS', value: String(options.keepVersions) },
    { name: 'ORAS_PLAIN_HTTP', value: String(options.plainHttp) },
    { name: 'VERIFY_BLOBS', value: options.verifyOnStart ? 'sha256' : 'size' },
    { name: 'STALE_TAG_FALLBACK', value: String(options.staleTagFallback ?? true) },
    { name: 'FETCH_ATTEMPTS', value: String(REGISTRY_LOOKUP_ATTEMPTS) },
    { name: 'RETRY_DELAY_SECONDS', value: String(REGISTRY_RETRY_DELAY_SECONDS) },
    { name: 'ORAS_TIMEOUT_SECONDS', value: String(REGISTRY_LOOKUP_TIMEOUT_SECONDS) },
    { name: 'WORK_DIR', value: MODEL_CACHE_WORK_DIR },
    { name: 'HOME', value: MODEL_CACHE_WORK_DIR },
    ...(options.credentialsSecretName !== undefined ? [{ name: 'REGISTRY_CREDENTIALS_DIR', value: MODEL_CACHE_CREDENTIALS_DIR }] : []),
  ];
  const volumeMounts: Wire<k8s.VolumeMount>[] = [
    { name: options.cacheVolumeName, mountPath: trimSlashes(options.cacheMountPath) },
    { name: MODEL_CACHE_SCRIPT_VOLUME, mountPath: MODEL_CACHE_SCRIPT_DIR, readOnly: true },
    { name: MODEL_CACHE_WORK_VOLUME, mountPath: MODEL_CACHE_WORK_DIR },
    ...(options.credentialsSecretName !== undefined
      ? [{ name: MODEL_CACHE_CREDENTIALS_VOLUME, mountPath: MODEL_CACHE_CREDENTIALS_DIR, readOnly: true }]
      : []),
  ];
  return {
    name: MODEL_CACHE_CONTAINER_NAME,
    image: options.image,
    imagePullPolicy: 'IfNotPresent',
    // The image's ENTRYPOINT is /bin/oras; the script runs under the image's busybox sh.
    command: ['/bin/sh', `${MODEL_CACHE_SCRIPT_DIR}/${MODEL_CACHE_SCRIPT_KEY}`],
    env,
    volumeMounts,
    resources: options.resources,
    securityContext: options.securityContext,
  };
}

/** The script ConfigMap volume, the scratch emptyDir and (with credentials) the Secret volume: not the cache PVC. */
export function modelCacheVolumes(options: ModelCacheContainerOptions): Wire<k8s.Volume>[] {
  return [
    {
      name: MODEL_CACHE_SCRIPT_VOLUME,
      configMap: { name: options.scriptConfigMapName, items: [{ key: MODEL_CACHE_SCRIPT_KEY, path: MODEL_CACHE_SCRIPT_KEY }], defaultMode: 0o444 },
    },
    // Memory-backed: the registry config with the credentials never touches a disk.
    { name: MODEL_CACHE_WORK_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    ...(options.credentialsSecretName !== undefined
      ? [{
        name: MODEL_CACHE_CREDENTIALS_VOLUME,
        secret: {
          secretName: options.credentialsSecretName,
          items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }],
          defaultMode: 0o440,
        },
      }]
      : []),
  ];
}

function trimSlashes(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

const SAFE_RELPATH = /^[A-Za-z0-9._+-]+(?:\/[A-Za-z0-9._+-]+)*$/;

function validate(options: ModelCacheContainerOptions): void {
  const fail = (prop: string, value: unknown, allowed: string, fix: string) =>
    propError({ construct: 'LlamaInferenceService', prop, value, allowed, fix });
  if (!Number.isInteger(options.keepVersions) || options.keepVersions < 1) {
    throw fail('keepVersions', options.keepVersions, 'an integer of at least 1', 'keep at least the served version, e.g. 2 to allow an instant rollback');
  }
  const file = options.modelFile;
  if (typeof file !== 'string' || !SAFE_RELPATH.test(file) || file.split('/').some((c) => c === '.' || c === '..')) {
    throw fail('modelFile', file, 'the relative file name (layer title) of the weights, from [A-Za-z0-9._+-] with "/" between path components, no "." or ".."',
      'use the org.opencontainers.image.title of the GGUF layer, e.g. "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"');
  }
  const mount = trimSlashes(options.cacheMountPath);
  if (!mount.startsWith('/') || mount === '/' || !SAFE_RELPATH.test(mount.slice(1)) || mount.split('/').some((c) => c === '.' || c === '..')) {
    throw fail('cacheMountPath', options.cacheMountPath, 'an absolute path below "/" from [A-Za-z0-9._+-/]', 'mount the cache at e.g. "/models"');
  }
}

import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { propError } from '../core/errors';
import { Wire } from '../core/kube-object';
import { PropContext } from '../core/validate';

/*
 * Probes on llama-server's `GET /health` (ggml-org/llama.cpp@b8840:tools/server/README.md): 503 "Loading
 * model" until the weights are loaded, then 200. It stays public when an API key is set, so the
 * kubelet needs no credentials.
 *
 * The startup probe starts only once the init containers have finished, so it covers the model
 * load from the local cache, never the pull from Harbor. Readiness and liveness begin after it
 * succeeds.
 */

/** Startup probe period. */
export const STARTUP_PERIOD_SECONDS = 5;
/** Shortest startup budget: a small model from a slow disk, process start, CUDA initialisation. */
export const STARTUP_FLOOR_SECONDS = 120;
/** Fixed part of the budget (process start, GPU context creation). */
export const STARTUP_BASE_SECONDS = 30;
/**
 * Load rate the budget assumes: 25 MiB/s, a slow network-attached disk read cold. Local SSDs read
 * 10-100x faster, so real loads finish well inside the budget; the budget only decides when a
 * stuck start is given up.
 */
export const LOAD_BYTES_PER_SECOND = 25 * 2 ** 20;
/** Budget when the model size is unknown. */
export const UNKNOWN_SIZE_STARTUP_SECONDS = 600;
/** Longest budget accepted from `startupTimeout` (a day). */
export const MAX_STARTUP_SECONDS = 86400;

/** Default startup budget for a model of `modelBytes` (see the constants above). */
export function defaultStartupSeconds(modelBytes: number | undefined): number {
  if (modelBytes === undefined) return UNKNOWN_SIZE_STARTUP_SECONDS;
  return Math.max(STARTUP_FLOOR_SECONDS, STARTUP_BASE_SECONDS + Math.ceil(modelBytes / LOAD_BYTES_PER_SECOND));
}

/** The startup budget in whole seconds: `startupTimeout` (validated) or the size-based default. */
export function resolveStartupSeconds(ctx: PropContext, startupTimeout: Duration | undefined, modelBytes: number | undefined): number {
  if (startupTimeout === undefined) return defaultStartupSeconds(modelBytes);
  const seconds = startupTimeout instanceof Duration ? startupTimeout.toSeconds({ integral: false }) : NaN;
  if (!(seconds >= STARTUP_PERIOD_SECONDS && seconds <= MAX_STARTUP_SECONDS)) {
    throw propError({
      ...ctx,
      value: startupTimeout instanceof Duration ? `${seconds} seconds` : startupTimeout,
      allowed: `a Duration from ${STARTUP_PERIOD_SECONDS} seconds to 24 hours`,
      fix: 'pass e.g. Duration.minutes(10), or leave it out to size it from the model',
    });
  }
  return Math.ceil(seconds);
}

function healthGet(port: number): Wire<k8s.HttpGetAction> {
  return { path: '/health', port: port, scheme: 'HTTP' };
}

/** Probes of the server container. */
export interface ServerProbes {
  readonly startupProbe: Wire<k8s.Probe>;
  readonly readinessProbe: Wire<k8s.Probe>;
  readonly livenessProbe: Wire<k8s.Probe>;
}

/**
 * Startup: every 5 s for `startupSeconds` (failureThreshold = ceil(budget / period)). Readiness:
 * every 10 s, out of the Service after 3 failures. Liveness is lenient (6 failures of a 10 s
 * timeout, 20 s apart, i.e. two minutes): long generations can keep every HTTP thread busy, and a
 * restart reloads the model.
 */
export function serverProbes(port: number, startupSeconds: number): ServerProbes {
  return {
    startupProbe: {
      httpGet: healthGet(port),
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 3,
      failureThreshold: Math.ceil(startupSeconds / STARTUP_PERIOD_SECONDS),
      successThreshold: 1,
    },
    readinessProbe: {
      httpGet: healthGet(port),
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 1,
    },
    livenessProbe: {
      httpGet: healthGet(port),
      periodSeconds: 20,
      timeoutSeconds: 10,
      failureThreshold: 6,
      successThreshold: 1,
    },
  };
}

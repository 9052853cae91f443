import { k8s } from 'cdk8s-plus-30';
import { Wire } from '../core/kube-object';
import { selectorLabels, standardLabels } from '../core/names';
import { SecretKeyReference } from '../core/secret-reference';

/*
 * Harbor 2.14 facts every builder shares (goharbor/harbor-helm@v1.18.4:templates/_helpers.tpl and
 * templates/<component>/*, with internal TLS off, the chart default). Ports are container ports: NetworkPolicies match
 * pod ports, so policies use these, and Services map their chart ports onto them.
 */

/** Container ports. */
export const PORTS = {
  /** core, portal, jobservice, registryctl, trivy and nginx all listen on 8080 without internal TLS. */
  http: 8080,
  registry: 5000,
  /** distribution's debug server, bound to localhost (chart `http.debug.addr: localhost:5001`). */
  registryDebug: 5001,
  database: 5432,
  redis: 6379,
  exporter: 8001,
} as const;

/** Service ports (chart: core, portal and jobservice answer on 80, the others keep their container port). */
export const SERVICE_PORTS = {
  core: 80,
  portal: 80,
  jobservice: 80,
  registry: PORTS.registry,
  registryctl: PORTS.http,
  trivy: PORTS.http,
  database: PORTS.database,
  redis: PORTS.redis,
  exporter: PORTS.exporter,
  entry: 80,
} as const;

/** Redis DB indexes of the chart (values.yaml `redis.internal.*Index`, core fixed at 0). */
export const REDIS_DB = { core: 0, jobservice: 1, registry: 2, trivy: 5 } as const;

/** UIDs of the chart's pod security contexts: 10000 for Harbor's own images, 999 for PostgreSQL and Redis. */
export const HARBOR_UID = 10000;
/** See `HARBOR_UID`. */
export const DATA_STORE_UID = 999;

/** User name in the registry's htpasswd file and in core/jobservice `REGISTRY_CREDENTIAL_USERNAME` (chart default). */
export const REGISTRY_USERNAME = 'harbor_registry_user';

/** Where the registry stores blobs in filesystem mode and mounts its (empty) volume in S3 mode. */
export const REGISTRY_ROOT = '/storage';

/** Components, also `app.kubernetes.io/component` and the suffix of object names. */
export type HarborComponent =
  | 'core' | 'portal' | 'registry' | 'jobservice' | 'database' | 'redis' | 'trivy' | 'exporter' | 'nginx' | 'secret-bootstrap';

/** How a component reaches a data store (internal StatefulSet or external service). */
export interface DataStoreEndpoint {
  /** Host as written into env and config (a short Service name for the internal store, like the chart). */
  readonly host: string;
  readonly port: number;
}

/** Resolved database settings. */
export interface DatabaseSettings extends DataStoreEndpoint {
  readonly internal: boolean;
  readonly username: string;
  readonly database: string;
  readonly sslMode: string;
  readonly password: SecretKeyReference;
}

/** Resolved Redis settings. */
export interface RedisSettings extends DataStoreEndpoint {
  readonly internal: boolean;
  /** Password of an external Redis: none for the internal one (the chart's internal Redis has none). */
  readonly password?: SecretKeyReference;
}

/** What every Harbor builder needs to know about the install. */
export interface HarborContext {
  readonly namespace: string;
  /** Instance name: prefix of every object name (`<name>-core`, ...), the chart's `fullname`. */
  readonly name: string;
  /** Harbor version (image tag of every Harbor image, version label). */
  readonly version: string;
  /** Chart log level: debug, info, warning, error or fatal. */
  readonly logLevel: string;
  /** `EXT_ENDPOINT`. */
  readonly externalURL: string;
  readonly database: DatabaseSettings;
  readonly redis: RedisSettings;
  /** Whether the Trivy scanner is deployed. */
  readonly trivy: boolean;
}

/** `<name>-<component>`: Deployment/StatefulSet, its Service, ServiceAccount, ConfigMap and policy. */
export function componentName(ctx: HarborContext, component: HarborComponent): string {
  return `${ctx.name}-${component}`;
}

/**
 * Metadata labels of a component's objects and pods: the library's `app.kubernetes.io/*` scheme
 * instead of the chart's `release`/`app`/`component`/`heritage` labels.
 */
export function componentLabels(ctx: HarborContext, component: HarborComponent): Record<string, string> {
  return standardLabels({ name: 'harbor', instance: ctx.name, component, version: ctx.version });
}

/** Selector labels of a component's pods. */
export function componentSelector(ctx: HarborContext, component: HarborComponent): Record<string, string> {
  return selectorLabels({ name: 'harbor', instance: ctx.name, component });
}

/** Labels of objects that belong to no single component (namespace-wide policies, PVCs shared by name). */
export function instanceLabels(ctx: HarborContext): Record<string, string> {
  return standardLabels({ name: 'harbor', instance: ctx.name, version: ctx.version });
}

/*
 * In-namespace URLs, exactly as the chart's _helpers.tpl builds them (short Service names; the
 * port stays in CORE_URL as the chart's workaround for harbor-scanner-trivy#108).
 */

/** `CORE_URL`: `http://<name>-core:80`. */
export function coreInternalUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'core')}:${SERVICE_PORTS.core}`;
}

/** `TOKEN_SERVICE_URL`. */
export function tokenServiceUrl(ctx: HarborContext): string {
  return `${coreInternalUrl(ctx)}/service/token`;
}

/** `JOBSERVICE_URL`: `http://<name>-jobservice` (port 80). */
export function jobserviceUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'jobservice')}`;
}

/** `REGISTRY_URL`: `http://<name>-registry:5000`. */
export function registryUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'registry')}:${SERVICE_PORTS.registry}`;
}

/** `REGISTRY_CONTROLLER_URL`: `http://<name>-registry:8080` (registryctl shares the registry pod and Service). */
export function registryControllerUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'registry')}:${SERVICE_PORTS.registryctl}`;
}

/** `PORTAL_URL`: `http://<name>-portal` (port 80). */
export function portalUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'portal')}`;
}

/** `TRIVY_ADAPTER_URL`: `http://<name>-trivy:8080`. */
export function trivyAdapterUrl(ctx: HarborContext): string {
  return `http://${componentName(ctx, 'trivy')}:${SERVICE_PORTS.trivy}`;
}

/** Name of the env var that carries an external Redis password, for `$(VAR)` expansion in Redis URLs. */
export const REDIS_PASSWORD_ENV = 'HARBOR_REDIS_PASSWORD';

/**
 * A Redis URL for DB `db`, as the chart's `harbor.redis.urlFor*` helpers build it. With an external
 * Redis password the URL contains `:$(HARBOR_REDIS_PASSWORD)@`, which the kubelet expands from the
 * env var `redisPasswordEnv` declares before it, so the password never appears in a manifest.
 * That password must therefore be URL-safe (no characters that need percent-encoding).
 */
export function redisUrl(ctx: HarborContext, db: number, idleTimeout: boolean): string {
  const credentials = ctx.redis.password ? `:$(${REDIS_PASSWORD_ENV})@` : '';
  return `redis://${credentials}${ctx.redis.host}:${ctx.redis.port}/${db}${idleTimeout ? '?idle_timeout_seconds=30' : ''}`;
}

/** The env var holding an external Redis password (empty list without one). Must precede env that references it. */
export function redisPasswordEnv(ctx: HarborContext): Wire<k8s.EnvVar>[] {
  return ctx.redis.password ? [secretEnv(REDIS_PASSWORD_ENV, ctx.redis.password)] : [];
}

/** An env var read from one key of a Secret (explicit `secretKeyRef`, never `envFrom`). */
export function secretEnv(name: string, ref: SecretKeyReference): Wire<k8s.EnvVar> {
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

/** Plain env vars from a name → value map, in the map's order. */
export function plainEnv(values: Record<string, string>): Wire<k8s.EnvVar>[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

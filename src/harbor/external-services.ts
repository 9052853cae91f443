import { requireSize } from './storage';
import { propError } from '../core/errors';
import { SecretKeyReference } from '../core/secret-reference';
import { PropContext, requireDnsSubdomain, requireNonEmpty, requireOneOf, requirePort } from '../core/validate';

/** Options for an internal data store (PostgreSQL or Redis StatefulSet with one PVC). */
export interface HarborInternalStoreOptions {
  /**
   * Size of the data PVC.
   * @default '1Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the data PVC.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** Options for `HarborDatabase.external`. */
export interface HarborExternalDatabaseOptions {
  /** Host name or IP address of the PostgreSQL server. Required. */
  readonly host: string;
  /**
   * Port.
   * @default 5432
   */
  readonly port?: number;
  /**
   * User name.
   * @default 'postgres'
   */
  readonly username?: string;
  /**
   * Database Harbor core uses (it must exist).
   * @default 'registry'
   */
  readonly database?: string;
  /**
   * libpq `sslmode`: disable, require, verify-ca or verify-full.
   * @default 'disable'
   */
  readonly sslMode?: string;
  /** The user's password, in a Secret in Harbor's namespace. */
  readonly password: SecretKeyReference;
}

/** Harbor's PostgreSQL: the internal `harbor-db` StatefulSet or an external server. */
export class HarborDatabase {
  /** The chart's internal PostgreSQL 15 StatefulSet `<name>-database` (password generated in-cluster). */
  public static internal(options: HarborInternalStoreOptions = {}): HarborDatabase {
    return new HarborDatabase(true, options, undefined);
  }

  /** An existing PostgreSQL server. */
  public static external(options: HarborExternalDatabaseOptions): HarborDatabase {
    return new HarborDatabase(false, {}, options);
  }

  /** Whether the database runs inside the install. */
  public readonly isInternal: boolean;
  /** @internal */
  public readonly _internal: HarborInternalStoreOptions;
  /** @internal */
  public readonly _external?: HarborExternalDatabaseOptions;

  private constructor(internal: boolean, internalOptions: HarborInternalStoreOptions, external: HarborExternalDatabaseOptions | undefined) {
    this.isInternal = internal;
    this._internal = internalOptions;
    this._external = external;
  }
}

/** Options for `HarborRedis.external`. */
export interface HarborExternalRedisOptions {
  /** Host name or IP address of the Redis server. Required. */
  readonly host: string;
  /**
   * Port.
   * @default 6379
   */
  readonly port?: number;
  /**
   * Password, in a Secret in Harbor's namespace. It is spliced into Redis URLs by the kubelet, so it
   * must consist of URL-safe characters (letters, digits, `-._~`).
   * @default - no password
   */
  readonly password?: SecretKeyReference;
}

/** Harbor's Redis: the internal `redis-photon` StatefulSet or an external server (DB indexes 0, 1, 2 and 5). */
export class HarborRedis {
  /** The chart's internal Redis StatefulSet `<name>-redis` (no password, reachable only from Harbor's pods). */
  public static internal(options: HarborInternalStoreOptions = {}): HarborRedis {
    return new HarborRedis(true, options, undefined);
  }

  /** An existing Redis server (standalone, no Sentinel, no TLS). */
  public static external(options: HarborExternalRedisOptions): HarborRedis {
    return new HarborRedis(false, {}, options);
  }

  /** Whether Redis runs inside the install. */
  public readonly isInternal: boolean;
  /** @internal */
  public readonly _internal: HarborInternalStoreOptions;
  /** @internal */
  public readonly _external?: HarborExternalRedisOptions;

  private constructor(internal: boolean, internalOptions: HarborInternalStoreOptions, external: HarborExternalRedisOptions | undefined) {
    this.isInternal = internal;
    this._internal = internalOptions;
    this._external = external;
  }
}

/**
 * A validated internal store.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface InternalStore {
  readonly storageSize: string;
  readonly storageClassName?: string;
}

/**
 * A validated external endpoint.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ExternalEndpoint {
  readonly host: string;
  readonly port: number;
}

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Validates the internal-store options (`ctx.prop` is `database` or `redis`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveInternalStore(ctx: PropContext, options: HarborInternalStoreOptions): InternalStore {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  return {
    storageSize: requireSize(at('storageSize'), options.storageSize ?? '1Gi'),
    storageClassName: options.storageClassName === undefined ? undefined : requireDnsSubdomain(at('storageClassName'), options.storageClassName),
  };
}

/**
 * Validates host and port of an external store.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveEndpoint(
  ctx: PropContext, host: string | undefined, port: number | undefined, defaultPort: number, example: string,
): ExternalEndpoint {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (host === undefined || host === null || (typeof host === 'string' && host.trim() === '')) {
    throw propError({ ...at('host'), value: host, allowed: 'the host name or IP address of the server', fix: `pass host, e.g. '${example}'` });
  }
  if (!IPV4.test(host)) requireDnsSubdomain(at('host'), host);
  return { host, port: requirePort(at('port'), port ?? defaultPort, defaultPort) };
}

/**
 * Validated external database options.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ExternalDatabase extends ExternalEndpoint {
  readonly username: string;
  readonly database: string;
  readonly sslMode: string;
  readonly password: SecretKeyReference;
}

/**
 * Validates `HarborExternalDatabaseOptions` (`ctx.prop` is `database`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveExternalDatabase(ctx: PropContext, options: HarborExternalDatabaseOptions | undefined): ExternalDatabase {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  const given = options ?? ({} as HarborExternalDatabaseOptions);
  const endpoint = resolveEndpoint(ctx, given.host, given.port, 5432, 'postgres.example.com');
  if (!(given.password instanceof SecretKeyReference)) {
    throw propError({ ...at('password'), value: given.password, allowed: 'a SecretKeyReference to the password in Harbor\'s namespace', fix: "pass password: SecretKeyReference.fromSecret('harbor-db-credentials', 'password')" });
  }
  return {
    ...endpoint,
    username: requireNonEmpty(at('username'), given.username ?? 'postgres', 'postgres'),
    database: requireNonEmpty(at('database'), given.database ?? 'registry', 'registry'),
    sslMode: requireOneOf(at('sslMode'), given.sslMode ?? 'disable', SSL_MODES),
    password: given.password,
  };
}

/**
 * Validated external Redis options.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ExternalRedis extends ExternalEndpoint {
  readonly password?: SecretKeyReference;
}

/**
 * Validates `HarborExternalRedisOptions` (`ctx.prop` is `redis`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveExternalRedis(ctx: PropContext, options: HarborExternalRedisOptions | undefined): ExternalRedis {
  const given = options ?? ({} as HarborExternalRedisOptions);
  const endpoint = resolveEndpoint(ctx, given.host, given.port, 6379, 'redis.example.com');
  if (given.password !== undefined && !(given.password instanceof SecretKeyReference)) {
    throw propError({ construct: ctx.construct, prop: `${ctx.prop}.password`, value: given.password, allowed: 'a SecretKeyReference', fix: "pass password: SecretKeyReference.fromSecret('harbor-redis', 'password') or leave it out" });
  }
  return { ...endpoint, password: given.password };
}

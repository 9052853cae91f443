import { Yaml } from 'cdk8s';
import { HarborContext, PORTS, REDIS_DB, REGISTRY_ROOT } from '../context';
import { ResolvedStorage } from '../storage';

/** Path of the htpasswd file inside the registry container. */
export const HTPASSWD_PATH = '/etc/registry/passwd';
/** Path of distribution's config file in both registry containers. */
export const REGISTRY_CONFIG_PATH = '/etc/registry/config.yml';
/** Path of registryctl's own config file. */
export const REGISTRYCTL_CONFIG_PATH = '/etc/registryctl/config.yml';

/** Distribution's log level for a chart log level (`warning`→`warn`, `fatal`→`error`, as the chart maps them). */
export function registryLogLevel(level: string): string {
  if (level === 'warning') return 'warn';
  if (level === 'fatal') return 'error';
  return level;
}

/**
 * The `storage.<driver>` block. S3 (goharbor/distribution@release/2.8:registry/storage/driver/s3-aws/s3.go):
 * `regionendpoint` is the bucket endpoint (setting it makes the 2.8 driver use path-style addressing;
 * `forcepathstyle` is not read by 2.8), `secure` follows the endpoint's scheme (written even when
 * false, which the chart cannot express) and `v4auth` is explicit. The access keys are env
 * (REGISTRY_STORAGE_S3_ACCESSKEY/_SECRETKEY), never here.
 */
function storageDriver(storage: ResolvedStorage): Record<string, unknown> {
  if (storage.driver === 'filesystem') return { filesystem: { rootdirectory: REGISTRY_ROOT } };
  const bucket = storage.bucket!;
  return {
    s3: {
      region: bucket.region,
      bucket: bucket.bucket,
      regionendpoint: bucket.endpoint,
      secure: bucket.secure,
      v4auth: true,
    },
  };
}

/**
 * `config.yml` of the registry (harbor-helm templates/registry/registry-cm.yaml, metrics and internal
 * TLS off). `http.secret` is not in the file: it comes from env REGISTRY_HTTP_SECRET. Auth is
 * htpasswd: clients authenticate to core, which proxies /v2/ with the registry credentials.
 */
export function renderRegistryConfig(ctx: HarborContext, storage: ResolvedStorage): string {
  const config = {
    version: '0.1',
    log: { level: registryLogLevel(ctx.logLevel), fields: { service: 'registry' } },
    storage: {
      ...storageDriver(storage),
      cache: { layerinfo: 'redis' },
      maintenance: { uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false } },
      delete: { enabled: true },
      // In-cluster object stores: a 307 to a presigned S3 URL would send clients to an endpoint
      // they cannot reach, so blobs are streamed through the registry
      // (goharbor/harbor-helm@v1.18.4:values.yaml, `persistence.imageChartStorage.disableredirect`).
      redirect: { disable: storage.driver === 's3' },
    },
    redis: {
      addr: `${ctx.redis.host}:${ctx.redis.port}`,
      db: REDIS_DB.registry,
      // An external Redis password comes from env REGISTRY_REDIS_PASSWORD, never from this file.
      readtimeout: '10s',
      writetimeout: '10s',
      dialtimeout: '10s',
      enableTLS: false,
      pool: { maxidle: 100, maxactive: 500, idletimeout: '60s' },
    },
    http: {
      addr: `:${PORTS.registry}`,
      relativeurls: false,
      debug: { addr: `localhost:${PORTS.registryDebug}` },
    },
    auth: { htpasswd: { realm: 'harbor-registry-basic-realm', path: HTPASSWD_PATH } },
    validation: { disabled: true },
    compatibility: { schema1: { enabled: true } },
  };
  return Yaml.stringify(config);
}

/** `ctl-config.yml` of registryctl (same ConfigMap, mounted at /etc/registryctl/config.yml). */
export function renderRegistryctlConfig(ctx: HarborContext): string {
  return Yaml.stringify({ protocol: 'http', port: PORTS.http, log_level: ctx.logLevel, registry_config: REGISTRY_CONFIG_PATH });
}

import { Yaml } from 'cdk8s';
import { HarborContext, PORTS, REDIS_DB } from '../context';

/** Where jobservice reads its config file. */
export const JOBSERVICE_CONFIG_PATH = '/etc/jobservice/config.yml';
/** Where the FILE job logger writes (the job-logs PVC). */
export const JOB_LOG_DIR = '/var/log/jobs';

/**
 * `config.yml` of jobservice (harbor-helm templates/jobservice/jobservice-cm.yaml with the chart
 * defaults: 10 workers, FILE job logger swept after 14 days, metrics off). The Redis URL is written
 * without a password; with an external Redis password, env JOB_SERVICE_POOL_REDIS_URL overrides it
 * (jobservice reads that env after the file: src/jobservice/config/config.go).
 */
export function renderJobserviceConfig(ctx: HarborContext): string {
  const level = ctx.logLevel.toUpperCase();
  const config = {
    protocol: 'http',
    port: PORTS.http,
    worker_pool: {
      workers: 10,
      backend: 'redis',
      redis_pool: {
        redis_url: `redis://${ctx.redis.host}:${ctx.redis.port}/${REDIS_DB.jobservice}`,
        namespace: 'harbor_job_service_namespace',
        idle_timeout_second: 3600,
      },
    },
    job_loggers: [{
      name: 'FILE',
      level,
      settings: { base_dir: JOB_LOG_DIR },
      sweeper: { duration: 14, settings: { work_dir: JOB_LOG_DIR } },
    }],
    metric: { enabled: false, path: '/metrics', port: PORTS.exporter },
    loggers: [{ name: 'STD_OUTPUT', level }],
    reaper: { max_update_hours: 24, max_dangling_hours: 168 },
  };
  return Yaml.stringify(config);
}

import { parse as parseYaml } from 'yaml';
import { container, envMap, find, mounts, servicePorts, synth, volume } from './helpers';

describe('jobservice', () => {
  const { objects } = synth();
  const deployment = find(objects, 'Deployment', 'harbor-jobservice');
  const c = container(deployment, 'jobservice');

  test('image, port, Service harbor-jobservice 80 -> 8080, probes on /api/v1/stats', () => {
    expect(c.image).toBe('docker.io/goharbor/harbor-jobservice:v2.14.4');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080]);
    expect(servicePorts(find(objects, 'Service', 'harbor-jobservice'))).toEqual(['http-jobservice 80->8080']);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/api/v1/stats', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 300, periodSeconds: 10 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/api/v1/stats', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 20, periodSeconds: 10 });
  });

  test('config.yml mounted at /etc/jobservice/config.yml; job logs on a RWO PVC (Recreate)', () => {
    expect(mounts(c)).toEqual({ '/etc/jobservice/config.yml': 'jobservice-config:config.yml', '/var/log/jobs': 'job-logs' });
    expect(volume(deployment, 'job-logs').persistentVolumeClaim).toEqual({ claimName: 'harbor-jobservice' });
    const pvc = find(objects, 'PersistentVolumeClaim', 'harbor-jobservice');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('config.yml: the chart defaults, Redis DB 1', () => {
    expect(parseYaml(find(objects, 'ConfigMap', 'harbor-jobservice').data['config.yml'])).toEqual({
      protocol: 'http',
      port: 8080,
      worker_pool: {
        workers: 10,
        backend: 'redis',
        redis_pool: { redis_url: 'redis://harbor-redis:6379/1', namespace: 'harbor_job_service_namespace', idle_timeout_second: 3600 },
      },
      job_loggers: [{ name: 'FILE', level: 'INFO', settings: { base_dir: '/var/log/jobs' }, sweeper: { duration: 14, settings: { work_dir: '/var/log/jobs' } } }],
      metric: { enabled: false, path: '/metrics', port: 8001 },
      loggers: [{ name: 'STD_OUTPUT', level: 'INFO' }],
      reaper: { max_update_hours: 24, max_dangling_hours: 168 },
    });
  });

  test('env: the chart jobservice-env keys and the secrets', () => {
    expect(envMap(c)).toEqual({
      CORE_URL: 'http://harbor-core:80',
      TOKEN_SERVICE_URL: 'http://harbor-core:80/service/token',
      REGISTRY_URL: 'http://harbor-registry:5000',
      REGISTRY_CONTROLLER_URL: 'http://harbor-registry:8080',
      REGISTRY_CREDENTIAL_USERNAME: 'harbor_registry_user',
      JOBSERVICE_WEBHOOK_JOB_MAX_RETRY: '3',
      JOBSERVICE_WEBHOOK_JOB_HTTP_CLIENT_TIMEOUT: '3',
      LOG_LEVEL: 'info',
      CORE_SECRET: 'secret:harbor-core/secret',
      JOBSERVICE_SECRET: 'secret:harbor-jobservice/JOBSERVICE_SECRET',
      REGISTRY_CREDENTIAL_PASSWORD: 'secret:harbor-registry-credentials/REGISTRY_PASSWD',
    });
  });
});

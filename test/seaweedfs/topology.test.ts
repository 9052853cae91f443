import { container, envMap, find, podTemplates, synth } from './helpers';
import { ImageCatalog } from '../../src/core/images';

const NS = 'seaweedfs';
const MASTER = 'seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333';
const FILER = 'seaweedfs-filer-client.seaweedfs.svc:8888';

describe('SeaweedFSStorage topology (split: master, volume, filer StatefulSets + s3 Deployment)', () => {
  const { storage, objects } = synth({}, [['velero', { consumerNamespace: 'velero' }]]);

  test('the Namespace comes first and every other SeaweedFS object lives in it', () => {
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: NS } });
    for (const o of objects.filter((x) => x.kind !== 'Namespace' && x.metadata.name.startsWith('seaweedfs') && x.metadata.namespace !== 'velero')) {
      expect(o.metadata.namespace).toBe(NS);
    }
  });

  test('workload kinds and stable names', () => {
    const workloads = objects.filter((o) => ['StatefulSet', 'Deployment'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(workloads.sort()).toEqual(['Deployment/seaweedfs-s3', 'StatefulSet/seaweedfs-filer', 'StatefulSet/seaweedfs-master', 'StatefulSet/seaweedfs-volume']);
  });

  test('master: exact flags, ports, probes, PVC, growth env', () => {
    const sts = find(objects, 'StatefulSet', 'seaweedfs-master');
    expect(sts.spec).toMatchObject({ serviceName: 'seaweedfs-master', replicas: 1, podManagementPolicy: 'Parallel' });
    const c = container(sts);
    expect(c.command).toEqual(['/usr/bin/weed']);
    expect(c.args).toEqual([
      '-logtostderr=true', 'master', '-port=9333', '-mdir=/data',
      '-ip=$(POD_NAME).seaweedfs-master.seaweedfs.svc', '-ip.bind=0.0.0.0',
      `-peers=${MASTER}`, '-defaultReplication=000', '-volumeSizeLimitMB=1000', '-metricsPort=9327',
    ]);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 9333, protocol: 'TCP' },
      { name: 'grpc', containerPort: 19333, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9327, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/cluster/status', port: 9333, scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/cluster/status', port: 9333, scheme: 'HTTP' });
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'seaweedfs', 'app.kubernetes.io/instance': 'seaweedfs', 'app.kubernetes.io/component': 'master' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }]);
    expect(envMap(c)).toMatchObject({
      WEED_MASTER_VOLUME_GROWTH_COPY_1: '7',
      WEED_MASTER_VOLUME_GROWTH_COPY_2: '6',
      WEED_MASTER_VOLUME_GROWTH_COPY_3: '3',
      WEED_MASTER_VOLUME_GROWTH_COPY_OTHER: '1',
    });
  });

  test('volume: exact flags, ports, probes, bulk PVC', () => {
    const sts = find(objects, 'StatefulSet', 'seaweedfs-volume');
    expect(sts.spec).toMatchObject({ serviceName: 'seaweedfs-volume', replicas: 1 });
    const c = container(sts);
    expect(c.command).toEqual(['/usr/bin/weed']);
    expect(c.args).toEqual([
      '-logtostderr=true', 'volume', '-port=8080', '-dir=/data', '-max=0',
      '-ip=$(POD_NAME).seaweedfs-volume.seaweedfs.svc', '-ip.bind=0.0.0.0', `-mserver=${MASTER}`,
      '-readMode=proxy', '-minFreeSpacePercent=7', '-compactionMBps=50', '-metricsPort=9327',
    ]);
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080, 18080, 9327]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/status', port: 8080, scheme: 'HTTP' });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
  });

  test('filer: exact flags, leveldb2 on the PVC, ports, probes, small PVC', () => {
    const sts = find(objects, 'StatefulSet', 'seaweedfs-filer');
    expect(sts.spec).toMatchObject({ serviceName: 'seaweedfs-filer', replicas: 1 });
    const c = container(sts);
    expect(c.args).toEqual([
      '-logtostderr=true', 'filer', '-port=8888', '-ip=$(POD_NAME).seaweedfs-filer.seaweedfs.svc', '-ip.bind=0.0.0.0',
      `-master=${MASTER}`, '-defaultReplicaPlacement=000', '-dirListLimit=100000', '-metricsPort=9327',
    ]);
    expect(envMap(c)).toMatchObject({ WEED_LEVELDB2_ENABLED: 'true', WEED_LEVELDB2_DIR: '/data/filerldb2' });
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8888, 18888, 9327]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8888, scheme: 'HTTP' });
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
  });

  test('s3: Deployment binding 0.0.0.0 (s3 defaults to localhost), filer client address, identities config', () => {
    const dep = find(objects, 'Deployment', 'seaweedfs-s3');
    const c = container(dep, 's3');
    expect(c.command).toEqual(['/usr/bin/weed']);
    expect(c.args).toEqual([
      '-logtostderr=true', 's3', '-port=8333', '-ip.bind=0.0.0.0', `-filer=${FILER}`,
      '-config=/var/run/seaweedfs/s3/identities.json', '-metricsPort=9327',
    ]);
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8333, 9327]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/status', port: 8333, scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/status', port: 8333, scheme: 'HTTP' });
    expect(c.volumeMounts).toContainEqual({ name: 's3-config', mountPath: '/var/run/seaweedfs/s3', readOnly: true });
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 's3-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  test('every server container gets the downward API and WEED_CLUSTER_* env', () => {
    for (const name of ['seaweedfs-master', 'seaweedfs-volume', 'seaweedfs-filer']) {
      expect(envMap(container(find(objects, 'StatefulSet', name)))).toMatchObject({
        POD_NAME: 'fieldRef:metadata.name',
        POD_IP: 'fieldRef:status.podIP',
        NAMESPACE: 'fieldRef:metadata.namespace',
        WEED_CLUSTER_DEFAULT: 'sw',
        WEED_CLUSTER_SW_MASTER: MASTER,
        WEED_CLUSTER_SW_FILER: FILER,
      });
    }
    expect(envMap(container(find(objects, 'Deployment', 'seaweedfs-s3'), 's3'))).toMatchObject({ WEED_CLUSTER_SW_MASTER: MASTER, POD_NAME: 'fieldRef:metadata.name' });
  });

  test('headless Services expose HTTP and gRPC (+10000) and publish not-ready peers; S3 and filer client are ClusterIP', () => {
    const ports = (svc: any): number[] => svc.spec.ports.map((p: any) => p.port);
    for (const [name, http, grpc] of [['seaweedfs-master', 9333, 19333], ['seaweedfs-volume', 8080, 18080], ['seaweedfs-filer', 8888, 18888]] as const) {
      const svc = find(objects, 'Service', name);
      expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(ports(svc)).toEqual([http, grpc, 9327]);
      expect(svc.spec.selector['app.kubernetes.io/component']).toBe(name.replace('seaweedfs-', ''));
    }
    const client = find(objects, 'Service', 'seaweedfs-filer-client');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(ports(client)).toEqual([8888, 18888]);
    const s3 = find(objects, 'Service', 'seaweedfs-s3');
    expect(s3.spec).toMatchObject({ type: 'ClusterIP' });
    expect(s3.spec.clusterIP).toBeUndefined();
    expect(ports(s3)).toEqual([8333, 9327]);
  });

  test('one ServiceAccount per component, without API token', () => {
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name !== 'seaweedfs-secret-bootstrap');
    expect(accounts.map((a) => a.metadata.name).sort()).toEqual(['seaweedfs-bucket-setup', 'seaweedfs-filer', 'seaweedfs-master', 'seaweedfs-s3', 'seaweedfs-volume']);
    for (const a of accounts) expect(a.automountServiceAccountToken).toBe(false);
    for (const { owner, template } of podTemplates(objects).filter(({ owner: o }) => !o.metadata.name.startsWith('seaweedfs-secret-bootstrap'))) {
      expect(template.spec.automountServiceAccountToken).toBe(false);
      expect(template.spec.serviceAccountName).toBe(owner.kind === 'Job' ? 'seaweedfs-bucket-setup' : owner.metadata.name);
    }
  });

  test('strict security context and resources on every container', () => {
    for (const { owner, template } of podTemplates(objects).filter(({ owner: o }) => !o.metadata.name.startsWith('seaweedfs-secret-bootstrap'))) {
      expect(template.spec.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
        const where = `${owner.metadata.name}/${c.name}`;
        expect({ where, sc: c.securityContext }).toEqual({
          where,
          sc: {
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        });
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.requests.memory).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
        // Every writable path is a volume: /tmp everywhere, /data on the servers.
        expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(c.name === 'identities' ? ['/var/run/seaweedfs/s3'] : ['/tmp']));
      }
    }
  });

  test('default per-component resources', () => {
    const res = (kind: string, name: string, c?: string): any => container(find(objects, kind, name), c).resources;
    expect(res('StatefulSet', 'seaweedfs-master')).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(res('StatefulSet', 'seaweedfs-volume')).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(res('StatefulSet', 'seaweedfs-filer')).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(res('Deployment', 'seaweedfs-s3', 's3')).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
  });

  test('no Secret object, no secret data anywhere in the output', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toContain('stringData');
    // Only scripts (files ending in .sh) may mention the JSON fields that carry keys.
    const withoutScripts = objects.map((o) => (o.kind === 'ConfigMap'
      ? { ...o, data: Object.fromEntries(Object.entries(o.data ?? {}).filter(([k]) => !k.endsWith('.sh'))) }
      : o));
    expect(JSON.stringify(withoutScripts)).not.toMatch(/accessKey|secretKey/);
    // Keys reach containers only as Secret references, never as literal env values.
    for (const { template } of podTemplates(objects)) {
      for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
        for (const e of c.env ?? []) if (/AWS_|SECRET|PASSWORD/.test(e.name)) expect(e.value).toBeUndefined();
      }
    }
  });

  test('every image is the pinned catalog SeaweedFS image (no moving tag)', () => {
    const images = podTemplates(objects)
      .filter(({ owner }) => !owner.metadata.name.startsWith('seaweedfs-secret-bootstrap'))
      .flatMap(({ template }) => [...(template.spec.initContainers ?? []), ...template.spec.containers].map((c: any) => c.image));
    expect(new Set(images)).toEqual(new Set(['docker.io/chrislusf/seaweedfs:3.73']));
    for (const { template } of podTemplates(objects)) {
      for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) expect(ImageCatalog.isPinned(c.image)).toBe(true);
    }
  });

  test('outputs', () => {
    expect(storage.namespace).toBe(NS);
    expect(storage.s3Endpoint).toBe('http://seaweedfs-s3.seaweedfs.svc:8333');
    expect(storage.s3ServiceName).toBe('seaweedfs-s3');
    expect(storage.masterServiceName).toBe('seaweedfs-master');
    expect(storage.volumeServiceName).toBe('seaweedfs-volume');
    expect(storage.filerServiceName).toBe('seaweedfs-filer');
    expect(storage.filerClientServiceName).toBe('seaweedfs-filer-client');
    expect(storage.masterAddress).toBe(MASTER);
    expect(storage.filerAddress).toBe(FILER);
    expect(storage.adminSecretName).toBe('seaweedfs-s3-admin');
    expect(storage.image).toBe('docker.io/chrislusf/seaweedfs:3.73');
    expect(storage.version).toBe('3.73');
    expect(storage.replication).toBe('000');
    expect(storage.buckets.map((b) => b.bucket)).toEqual(['velero']);
  });
});

describe('SeaweedFSStorage props', () => {
  test('name, namespace, version, storage class, sizes, replicas and a registry mirror', () => {
    const { storage, objects } = synth({
      name: 'store',
      namespace: 'storage',
      version: '3.72',
      images: new ImageCatalog({ registryPrefix: 'mirror.local/hub' }),
      storageClassName: 'fast-ssd',
      masterStorageSize: '2Gi',
      filerStorageSize: '3Gi',
      volumeStorageSize: '100Gi',
      volumeServers: 3,
      masterReplicas: 3,
      s3Replicas: 2,
      replication: '001',
    });
    expect(storage.s3Endpoint).toBe('http://store-s3.storage.svc:8333');
    const masters = ['0', '1', '2'].map((i) => `store-master-${i}.store-master.storage.svc:9333`).join(',');
    expect(storage.masterAddress).toBe(masters);
    const master = find(objects, 'StatefulSet', 'store-master');
    expect(master.spec.replicas).toBe(3);
    expect(container(master).args).toContain(`-peers=${masters}`);
    expect(container(master).args).toContain('-defaultReplication=001');
    expect(container(master).image).toBe('mirror.local/hub/chrislusf/seaweedfs:3.72');
    expect(master.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    const volume = find(objects, 'StatefulSet', 'store-volume');
    expect(volume.spec.replicas).toBe(3);
    expect(container(volume).args).toContain(`-mserver=${masters}`);
    expect(container(find(objects, 'StatefulSet', 'store-filer')).args).toContain('-defaultReplicaPlacement=001');
    expect(find(objects, 'Deployment', 'store-s3').spec.replicas).toBe(2);
    for (const [sts, size] of [['store-master', '2Gi'], ['store-filer', '3Gi'], ['store-volume', '100Gi']]) {
      expect(find(objects, 'StatefulSet', sts).spec.volumeClaimTemplates[0].spec).toEqual({
        accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: size } },
      });
    }
  });

  test('ComputeResources override the defaults per component', () => {
    const { objects } = synth({ volumeResources: { cpuRequest: '1', memoryLimit: '2Gi', cpuLimit: '2' } }, [['velero', { consumerNamespace: 'velero' }]]);
    expect(container(find(objects, 'StatefulSet', 'seaweedfs-volume')).resources).toEqual({
      requests: { cpu: '1', memory: '128Mi' }, limits: { cpu: '2', memory: '2Gi' },
    });
    const { objects: withJob } = synth({ bucketJobResources: { memoryLimit: '300Mi' } }, [['velero', { consumerNamespace: 'velero' }]]);
    expect(container(find(withJob, 'Job', /^seaweedfs-buckets-/)).resources.limits.memory).toBe('300Mi');
  });
});

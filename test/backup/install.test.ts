/**
 * The install objects against what
 * `velero install --provider aws --use-node-agent --uploader-type kopia` 1.18.1 creates
 * (velero-io/velero@v1.18.1:pkg/install/{resources,deployment,daemonset}.go), field by field, plus
 * the library's documented additions.
 */
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { bucketIn, build, buildWithSeaweedFS, envMap, find } from './helpers';
import { VeleroLogLevel } from '../../src/backup/props';
import { ImageCatalog } from '../../src/core/images';
import { expectValidManifests } from '../validation';

const UPSTREAM_SERVER_ENV = {
  VELERO_SCRATCH_DIR: '/scratch',
  VELERO_NAMESPACE: 'fieldRef:metadata.namespace',
  LD_LIBRARY_PATH: '/plugins',
  GOOGLE_APPLICATION_CREDENTIALS: '/credentials/cloud',
  AWS_SHARED_CREDENTIALS_FILE: '/credentials/cloud',
  AZURE_CREDENTIALS_FILE: '/credentials/cloud',
  ALIBABA_CLOUD_CREDENTIALS_FILE: '/credentials/cloud',
};
const LINUX_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'NotIn', values: ['windows'] }] }],
    },
  },
};

describe('VeleroKopiaBackup install objects', () => {
  const { install } = build();
  const objects = install();

  test('every object is a valid Kubernetes manifest (strict)', () => {
    expectValidManifests(objects);
  });

  test('namespace velero, Pod Security privileged as upstream labels it, applied in the CRD wave', () => {
    const ns = find(objects, 'Namespace', 'velero');
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('privileged');
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('latest');
    }
    expect(ns.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  test('ServiceAccount velero bound to cluster-admin by ClusterRoleBinding velero', () => {
    const sa = find(objects, 'ServiceAccount', 'velero');
    expect(sa.metadata.namespace).toBe('velero');
    expect(sa.metadata.labels.component).toBe('velero');
    const crb = find(objects, 'ClusterRoleBinding', 'velero');
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'velero', namespace: 'velero' }]);
  });

  describe('Deployment velero', () => {
    const deployment = find(objects, 'Deployment', 'velero');
    const pod = deployment.spec.template.spec;
    const server = pod.containers[0];

    test('selector, labels, prometheus annotations, no replicas or strategy', () => {
      expect(deployment.metadata.labels.component).toBe('velero');
      expect(deployment.spec.selector).toEqual({ matchLabels: { deploy: 'velero' } });
      expect(deployment.spec.replicas).toBeUndefined();
      expect(deployment.spec.strategy).toBeUndefined();
      expect(deployment.spec.template.metadata.labels).toMatchObject({ component: 'velero', deploy: 'velero' });
      expect(deployment.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true', 'prometheus.io/port': '8085', 'prometheus.io/path': '/metrics',
      });
    });

    test('pod: restartPolicy, service account, linux os and affinity', () => {
      expect(pod.restartPolicy).toBe('Always');
      expect(pod.serviceAccountName).toBe('velero');
      expect(pod.os).toEqual({ name: 'linux' });
      expect(pod.affinity).toEqual(LINUX_AFFINITY);
    });

    test('exactly one container `velero`: image, command, args in upstream order', () => {
      expect(pod.containers).toHaveLength(1);
      expect(server.name).toBe('velero');
      expect(server.image).toBe('docker.io/velero/velero:v1.18.1');
      expect(server.imagePullPolicy).toBe('IfNotPresent');
      expect(server.command).toEqual(['/velero']);
      expect(server.args).toEqual([
        'server',
        '--features=',
        '--default-volumes-to-fs-backup=true',
        '--uploader-type=kopia',
        '--fs-backup-timeout=4h0m0s',
        '--repo-maintenance-job-configmap=velero-repo-maintenance',
      ]);
      // Flags the 1.18 server no longer reads are never written.
      expect(server.args.join(' ')).not.toMatch(/keep-latest-maintenance-jobs|maintenance-job-(cpu|mem)/);
      expect(server.ports).toEqual([{ name: 'metrics', containerPort: 8085 }]);
    });

    test('env: upstream variables in upstream order, then the S3-compatible checksum mitigation', () => {
      expect(server.env.map((e: any) => e.name)).toEqual([...Object.keys(UPSTREAM_SERVER_ENV), 'AWS_REQUEST_CHECKSUM_CALCULATION', 'AWS_RESPONSE_CHECKSUM_VALIDATION']);
      expect(envMap(server)).toEqual({
        ...UPSTREAM_SERVER_ENV,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      });
    });

    test('resources: upstream 500m/128Mi requests, 1 CPU/512Mi limits', () => {
      expect(server.resources).toEqual({ requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    });

    test('plugin init container named as Velero names it, mounting plugins at /target', () => {
      expect(pod.initContainers).toHaveLength(1);
      const plugin = pod.initContainers[0];
      expect(plugin.name).toBe('velero-velero-plugin-for-aws');
      expect(plugin.image).toBe('docker.io/velero/velero-plugin-for-aws:v1.14.2');
      expect(plugin.imagePullPolicy).toBe('IfNotPresent');
      expect(plugin.command).toBeUndefined();
      expect(plugin.volumeMounts).toEqual([{ name: 'plugins', mountPath: '/target' }]);
      expect(plugin.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    });

    test('volumes plugins, scratch, cloud-credentials (0444) and the repository-password gate', () => {
      expect(pod.volumes).toEqual([
        { name: 'plugins', emptyDir: {} },
        { name: 'scratch', emptyDir: {} },
        { name: 'cloud-credentials', secret: { secretName: 'cloud-credentials', defaultMode: 0o444 } },
        { name: 'repo-credentials-gate', secret: { secretName: 'velero-repo-credentials', defaultMode: 0o400, optional: false } },
      ]);
      expect(server.volumeMounts).toEqual([
        { name: 'plugins', mountPath: '/plugins' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'cloud-credentials', mountPath: '/credentials' },
        { name: 'repo-credentials-gate', mountPath: '/var/run/velero/repo-credentials-gate', readOnly: true },
      ]);
    });

    test('security: no escalation, no capabilities, seccomp RuntimeDefault; probes on the metrics port', () => {
      expect(server.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
      expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
      for (const probe of [server.startupProbe, server.livenessProbe, server.readinessProbe]) {
        expect(probe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
      }
    });
  });

  describe('DaemonSet node-agent', () => {
    const ds = find(objects, 'DaemonSet', 'node-agent');
    const pod = ds.spec.template.spec;
    const agent = pod.containers[0];

    test('name, selector and labels Velero relies on', () => {
      expect(ds.metadata.labels.component).toBe('velero');
      expect(ds.spec.selector).toEqual({ matchLabels: { name: 'node-agent' } });
      expect(ds.spec.template.metadata.labels).toMatchObject({ component: 'velero', name: 'node-agent', role: 'node-agent' });
      expect(ds.spec.template.metadata.annotations).toBeUndefined();
    });

    test('exactly one container, runs as root (the documented exception), not privileged', () => {
      expect(pod.containers).toHaveLength(1);
      expect(pod.initContainers).toBeUndefined();
      expect(pod.serviceAccountName).toBe('velero');
      expect(pod.securityContext).toEqual({ runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } });
      expect(agent.securityContext).toEqual({ privileged: false });
      expect(pod.affinity).toEqual(LINUX_AFFINITY);
      expect(pod.os).toBeUndefined();
      expect(pod.tolerations).toBeUndefined();
    });

    test('container: image, command, args, port', () => {
      expect(agent.name).toBe('node-agent');
      expect(agent.image).toBe('docker.io/velero/velero:v1.18.1');
      expect(agent.imagePullPolicy).toBe('IfNotPresent');
      expect(agent.command).toEqual(['/velero']);
      expect(agent.args).toEqual(['node-agent', 'server', '--features=']);
      expect(agent.ports).toEqual([{ name: 'metrics', containerPort: 8085 }]);
    });

    test('host pods at /host_pods and host plugins, both HostToContainer; volume host-pods kept', () => {
      expect(pod.volumes).toEqual([
        { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
        { name: 'host-plugins', hostPath: { path: '/var/lib/kubelet/plugins' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'cloud-credentials', secret: { secretName: 'cloud-credentials', defaultMode: 0o444 } },
      ]);
      expect(agent.volumeMounts).toEqual([
        { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
        { name: 'host-plugins', mountPath: '/var/lib/kubelet/plugins', mountPropagation: 'HostToContainer' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'cloud-credentials', mountPath: '/credentials' },
      ]);
    });

    test('env in upstream order', () => {
      expect(agent.env.map((e: any) => e.name)).toEqual([
        'NODE_NAME', 'VELERO_NAMESPACE', 'VELERO_SCRATCH_DIR',
        'GOOGLE_APPLICATION_CREDENTIALS', 'AWS_SHARED_CREDENTIALS_FILE', 'AZURE_CREDENTIALS_FILE', 'ALIBABA_CLOUD_CREDENTIALS_FILE',
      ]);
      expect(envMap(agent)).toMatchObject({ NODE_NAME: 'fieldRef:spec.nodeName', VELERO_NAMESPACE: 'fieldRef:metadata.namespace', VELERO_SCRATCH_DIR: '/scratch' });
    });

    test('requests and a memory limit instead of upstream BestEffort', () => {
      expect(agent.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } });
    });
  });

  test('maintenance settings in the repo-maintenance ConfigMap (JSON `global`), all four resources written', () => {
    const cm = find(objects, 'ConfigMap', 'velero-repo-maintenance');
    expect(Object.keys(cm.data)).toEqual(['global']);
    expect(JSON.parse(cm.data.global)).toEqual({
      podResources: { cpuRequest: '100m', cpuLimit: '0', memoryRequest: '256Mi', memoryLimit: '1Gi' },
      keepLatestMaintenanceJobs: 3,
    });
  });

  test('no secret value anywhere: cloud-credentials and the repository password come from the bootstrap', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const spec = find(objects, 'ConfigMap', 'velero-secret-bootstrap').data['secrets.spec'];
    expect(spec).toContain('secret velero-repo-credentials Opaque\nkey repository-password random 64\n');
    expect(spec).toContain('secret cloud-credentials Opaque\nkey cloud awscreds seaweedfs-bucket-velero AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY\n');
    const role = find(objects, 'Role', 'velero-secret-bootstrap');
    expect(role.rules[0]).toEqual({
      apiGroups: [''],
      resources: ['secrets'],
      verbs: ['get'],
      resourceNames: ['velero-repo-credentials', 'cloud-credentials', 'seaweedfs-bucket-velero'],
    });
  });

  test('no VolumeSnapshotLocation by default (file-system backup only, like the MinIO guide)', () => {
    const { resources } = build();
    expect(resources().filter((o) => o.kind === 'VolumeSnapshotLocation')).toEqual([]);
  });
});

describe('VeleroKopiaBackup settings', () => {
  test('server and node-agent settings reach their flags', () => {
    const { install } = build({
      defaultVolumesToFsBackup: false,
      fsBackupTimeout: '6h',
      logLevel: VeleroLogLevel.DEBUG,
      features: ['EnableCSI', 'EnableAPIGroupVersions'],
      serverResources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '1Gi' },
      nodeAgentResources: { memoryLimit: '2Gi' },
      maintenanceJobResources: { cpuLimit: '2', memoryLimit: '4Gi' },
      keepLatestMaintenanceJobs: 5,
    });
    const objects = install();
    const server = find(objects, 'Deployment', 'velero').spec.template.spec.containers[0];
    expect(server.args).toEqual([
      'server', '--features=EnableCSI,EnableAPIGroupVersions', '--uploader-type=kopia', '--fs-backup-timeout=6h0m0s',
      '--repo-maintenance-job-configmap=velero-repo-maintenance', '--log-level=debug',
    ]);
    expect(server.resources).toEqual({ requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    const agent = find(objects, 'DaemonSet', 'node-agent').spec.template.spec.containers[0];
    expect(agent.args).toEqual(['node-agent', 'server', '--features=EnableCSI,EnableAPIGroupVersions', '--log-level=debug']);
    expect(agent.resources.limits).toEqual({ memory: '2Gi' });
    expect(JSON.parse(find(objects, 'ConfigMap', 'velero-repo-maintenance').data.global)).toEqual({
      podResources: { cpuRequest: '100m', cpuLimit: '2', memoryRequest: '256Mi', memoryLimit: '4Gi' },
      keepLatestMaintenanceJobs: 5,
    });
    expectValidManifests(objects);
  });

  test('node-agent tolerations cover tainted GPU nodes; kubelet root dir moves the hostPaths', () => {
    const tolerations: k8s.Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const { install } = build({ nodeAgentTolerations: tolerations, kubeletRootDir: '/var/snap/microk8s/common/var/lib/kubelet' });
    const objects = install();
    const pod = find(objects, 'DaemonSet', 'node-agent').spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.volumes.slice(0, 2)).toEqual([
      { name: 'host-pods', hostPath: { path: '/var/snap/microk8s/common/var/lib/kubelet/pods' } },
      { name: 'host-plugins', hostPath: { path: '/var/snap/microk8s/common/var/lib/kubelet/plugins' } },
    ]);
    // The in-container paths stay fixed: Velero looks under /host_pods.
    expect(pod.containers[0].volumeMounts[0].mountPath).toBe('/host_pods');
    expectValidManifests(objects);
  });

  test('another namespace: binding velero-<ns>, everything in that namespace', () => {
    const { install, resources } = build({ namespace: 'backup' });
    const objects = install();
    expect(find(objects, 'ClusterRoleBinding', 'velero-backup').subjects).toEqual([{ kind: 'ServiceAccount', name: 'velero', namespace: 'backup' }]);
    expect(find(objects, 'ClusterRole', 'velero-crd-install-backup')).toBeDefined();
    for (const o of [...objects, ...resources()]) {
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) expect(o.metadata.namespace).toBe('backup');
    }
  });

  test('an AWS endpoint keeps the plugin checksum default and sets no SDK variables', () => {
    const aws = build({ bucket: bucketIn('velero', 'https://s3.eu-west-1.amazonaws.com') });
    const server = find(aws.install(), 'Deployment', 'velero').spec.template.spec.containers[0];
    expect(Object.keys(envMap(server))).not.toContain('AWS_REQUEST_CHECKSUM_CALCULATION');
    expect(find(aws.resources(), 'BackupStorageLocation', 'default').spec.config.checksumAlgorithm).toBeUndefined();
  });

  test('image mirror applies to every Velero image and the plugin init container keeps Velero\'s naming', () => {
    const { install } = build({ images: new ImageCatalog({ registryPrefix: 'harbor.example.com/mirror' }) });
    const objects = install();
    const pod = find(objects, 'Deployment', 'velero').spec.template.spec;
    expect(pod.containers[0].image).toBe('harbor.example.com/mirror/velero/velero:v1.18.1');
    // getName drops the registry host when the reference has two or more '/'.
    expect(pod.initContainers[0].name).toBe('mirror-velero-velero-plugin-for-aws');
  });

  test('composed with SeaweedFSStorage: the namespace is shared, labelled privileged and ordered first', () => {
    const built = buildWithSeaweedFS();
    const storage = built.storageChart;
    const velero = built.install();
    const ns = find(Testing.synth(storage), 'Namespace', 'velero');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(velero.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(built.chart.node.dependencies).toContain(storage);
  });
});

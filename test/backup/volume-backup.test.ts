/**
 * VolumeBackup: the pod annotation that selects volumes for Kopia file-system backup, and the
 * restore-ordering claim: nothing the library adds to an inference pod precedes Velero's
 * `restore-wait` init container.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { k8s } from 'cdk8s-plus-30';
import { build, propErrorOf } from './helpers';
import { VolumeBackup } from '../../src/backup/volume-backup';
import { expectValidManifests } from '../validation';

/** A representative inference Deployment: model-cache init container + llama server, cache on a PVC. */
function inferenceTemplate(): k8s.PodTemplateSpec {
  return {
    metadata: { labels: { app: 'llama' }, annotations: { 'example.com/other': 'kept' } },
    spec: {
      initContainers: [{ name: 'model-cache', image: 'ghcr.io/oras-project/oras:v1.3.3', command: ['/bin/sh', '/scripts/cache.sh'], volumeMounts: [{ name: 'model-cache', mountPath: '/models' }] }],
      containers: [{ name: 'llama', image: 'ghcr.io/ggml-org/llama.cpp:server-b8840', volumeMounts: [{ name: 'model-cache', mountPath: '/models' }, { name: 'tmp', mountPath: '/tmp' }] }],
      volumes: [
        { name: 'model-cache', persistentVolumeClaim: { claimName: 'llama-model-cache' } },
        { name: 'tmp', emptyDir: {} },
      ],
    },
  };
}

/**
 * What Velero's PodVolumeRestoreAction does to a restored pod (velero-io/velero@v1.18.1:
 * pkg/restore/actions/pod_volume_restore_action.go): drop any old restore-wait/restic-wait
 * init container, then put a new `restore-wait` at index 0.
 */
function veleroRestoreAction(pod: k8s.PodSpec): k8s.PodSpec {
  const others = (pod.initContainers ?? []).filter((c) => c.name !== 'restore-wait' && c.name !== 'restic-wait');
  const restoreWait: k8s.Container = { name: 'restore-wait', image: 'docker.io/velero/velero:v1.18.1', command: ['/velero-restore-helper'], args: ['<restore-uid>'] };
  return { ...pod, initContainers: [restoreWait, ...others] };
}

describe('VolumeBackup', () => {
  test('annotations: pod volume names, comma-separated, for opt-in and opt-out', () => {
    expect(VolumeBackup.annotations(['model-cache'])).toEqual({ 'backup.velero.io/backup-volumes': 'model-cache' });
    expect(VolumeBackup.annotations(['model-cache', 'data', 'model-cache'])).toEqual({ 'backup.velero.io/backup-volumes': 'model-cache,data' });
    expect(VolumeBackup.excludeAnnotations(['tmp'])).toEqual({ 'backup.velero.io/backup-volumes-excludes': 'tmp' });
  });

  test('annotateTemplate adds the annotation and changes nothing else', () => {
    const template = inferenceTemplate();
    const annotated = VolumeBackup.annotateTemplate(template, ['model-cache']);
    expect(annotated.metadata!.annotations).toEqual({ 'example.com/other': 'kept', 'backup.velero.io/backup-volumes': 'model-cache' });
    expect(annotated.spec).toEqual(inferenceTemplate().spec);
    expect(annotated.metadata!.labels).toEqual({ app: 'llama' });
    // The input is not modified; a second call merges.
    expect(template.metadata!.annotations).toEqual({ 'example.com/other': 'kept' });
    expect(VolumeBackup.annotateTemplate(annotated, ['tmp', 'model-cache']).metadata!.annotations!['backup.velero.io/backup-volumes']).toBe('model-cache,tmp');
  });

  test('annotate/exclude work on a cdk8s-plus workload\'s pod metadata, merging names', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'llama', {
      containers: [{ image: 'ghcr.io/ggml-org/llama.cpp:server-b8840', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    });
    VolumeBackup.annotate(deployment.podMetadata, ['model-cache']);
    VolumeBackup.annotate(deployment.podMetadata, ['model-cache', 'config']);
    VolumeBackup.exclude(deployment.podMetadata, ['tmp']);
    const annotations = Testing.synth(chart).find((o) => o.kind === 'Deployment').spec.template.metadata.annotations;
    expect(annotations).toEqual({ 'backup.velero.io/backup-volumes': 'model-cache,config', 'backup.velero.io/backup-volumes-excludes': 'tmp' });
  });

  test('volume names are validated; PVC names are caught', () => {
    expect(propErrorOf(() => VolumeBackup.annotations([])).message).toContain("VolumeBackup 'annotations.volumeNames': got []");
    expect(propErrorOf(() => VolumeBackup.annotations(['Model_Cache'])).prop).toBe('annotations.volumeNames[0]');
    const error = propErrorOf(() => VolumeBackup.annotateTemplate(inferenceTemplate(), ['llama-model-cache']));
    expect(error.message).toContain("VolumeBackup 'annotateTemplate.volumeNames': got \"llama-model-cache\", expected a volume of the pod template (model-cache, tmp)");
    expect(error.message).toContain('not the PersistentVolumeClaim name');
  });
});

describe('restore ordering: Velero\'s restore-wait runs before anything the library adds', () => {
  const chart = new Chart(Testing.app(), 'inference');
  const template = VolumeBackup.annotateTemplate(inferenceTemplate(), ['model-cache']);
  new k8s.KubeDeployment(chart, 'llama', {
    metadata: { name: 'llama', namespace: 'ai-inference' },
    spec: { selector: { matchLabels: { app: 'llama' } }, template },
  });
  const objects = Testing.synth(chart);
  const pod = objects.find((o) => o.kind === 'Deployment').spec.template.spec as k8s.PodSpec;

  test('the Deployment is valid and declares no restore-wait/restic-wait init container', () => {
    expectValidManifests(objects);
    const names = (pod.initContainers ?? []).map((c) => c.name);
    expect(names).toEqual(['model-cache']);
    expect(names).not.toContain('restore-wait');
    expect(names).not.toContain('restic-wait');
  });

  test('the annotation helper adds no init container and no volume', () => {
    expect(template.spec!.initContainers).toEqual(inferenceTemplate().spec!.initContainers);
    expect(template.spec!.volumes).toEqual(inferenceTemplate().spec!.volumes);
  });

  test('no pod template the backup construct emits has a restore-wait/restic-wait init container either', () => {
    const { install } = build();
    const templates = install().filter((o) => ['Deployment', 'DaemonSet', 'Job', 'StatefulSet'].includes(o.kind)).map((o) => o.spec.template.spec);
    expect(templates.length).toBeGreaterThanOrEqual(4);
    for (const spec of templates) {
      for (const c of spec.initContainers ?? []) expect(['restore-wait', 'restic-wait']).not.toContain(c.name);
    }
  });

  test('on a file-system restore, restore-wait is first and the model-cache check runs after it', () => {
    const restored = veleroRestoreAction(pod);
    const names = restored.initContainers!.map((c) => c.name);
    expect(names).toEqual(['restore-wait', 'model-cache']);
    expect(names.indexOf('model-cache')).toBeGreaterThan(names.indexOf('restore-wait'));
  });
});

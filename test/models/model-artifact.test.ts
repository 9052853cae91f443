import { createHash } from 'crypto';
import { Testing } from 'cdk8s';
import { TINYLLAMA, find, platform, seedProps, synthArtifact, tinyLlamaSource } from './helpers';
import { describeWithModelPackSchemas, modelPackValidator } from './modelpack-schema';
import { ImageCatalog } from '../../src/core/images';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborExposure } from '../../src/harbor/exposure';
import { RobotPermission } from '../../src/harbor/robot-account';
import { ModelArtifact } from '../../src/models/model-artifact';
import { ModelFormat, ModelLayerType, ModelMediaTypes, Quantization } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';
import { expectValidManifests } from '../validation';

const HF_URL = `https://huggingface.co/${TINYLLAMA.repository}/resolve/${TINYLLAMA.revision}/${TINYLLAMA.file}`;
const README = ModelSource.fromHuggingFace(TINYLLAMA.repository, 'README.md', { revision: TINYLLAMA.revision, sha256: '1'.repeat(64), sizeBytes: 1200 });
const LICENSE = ModelSource.fromUrl('https://raw.example.com/tinyllama/LICENSE', { sha256: '2'.repeat(64), sizeBytes: 11357 });
const TOKENIZER = ModelSource.fromUrl('https://files.example.com/tokenizer.json', { sha256: '3'.repeat(64), sizeBytes: 1842767 });

function configOf(objects: any[], name = 'tinyllama-oras-v1-0-0-gguf'): any {
  return JSON.parse(find(objects, 'ConfigMap', name).data['model-config.json']);
}

function annotationsOf(objects: any[], name = 'tinyllama-oras-v1-0-0-gguf'): any {
  return JSON.parse(find(objects, 'ConfigMap', name).data['annotations.json']);
}

function specOf(objects: any[], name = 'tinyllama-oras-v1-0-0-gguf'): string[] {
  return find(objects, 'ConfigMap', name).data['import.spec'].split('\n');
}

function jobOf(objects: any[]): any {
  return find(objects, 'Job', /^tinyllama-oras-v1-0-0-gguf-[0-9a-f]{8}$/);
}

describe('the seed\'s TinyLlama', () => {
  test('reference, layer digest, model file and size from the reference facts', () => {
    const { artifact, objects } = synthArtifact();
    expect(artifact.reference.toString()).toBe('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf');
    expect(artifact.reference.repository).toBe('ml-models/tinyllama-oras');
    expect(artifact.reference.tag).toBe('v1.0.0-gguf');
    expect(artifact.reference.layerDigests).toEqual(['sha256:9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0']);
    expect(artifact.modelFile).toBe('tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf');
    expect(artifact.sizeBytes).toBe(668_788_096);
    // Harbor's default (clusterIP) URL is http://harbor.harbor.svc.
    expect(artifact.plainHttp).toBe(true);
    expect(artifact.namespace).toBe('model-import');
    expect(artifact.jobName).toBe(jobOf(objects).metadata.name);
    expect(specOf(objects)).toContain(`file ${TINYLLAMA.file} 668788096 ${TINYLLAMA.sha256} application/vnd.cnai.model.weight.v1.raw ${HF_URL}`);
  });

  test('behind an https Ingress: the public host, no plain HTTP', () => {
    const { artifact, objects } = synthArtifact({}, { exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }) });
    expect(artifact.reference.toString()).toBe('harbor.example.com/ml-models/tinyllama-oras:v1.0.0-gguf');
    expect(artifact.reference.layerDigests).toEqual([`sha256:${TINYLLAMA.sha256}`]);
    expect(artifact.plainHttp).toBe(false);
    expect(specOf(objects)).toContain('plain-http false');
  });
});

describe('what is pushed', () => {
  test('the import spec: target, push identifiers and one line per file in push order', () => {
    const { objects } = synthArtifact({ extraFiles: [TOKENIZER, README, LICENSE] });
    expect(specOf(objects)).toEqual([
      '# cnai-model-platform model import spec, format 1: names, digests and URLs, no secret values.',
      'reference harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf',
      'plain-http true',
      'artifact-type application/vnd.cnai.model.manifest.v1+json',
      'config-media-type application/vnd.cnai.model.config.v1+json',
      `file ${TINYLLAMA.file} 668788096 ${TINYLLAMA.sha256} application/vnd.cnai.model.weight.v1.raw ${HF_URL}`,
      `file tokenizer.json 1842767 ${'3'.repeat(64)} application/vnd.cnai.model.weight.config.v1.raw https://files.example.com/tokenizer.json`,
      `file README.md 1200 ${'1'.repeat(64)} application/vnd.cnai.model.doc.v1.raw https://huggingface.co/${TINYLLAMA.repository}/resolve/${TINYLLAMA.revision}/README.md`,
      `file LICENSE 11357 ${'2'.repeat(64)} application/vnd.cnai.model.doc.v1.raw https://raw.example.com/tinyllama/LICENSE`,
      '',
    ]);
  });

  test('the annotation file: the seed\'s manifest keys, a fixed created time, filepath per layer', () => {
    const { objects } = synthArtifact({ extraFiles: [README] });
    expect(annotationsOf(objects)).toEqual({
      '$manifest': {
        'org.cnai.model.format': 'gguf',
        'org.cnai.model.architecture': 'llama',
        'org.cnai.model.param.size': '1.1B',
        'org.cnai.model.quantization': 'Q4_K_M',
        'org.cnai.model.description': 'TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF',
        'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
      },
      [TINYLLAMA.file]: { 'org.cnai.model.filepath': TINYLLAMA.file },
      'README.md': { 'org.cnai.model.filepath': 'README.md' },
    });
  });

  test('optional metadata is left out when not given; precision and family are added when given', () => {
    const bare = synthArtifact({ quantization: undefined, description: undefined });
    expect(Object.keys(annotationsOf(bare.objects).$manifest)).toEqual([
      'org.cnai.model.format', 'org.cnai.model.architecture', 'org.cnai.model.param.size', 'org.opencontainers.image.created',
    ]);
    expect(configOf(bare.objects).config).toEqual({ architecture: 'llama', format: 'gguf', paramSize: '1.1B' });
    const full = synthArtifact({ precision: 'float16', family: 'llama2', modelName: 'TinyLlama-1.1B-Chat-v1.0' });
    expect(annotationsOf(full.objects).$manifest).toMatchObject({ 'org.cnai.model.precision': 'float16', 'org.cnai.model.family': 'llama2' });
    expect(configOf(full.objects).descriptor).toMatchObject({ name: 'TinyLlama-1.1B-Chat-v1.0', family: 'llama2' });
  });

  test('the config blob: descriptor, config and modelfs with the layer digests in push order', () => {
    const { objects } = synthArtifact({ extraFiles: [README] });
    expect(find(objects, 'ConfigMap', 'tinyllama-oras-v1-0-0-gguf').data['model-config.json']).toBe(JSON.stringify({
      descriptor: {
        createdAt: '2025-01-01T00:00:00Z',
        name: 'tinyllama-oras',
        description: 'TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF',
        sourceURL: HF_URL,
        revision: TINYLLAMA.revision,
      },
      config: { architecture: 'llama', format: 'gguf', paramSize: '1.1B', quantization: 'Q4_K_M' },
      modelfs: { type: 'layers', diff_ids: [`sha256:${TINYLLAMA.sha256}`, `sha256:${'1'.repeat(64)}`] },
    }));
  });

  test('layer media types: weights, weight config, docs, code, and an explicit layer type', () => {
    const files = [
      ModelSource.fromUrl('https://x.example.com/model-00002-of-00002.safetensors', { sha256: 'a'.repeat(64), sizeBytes: 10 }),
      ModelSource.fromUrl('https://x.example.com/config.json', { sha256: 'b'.repeat(64), sizeBytes: 10 }),
      ModelSource.fromUrl('https://x.example.com/modeling_tiny.py', { sha256: 'c'.repeat(64), sizeBytes: 10 }),
      ModelSource.fromUrl('https://x.example.com/USAGE.md', { sha256: 'd'.repeat(64), sizeBytes: 10 }),
      ModelSource.fromUrl('https://x.example.com/LICENSE.txt', { sha256: 'e'.repeat(64), sizeBytes: 10 }),
      ModelSource.fromUrl('https://x.example.com/eval.jsonl', { sha256: 'f'.repeat(64), sizeBytes: 10, layerType: ModelLayerType.DATASET }),
    ];
    const { objects } = synthArtifact({ extraFiles: files });
    const types = specOf(objects).filter((l) => l.startsWith('file ')).map((l) => `${l.split(' ')[1]} ${l.split(' ')[4]}`);
    expect(types).toEqual([
      `${TINYLLAMA.file} application/vnd.cnai.model.weight.v1.raw`,
      'model-00002-of-00002.safetensors application/vnd.cnai.model.weight.v1.raw',
      'config.json application/vnd.cnai.model.weight.config.v1.raw',
      'modeling_tiny.py application/vnd.cnai.model.code.v1.raw',
      'USAGE.md application/vnd.cnai.model.doc.v1.raw',
      'LICENSE.txt application/vnd.cnai.model.doc.v1.raw',
      'eval.jsonl application/vnd.cnai.model.dataset.v1.raw',
    ]);
  });

  test('ModelMediaTypes.CNCF switches every identifier to vnd.cncf / org.cncf and modelfs to diffIds', () => {
    const { objects } = synthArtifact({ mediaTypes: ModelMediaTypes.CNCF, extraFiles: [README] });
    const spec = specOf(objects);
    expect(spec).toContain('artifact-type application/vnd.cncf.model.manifest.v1+json');
    expect(spec).toContain('config-media-type application/vnd.cncf.model.config.v1+json');
    expect(spec.filter((l) => l.startsWith('file ')).map((l) => l.split(' ')[4])).toEqual([
      'application/vnd.cncf.model.weight.v1.raw', 'application/vnd.cncf.model.doc.v1.raw',
    ]);
    const annotations = annotationsOf(objects);
    expect(annotations['README.md']).toEqual({ 'org.cncf.model.filepath': 'README.md' });
    expect(Object.keys(annotations.$manifest)).toContain('org.cncf.model.format');
    expect(configOf(objects).modelfs).toEqual({ type: 'layers', diffIds: [`sha256:${TINYLLAMA.sha256}`, `sha256:${'1'.repeat(64)}`] });
  });
});

describeWithModelPackSchemas('the config blob against the ModelPack JSON schema', (dir) => {
  test('validates against config-schema.v0.0.6.json (what Harbor 2.13-2.15 link), minimal and full', () => {
    const validate = modelPackValidator(dir, 'v0.0.6');
    const minimal = configOf(synthArtifact({ quantization: undefined, description: undefined }).objects);
    const full = configOf(synthArtifact({ precision: 'float16', family: 'llama2', extraFiles: [README, LICENSE, TOKENIZER] }).objects);
    for (const config of [minimal, full]) {
      expect(validate(config)).toBe(true);
      expect(validate.errors ?? null).toBeNull();
    }
  });

  test('the validator does catch a wrong config (schema really in force)', () => {
    const validate = modelPackValidator(dir, 'v0.0.6');
    const config = configOf(synthArtifact().objects);
    expect(validate({ ...config, modelfs: { type: 'layers', diffIds: config.modelfs.diff_ids } })).toBe(false);
    expect(validate({ ...config, descriptor: { ...config.descriptor, createdAt: 'yesterday' } })).toBe(false);
    expect(validate({ ...config, config: { ...config.config, puantization: 'Q4_K_M' } })).toBe(false);
  });

  test('the vnd.cncf variant validates against config-schema.v0.0.7.json, and not against v0.0.6', () => {
    const config = configOf(synthArtifact({ mediaTypes: ModelMediaTypes.CNCF, precision: 'float16' }).objects);
    expect(modelPackValidator(dir, 'v0.0.7')(config)).toBe(true);
    expect(modelPackValidator(dir, 'v0.0.6')(config)).toBe(false);
  });
});

describe('reproducible digests', () => {
  test('the same declaration synthesizes byte-identical objects (same config blob, same Job)', () => {
    const a = synthArtifact({ extraFiles: [README] });
    const b = synthArtifact({ extraFiles: [README] });
    expect(a.own).toEqual(b.own);
    expect(a.artifact.jobName).toBe(b.artifact.jobName);
  });

  test('createdAt is pinned into the manifest and config; another value gives another Job', () => {
    const base = synthArtifact();
    const pinned = synthArtifact({ createdAt: '2024-02-29T12:30:00+01:00' });
    expect(annotationsOf(pinned.objects).$manifest['org.opencontainers.image.created']).toBe('2024-02-29T12:30:00+01:00');
    expect(configOf(pinned.objects).descriptor.createdAt).toBe('2024-02-29T12:30:00+01:00');
    expect(pinned.artifact.jobName).not.toBe(base.artifact.jobName);
    expect(pinned.artifact.jobName.startsWith('tinyllama-oras-v1-0-0-gguf-')).toBe(true);
  });

  test('the config digest a push produces follows only from the declaration', () => {
    const digest = (objects: any[]) => createHash('sha256').update(find(objects, 'ConfigMap', 'tinyllama-oras-v1-0-0-gguf').data['model-config.json']).digest('hex');
    expect(digest(synthArtifact().objects)).toBe(digest(synthArtifact().objects));
    expect(digest(synthArtifact({ description: 'other' }).objects)).not.toBe(digest(synthArtifact().objects));
  });
});

describe('the import Job', () => {
  test('runs ORAS as non-root under the restricted profile, with resources on every container', () => {
    const { objects } = synthArtifact();
    const job = jobOf(objects);
    expect(job.metadata.namespace).toBe('model-import');
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toBe('ghcr.io/oras-project/oras:v1.3.3');
    expect(c.command).toEqual(['/bin/sh', '/opt/model-import/import-model.sh', '/opt/model-import/import.spec', '/opt/model-import/model-config.json', '/opt/model-import/annotations.json']);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' },
    });
    // 668,788,096 bytes + 128 MiB head room = 766 MiB of scratch, plus 64 MiB for /tmp.
    expect(c.resources).toEqual({ requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '830Mi' }, limits: { memory: '512Mi' } });
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env).toEqual({
      REGISTRY_CREDENTIALS_DIR: '/etc/model-import/registry',
      IMPORT_SCRATCH_DIR: '/scratch',
      IMPORT_SECRET_DIR: '/run/model-import',
      IMPORT_ATTEMPTS: '8',
      IMPORT_RETRY_DELAY_SECONDS: '5',
      IMPORT_READ_TIMEOUT_SECONDS: '60',
      HOME: '/tmp',
      TMPDIR: '/tmp',
    });
    expect(c.env.every((e: any) => e.valueFrom === undefined)).toBe(true);
  });

  test('credentials: the push robot\'s Secret, only username and password, as files', () => {
    const { objects } = synthArtifact();
    const pod = jobOf(objects).spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'registry-credentials')).toEqual({
      name: 'registry-credentials',
      secret: {
        secretName: 'harbor-ml-models-pusher-dockerconfig',
        items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }],
        defaultMode: 0o440,
      },
    });
    expect(pod.volumes.find((v: any) => v.name === 'secret-work')).toEqual({ name: 'secret-work', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'import', mountPath: '/opt/model-import', readOnly: true },
      { name: 'registry-credentials', mountPath: '/etc/model-import/registry', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'secret-work', mountPath: '/run/model-import' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    // The Harbor setup Job writes that Secret into model-import (the robot lists the namespace).
    const setupSpec = find(objects, 'ConfigMap', 'harbor-setup').data['setup.spec'];
    expect(setupSpec).toContain('pullsecret model-import harbor-ml-models-pusher-dockerconfig');
  });

  test('scratch: an emptyDir sized for the files by default; an ephemeral PVC with a storage class', () => {
    const empty = jobOf(synthArtifact({ extraFiles: [README] }).objects).spec.template.spec;
    expect(empty.volumes.find((v: any) => v.name === 'scratch')).toEqual({ name: 'scratch', emptyDir: { sizeLimit: '766Mi' } });

    const pvc = jobOf(synthArtifact({ storageClassName: 'fast-ssd' }).objects).spec.template.spec;
    expect(pvc.volumes.find((v: any) => v.name === 'scratch')).toEqual({
      name: 'scratch',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: expect.objectContaining({ 'app.kubernetes.io/name': 'model-import' }) },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '766Mi' } } },
        },
      },
    });
    expect(pvc.containers[0].resources.requests['ephemeral-storage']).toBe('64Mi');
  });

  test('fails at once on bad input and integrity errors, ignores evictions, has a size-based deadline', () => {
    const spec = jobOf(synthArtifact().objects).spec;
    expect(spec.backoffLimit).toBe(4);
    expect(spec.podFailurePolicy).toEqual({
      rules: [
        { action: 'FailJob', onExitCodes: { containerName: 'import', operator: 'In', values: [2, 3] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ],
    });
    expect(spec.activeDeadlineSeconds).toBe(1800 + Math.ceil(668_788_096 / 5_000_000));
  });

  test('custom resources and an image mirror apply', () => {
    const { objects } = synthArtifact({
      resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '256Mi', memoryLimit: '1Gi' },
      images: new ImageCatalog({ registryPrefix: 'mirror.local/ghcr' }),
    });
    const c = jobOf(objects).spec.template.spec.containers[0];
    expect(c.image).toBe('mirror.local/ghcr/oras-project/oras:v1.3.3');
    expect(c.resources).toEqual({ requests: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '830Mi' }, limits: { cpu: '2', memory: '1Gi' } });
  });

  test('the namespace comes first, with the restricted warn/audit labels', () => {
    const { objects } = synthArtifact({ namespace: 'model-import' });
    const ns = find(objects, 'Namespace', 'model-import');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' });
    const index = (o: any) => objects.indexOf(o);
    for (const o of objects.filter((x) => x.metadata.namespace === 'model-import')) expect(index(o)).toBeGreaterThan(index(ns));
  });

  test('another namespace (listed by the robot) and a second artifact there', () => {
    const p = platform();
    const pusher = p.project.addRobotAccount('importer', { permissions: [RobotPermission.PUSH], namespaces: ['ml-jobs'] });
    const one = new ModelArtifact(p.chart, 'one', seedProps(p, { pushRobot: pusher, namespace: 'ml-jobs' }));
    const two = new ModelArtifact(p.chart, 'two', seedProps(p, { pushRobot: pusher, namespace: 'ml-jobs', tag: 'v1.0.1-gguf' }));
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    expect(one.jobName).not.toBe(two.jobName);
    const inNs = objects.filter((o) => o.metadata.namespace === 'ml-jobs');
    expect(inNs.filter((o) => o.kind === 'Job').map((o) => o.metadata.name)).toEqual([one.jobName, two.jobName]);
    expect(inNs.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toEqual([
      'model-import-default-deny', 'tinyllama-oras-v1-0-0-gguf', 'tinyllama-oras-v1-0-1-gguf',
    ]);
    expect(jobOf(objects.filter((o) => o.metadata.namespace === 'ml-jobs' && o.metadata.name === one.jobName)).spec.template.spec.volumes[1].secret.secretName)
      .toBe('harbor-ml-models-importer-dockerconfig');
  });
});

describe('network policies', () => {
  const DNS = {
    ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  };
  const harborPeer = (component: string, namespace = 'harbor') => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/instance': 'harbor', 'app.kubernetes.io/component': component } },
  });

  test('default deny for the namespace; the import pods: no ingress, egress DNS, 443 to the download CIDR, Harbor nginx 8080', () => {
    const { own } = synthArtifact();
    expect(find(own, 'NetworkPolicy', 'model-import-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const policy = find(own, 'NetworkPolicy', 'tinyllama-oras-v1-0-0-gguf');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'model-import', 'app.kubernetes.io/instance': 'tinyllama-oras-v1-0-0-gguf', 'app.kubernetes.io/component': 'import' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        DNS,
        { ports: [{ port: 443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
        { ports: [{ port: 8080, protocol: 'TCP' }], to: [harborPeer('nginx')] },
      ],
    });
    // The pods the policy selects are the Job's pods.
    expect(jobOf(own).spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
  });

  test('Harbor\'s entry point admits the import namespace (the push robot lists it)', () => {
    const { objects } = synthArtifact();
    const nginx = find(objects, 'NetworkPolicy', 'harbor-nginx');
    const peers = nginx.spec.ingress.flatMap((r: any) => r.from);
    expect(peers).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'model-import' } } });
  });

  test('with an Ingress: core 8080 and the ingress controller on 80/443', () => {
    const { own } = synthArtifact({}, { namespace: 'registry', exposure: HarborExposure.ingress({ host: 'harbor.example.com', tlsSecretName: 'harbor-tls' }) });
    const egress = find(own, 'NetworkPolicy', 'tinyllama-oras-v1-0-0-gguf').spec.egress;
    expect(egress.slice(2)).toEqual([
      { ports: [{ port: 8080, protocol: 'TCP' }], to: [harborPeer('core', 'registry')] },
      { ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }], to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
    ]);
  });

  test('download egress follows allowedDownloadCidr and the URLs\' ports', () => {
    const mirror = ModelSource.fromUrl('http://10.1.2.3:8000/models/tiny.gguf', { sha256: 'a'.repeat(64), sizeBytes: 100, allowHttp: true });
    const extra = ModelSource.fromUrl('https://10.1.2.3/README.md', { sha256: 'b'.repeat(64), sizeBytes: 10 });
    const { own } = synthArtifact({ source: mirror, extraFiles: [extra], allowedDownloadCidr: '10.1.2.0/24' });
    const egress = find(own, 'NetworkPolicy', 'tinyllama-oras-v1-0-0-gguf').spec.egress;
    expect(egress[1]).toEqual({ ports: [{ port: 443, protocol: 'TCP' }, { port: 8000, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.1.2.0/24' } }] });
  });
});

describe('metadata types', () => {
  test('formats are the ModelPack config values', () => {
    expect([ModelFormat.GGUF, ModelFormat.SAFETENSORS, ModelFormat.ONNX, ModelFormat.PYTORCH]).toEqual(['gguf', 'safetensors', 'onnx', 'pt']);
  });

  test('quantization constants and custom names', () => {
    expect([Quantization.Q4_K_M, Quantization.Q5_K_M, Quantization.Q8_0, Quantization.F16, Quantization.BF16].map((q) => q.name))
      .toEqual(['Q4_K_M', 'Q5_K_M', 'Q8_0', 'F16', 'BF16']);
    expect([Quantization.Q4_0, Quantization.Q4_1, Quantization.Q5_0, Quantization.Q5_1].map((q) => q.name)).toEqual(['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1']);
    expect(Quantization.custom('IQ3_XXS').name).toBe('IQ3_XXS');
  });

  test('param sizes: counts with at most one decimal and Q/T/B/M/K', () => {
    for (const size of ['1.1B', '70B', '500M', '0.5B', '7K', '1T', '2Q']) {
      expect(() => synthArtifact({ paramSize: size })).not.toThrow();
    }
  });

  test('the source file is always a weight layer', () => {
    expect(tinyLlamaSource()._layerTypeOrInferred()).toBe(ModelLayerType.WEIGHT);
  });
});

describe('sources with an access token', () => {
  const HF_TOKEN = SecretKeyReference.fromSecret('hf-token', 'token');
  const gated = (file: string, token = HF_TOKEN) => ModelSource.fromHuggingFace('meta-llama/Llama-3.2-1B-Instruct', file, {
    revision: 'main', sha256: '4'.repeat(64), sizeBytes: 5000, token,
  });

  test('without a token: no init container and no download script in the ConfigMap', () => {
    const { objects } = synthArtifact({ extraFiles: [README] });
    expect(jobOf(objects).spec.template.spec.initContainers).toBeUndefined();
    expect(Object.keys(find(objects, 'ConfigMap', 'tinyllama-oras-v1-0-0-gguf').data)).toEqual(['annotations.json', 'import-lib.sh', 'import-model.sh', 'import.spec', 'model-config.json']);
  });

  test('a curl init container downloads the gated files first, with each token Secret key mounted once as a file', () => {
    const otherToken = SecretKeyReference.fromSecret('mirror-token', 'bearer');
    const mirrorFile = ModelSource.fromUrl('https://models.example.com/private/LICENSE', { sha256: '5'.repeat(64), sizeBytes: 100, token: otherToken });
    const { objects } = synthArtifact({ source: gated('model.gguf'), extraFiles: [README, gated('tokenizer.json'), mirrorFile] });
    const pod = jobOf(objects).spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers[0];
    expect(init.name).toBe('download');
    expect(init.image).toBe('quay.io/curl/curl:8.21.0');
    expect(init.command).toEqual(['/bin/sh', '/opt/model-import/download-model.sh', '/opt/model-import/download.spec']);
    expect(init.securityContext).toEqual(pod.containers[0].securityContext);
    expect(init.resources).toEqual(pod.containers[0].resources);
    expect(init.env.every((e: any) => e.valueFrom === undefined)).toBe(true);
    expect(init.env.map((e: any) => e.name)).not.toContain('REGISTRY_CREDENTIALS_DIR');
    expect(init.volumeMounts).toEqual([
      { name: 'import', mountPath: '/opt/model-import', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'secret-work', mountPath: '/run/model-import' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'token-0', mountPath: '/etc/model-import/tokens/0', readOnly: true },
      { name: 'token-1', mountPath: '/etc/model-import/tokens/1', readOnly: true },
    ]);
    expect(pod.volumes.filter((v: any) => v.name.startsWith('token-'))).toEqual([
      { name: 'token-0', secret: { secretName: 'hf-token', items: [{ key: 'token', path: 'token' }], defaultMode: 0o440 } },
      { name: 'token-1', secret: { secretName: 'mirror-token', items: [{ key: 'bearer', path: 'token' }], defaultMode: 0o440 } },
    ]);
    // The import container never sees a token.
    expect(pod.containers[0].volumeMounts.map((m: any) => m.name)).toEqual(['import', 'registry-credentials', 'scratch', 'secret-work', 'tmp']);

    const data = find(objects, 'ConfigMap', 'tinyllama-oras-v1-0-0-gguf').data;
    const hf = 'https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main';
    expect(data['download.spec'].split('\n').filter((l: string) => l.startsWith('file '))).toEqual([
      `file model.gguf 5000 ${'4'.repeat(64)} /etc/model-import/tokens/0/token ${hf}/model.gguf`,
      `file tokenizer.json 5000 ${'4'.repeat(64)} /etc/model-import/tokens/0/token ${hf}/tokenizer.json`,
      `file LICENSE 100 ${'5'.repeat(64)} /etc/model-import/tokens/1/token https://models.example.com/private/LICENSE`,
    ]);
    // import-model.sh still lists every file (it finds the gated ones downloaded and checks them again).
    expect(specOf(objects).filter((l) => l.startsWith('file '))).toHaveLength(4);
  });

  test('the init container\'s bad-input and integrity exits fail the Job at once too', () => {
    const { objects } = synthArtifact({ source: gated('model.gguf') });
    expect(jobOf(objects).spec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'import', operator: 'In', values: [2, 3] } },
      { action: 'FailJob', onExitCodes: { containerName: 'download', operator: 'In', values: [2, 3] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
  });

  test('no token value or Secret content in the output; a registry mirror applies to the curl image', () => {
    const { objects } = synthArtifact({ source: gated('model.gguf'), images: new ImageCatalog({ registryPrefix: 'mirror.local/quay' }) });
    const init = jobOf(objects).spec.template.spec.initContainers[0];
    expect(init.image).toBe('mirror.local/quay/curl/curl:8.21.0');
    expect(objects.filter((o) => o.kind === 'Secret' && o.metadata.name === 'hf-token')).toEqual([]);
  });

  test('a token changes the Job name (its pod template changes)', () => {
    const plain = synthArtifact().artifact.jobName;
    const source = ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, {
      revision: TINYLLAMA.revision, sha256: TINYLLAMA.sha256, sizeBytes: TINYLLAMA.sizeBytes, token: HF_TOKEN,
    });
    const withToken = synthArtifact({ source }).artifact.jobName;
    expect(withToken).not.toBe(plain);
  });
});

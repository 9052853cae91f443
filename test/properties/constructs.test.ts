/**
 * Generated and adversarial props for every public construct: each case is refused with our error
 * format or synthesizes into objects that pass schema validation and the API server lint
 * (names, labels, annotations, image references, CIDRs, ports, duplicate identities).
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { RUNS, adversarialString, expectSomeSynthesized, mostly, cpu, dnsLabel, nameLike, labelMap, namespaceList, prop, props, quantity, refusedOrValid, resources } from './arbitraries';
import {
  ClusterNetwork, DnsServer, HarborExposure, HarborModelRegistry, ImageCatalog, LlamaInferenceService, ModelArtifact, ModelPlatform, ModelSource,
  PlatformBackup, PlatformModel, PlatformRegistry, PlatformStorage, RobotPermission, SecretKeyReference, SeaweedFSStorage, VeleroKopiaBackup,
} from '../../src';
import { ModelReference } from '../../src/core/model-reference';
import { InferenceModel } from '../../src/inference/inference-model';
import { bucketIn } from '../backup/helpers';
import { seedProps, platform as harborPlatform } from '../models/helpers';
import { importedModel } from '../platform/synth';

const images = prop(fc.oneof(
  { weight: 4, arbitrary: fc.constant(new ImageCatalog()) },
  { weight: 2, arbitrary: fc.constantFrom({ registryPrefix: 'registry.example.com/mirror' }, { registryPrefix: 'localhost:5000' }, { overrides: { oras: 'registry.example.com/oras:v1.3.3' } }) },
  { weight: 1, arbitrary: fc.record({ registryPrefix: adversarialString }) },
).map((value) => (value instanceof ImageCatalog ? value : safely(() => new ImageCatalog(value as any)))));

const goodCidr = fc.constantFrom('10.0.0.1/32', '172.20.0.0/16', 'fd00::1/128');
const badCidr = fc.constantFrom('010.0.0.1/32', '1:2:3:4:5:6:7:8:9/64', '10.0.0.0/33');
const network = prop(fc.oneof(
  { weight: 3, arbitrary: fc.constant(new ClusterNetwork()) },
  {
    weight: 3,
    arbitrary: fc.record({
      apiServerCidrs: fc.array(mostly(goodCidr), { minLength: 1, maxLength: 2 }),
      apiServerPorts: fc.array(mostly(fc.constantFrom(443, 6443, 8443)), { minLength: 1, maxLength: 2 }),
    })
      .map((p) => safely(() => new ClusterNetwork(p as any))),
  },
  { weight: 1, arbitrary: badCidr.map((cidr) => safely(() => new ClusterNetwork({ apiServerCidrs: [cidr] }))) },
  { weight: 2, arbitrary: fc.constantFrom('169.254.20.10', '10.96.0.10/32', '0169.254.20.10').map((address) => safely(() => new ClusterNetwork({ dnsServers: [address.includes('/') ? DnsServer.cidr(address) : DnsServer.nodeLocalDnsCache(address)] }))) },
));

/** `record` without its undefined values (as a user leaves a prop out). */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** Builds a prop value whose own factory may refuse it: the refusal is what the case tests. */
function safely<T>(build: () => T): T | Error {
  try {
    return build();
  } catch (error) {
    return error as Error;
  }
}

/** Runs `build`, rethrowing an Error a generated prop value carries (a refused factory call). */
function withProps(values: Record<string, unknown>, build: () => void): void {
  const refused = Object.values(values).find((v) => v instanceof Error);
  if (refused) throw refused;
  build();
}

const MODEL = InferenceModel.fromReference(
  ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf'), 'tinyllama.gguf', { sizeBytes: 668788096, plainHttp: true });

describe('every public construct: generated props are refused with our error or synthesize into valid objects', () => {
  test('SeaweedFSStorage (with buckets)', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      props({
        namespace: prop(nameLike),
        name: prop(nameLike),
        version: prop(fc.constantFrom('3.73', '3.73_large_disk', '4.0')),
        images,
        storageClassName: prop(fc.constantFrom('standard', 'fast-ssd')),
        masterStorageSize: prop(quantity),
        filerStorageSize: prop(quantity),
        volumeStorageSize: prop(fc.constantFrom('20Gi', '50Gi', '100G')),
        volumeServers: prop(fc.integer({ min: 1, max: 5 })),
        masterReplicas: prop(fc.constantFrom(1, 3)),
        s3Replicas: prop(fc.integer({ min: 1, max: 3 })),
        replication: prop(fc.constantFrom('000')),
        volumeSizeLimitMB: prop(fc.integer({ min: 1000, max: 30000 })),
        adminSecretName: prop(dnsLabel),
        s3ClientNamespaces: prop(namespaceList),
        metricsClientNamespaces: prop(namespaceList),
        network,
        masterResources: prop(resources),
      }),
      fc.array(fc.record({ bucket: mostly(dnsLabel), consumer: mostly(dnsLabel), objectAcls: prop(fc.boolean()) }), { maxLength: 2 }),
      (values, buckets) => refusedOrValid((chart) => withProps(values, () => {
        const storage = new SeaweedFSStorage(chart, 'storage', values as any);
        for (const b of buckets) storage.addBucket(b.bucket as any, defined({ consumerNamespace: b.consumer, objectAcls: b.objectAcls }) as any);
      })),
    ), RUNS));
  });

  test('HarborModelRegistry (with a project and robots)', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      props({
        namespace: prop(nameLike),
        name: prop(nameLike),
        version: prop(fc.constantFrom('v2.14.1', 'v2.14.0')),
        images,
        exposure: prop(fc.oneof(
          fc.constant(HarborExposure.clusterIP()),
          fc.record({ host: mostly(fc.constantFrom('harbor.example.com')), annotations: prop(labelMap), className: prop(dnsLabel) })
            .map((o) => safely(() => HarborExposure.ingress(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as any))),
          fc.integer({ min: 29000, max: 33000 }).map((nodePort) => safely(() => HarborExposure.nodePort({ nodePort } as any))),
        )),
        trivy: prop(fc.boolean()),
        exporter: prop(fc.boolean()),
        trivyStorageSize: prop(quantity),
        jobLogStorageSize: prop(quantity),
        logLevel: prop(fc.constantFrom('debug', 'info', 'error')),
        clientNamespaces: prop(namespaceList),
        ingressControllerNamespace: prop(dnsLabel),
        metricsClientNamespaces: prop(namespaceList),
        externalEndpointsCidr: prop(fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', 'fd00::/8')),
        network,
      }),
      mostly(dnsLabel),
      fc.array(mostly(dnsLabel), { maxLength: 2 }),
      (values, project, robotNamespaces) => refusedOrValid((chart) => withProps(values, () => {
        const registry = new HarborModelRegistry(chart, 'harbor', values as any);
        registry.addProject(project).addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: robotNamespaces });
      })),
    ), RUNS));
  });

  test('ModelArtifact', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      props({
        namespace: prop(nameLike),
        repository: prop(fc.constantFrom('tinyllama', 'team/chat', 'chat_v2')),
        tag: prop(fc.constantFrom('v1', 'v1.0.0-gguf', 'Q4_K_M')),
        architecture: prop(fc.constantFrom('llama', 'qwen2')),
        paramSize: prop(fc.constantFrom('1.1B', '135M', '7B')),
        description: prop(fc.string({ maxLength: 80 })),
        createdAt: prop(fc.constantFrom('2025-01-01T00:00:00Z', '2026-06-30T12:00:00Z')),
        allowedDownloadCidr: prop(fc.constantFrom('0.0.0.0/0', '10.0.0.0/8')),
        storageClassName: prop(dnsLabel),
        resources: prop(resources),
        // Gated sources add the curl init container and token volumes.
        source: prop(fc.tuple(fc.constantFrom('hf-token', 'team.tokens'), fc.constantFrom('token', 'HF_TOKEN'), fc.constantFrom('model.gguf', 'sub/model.Q4_K_M.gguf'))
          .map(([secret, key, file]) => ModelSource.fromHuggingFace('example-org/gated-GGUF', file, {
            revision: 'main', sha256: 'b'.repeat(64), sizeBytes: 4096, token: SecretKeyReference.fromSecret(secret, key),
          }))),
      }),
      (values) => refusedOrValid((chart) => withProps(values, () => {
        const p = harborPlatform({}, chart);
        const namespace = typeof values.namespace === 'string' ? values.namespace : 'model-import';
        const pusher = p.project.addRobotAccount('generated-pusher', { permissions: [RobotPermission.PUSH], namespaces: [namespace] });
        new ModelArtifact(chart, 'model', { ...seedProps(p), ...values, pushRobot: pusher } as any);
      })),
    ), RUNS));
  });

  test('LlamaInferenceService', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      props({
        namespace: prop(nameLike),
        name: prop(nameLike),
        replicas: prop(fc.constant(1)),
        contextSize: prop(fc.constantFrom(512, 2048, 4096)),
        threads: prop(fc.integer({ min: 1, max: 8 })),
        parallel: prop(fc.integer({ min: 1, max: 4 })),
        promptCacheMib: prop(fc.integer({ min: 0, max: 2048 })),
        port: prop(fc.constantFrom(8080, 8000, 65535)),
        images,
        network,
        clientNamespaces: prop(namespaceList),
        extraArgs: prop(fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('--alias', 'chat', '$$(X)', '--jinja') }, { weight: 1, arbitrary: fc.constantFrom('--host', '$(LLAMA_API_KEY)', '--port=1') }), { maxLength: 3 })),
        apiKey: prop(fc.constant(SecretKeyReference.fromSecret('llama-api-key', 'key'))),
        gpu: prop(fc.record({ count: fc.integer({ min: 0, max: 2 }), nodeSelector: prop(labelMap), tolerations: prop(fc.array(fc.record({ key: prop(fc.constantFrom('nvidia.com/gpu', '-bad')), operator: prop(fc.constantFrom('Exists', 'Equal', 'In')), value: prop(fc.constantFrom('', 'present')), effect: prop(fc.constantFrom('NoSchedule', 'NoExecute', 'Never')) }, { requiredKeys: [] }), { maxLength: 2 })) }, { requiredKeys: ['count'] })),
        startupTimeout: prop(fc.constantFrom(Duration.minutes(10), Duration.seconds(5))),
        resources: prop(fc.record({ cpuRequest: prop(cpu), memoryLimit: prop(quantity) }, { requiredKeys: [] })),
      }),
      fc.record({ size: mostly(fc.constantFrom('5Gi', '10Gi', '3G')), keepVersions: prop(fc.integer({ min: 1, max: 3 })) }, { requiredKeys: ['size'] }),
      (values, cache) => refusedOrValid((chart) => withProps(values, () => {
        new LlamaInferenceService(chart, 'llama', { ...values, model: MODEL, cache } as any);
      })),
    ), { ...RUNS, numRuns: 400 }));
  });

  test('VeleroKopiaBackup (with a schedule, a one-off backup and a restore)', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      props({
        namespace: prop(nameLike),
        prefix: prop(fc.constantFrom('cluster-a', 'a/b')),
        images,
        defaultVolumesToFsBackup: prop(fc.boolean()),
        fsBackupTimeout: prop(fc.constantFrom('4h', '30m', '1h30m')),
        keepLatestMaintenanceJobs: prop(fc.integer({ min: 1, max: 5 })),
        logLevel: prop(fc.constantFrom('info', 'debug')),
        features: prop(fc.array(fc.constantFrom('EnableCSI'), { maxLength: 1 })),
        nodeAgentTolerations: prop(fc.array(fc.record({ key: prop(mostly(fc.constantFrom('node-role.kubernetes.io/control-plane', 'nvidia.com/gpu'))), operator: prop(fc.constantFrom('Exists', 'Equal')), effect: prop(fc.constantFrom('NoSchedule', 'NoExecute')) }, { requiredKeys: [] }), { maxLength: 2 })),
        kubeletRootDir: prop(fc.constantFrom('/var/lib/kubelet', '/var/lib/k0s/kubelet')),
        checksumAlgorithm: prop(fc.constantFrom('', 'CRC32')),
        publicUrl: prop(fc.constantFrom('https://s3.example.com', 'http://10.0.0.5:8333')),
        network,
        s3EgressCidr: prop(fc.constantFrom('0.0.0.0/0', '10.0.0.0/8')),
        metricsClientNamespaces: prop(namespaceList),
        credentialsWaitTimeout: prop(fc.constantFrom(Duration.minutes(5), Duration.seconds(1))),
      }),
      fc.record({
        namespace: mostly(dnsLabel),
        cron: mostly(fc.constantFrom('0 2 * * *', '@daily', '@every 1h', 'CRON_TZ=Europe/Paris 30 1 * * 1-5')),
        ttl: prop(fc.constantFrom('168h0m0s', '720h', '1s')),
        labels: prop(labelMap),
      }),
      prop(mostly(dnsLabel)),
      (values, schedule, backupName) => refusedOrValid((chart) => withProps(values, () => {
        const velero = new VeleroKopiaBackup(chart, 'velero', { bucket: bucketIn(typeof values.namespace === 'string' ? values.namespace : 'velero'), ...values } as any);
        const scheduleOptions = defined({ cron: schedule.cron, ttl: schedule.ttl, labels: schedule.labels });
        const object = velero.scheduleNamespace(schedule.namespace as any, scheduleOptions as any);
        velero.backupNamespace(schedule.namespace, backupName === undefined ? {} : { name: backupName as any });
        velero.restore({ scheduleName: object.name });
      })),
    ), RUNS));
  });

  test('ModelPlatform', () => {
    expectSomeSynthesized(() => fc.assert(fc.property(
      fc.record({
        namespaces: prop(fc.record(
          { storage: prop(dnsLabel), registry: prop(dnsLabel), inference: prop(dnsLabel), backup: prop(dnsLabel), modelImport: prop(dnsLabel) },
          { requiredKeys: [] },
        )),
        repository: fc.constantFrom('chat', 'team/a', 'team-a'),
        services: fc.array(fc.record(
          { name: prop(fc.oneof(dnsLabel, fc.constantFrom('a', 'b-c', 'a-b', 'c', '7b'))), namespace: prop(fc.oneof(dnsLabel, fc.constantFrom('a', 'a-b', 'kube-system'))) },
          { requiredKeys: [] },
        ), { minLength: 1, maxLength: 3 }),
        backup: fc.oneof(
          fc.constant(PlatformBackup.none()),
          fc.record({ oneOffBackupName: prop(dnsLabel), scheduleCron: prop(fc.constantFrom('0 2 * * *', '61 * * * *')) })
            .map((o) => safely(() => PlatformBackup.veleroKopia(defined(o) as any))),
        ),
      }),
      (values) => refusedOrValid((chart) => withProps(values, () => {
        const models: PlatformModel[] = [importedModel(values.repository, 'v1')];
        new ModelPlatform(chart, 'platform', {
          ...(values.namespaces === undefined ? {} : { namespaces: values.namespaces as any }),
          storage: PlatformStorage.seaweedFS(),
          registry: PlatformRegistry.harbor(),
          models,
          services: values.services.map((s) => ({ ...s, model: `${values.repository}:v1`, cache: { size: '1Gi' } }) as any),
          backup: values.backup as any,
        });
      })),
    ), { ...RUNS, numRuns: 25 }));
  });
});

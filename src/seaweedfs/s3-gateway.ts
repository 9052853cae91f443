import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  ACCESS_KEY_ID_KEY, CREDENTIALS_DIR, IDENTITIES_SPEC_DIR, IDENTITIES_SPEC_FILE, PORTS, S3_CONFIG_DIR, S3_CONFIG_FILE, SCRIPTS_DIR,
  SECRET_ACCESS_KEY_KEY, WEED_BINARY,
} from './constants';
import { SeaweedContext, componentLabels, componentName, componentSelector, filerClientAddress } from './context';
import { S3Identity, renderIdentitiesSpec } from './identities';
import { BUILD_IDENTITIES_SCRIPT, scriptsConfigMapName, shortHash } from './scripts';
import {
  componentService, componentServiceAccount, httpProbe, podSpecBase, port, seaweedContainerSecurityContext, seaweedEnv, tmpMount, tmpVolume,
} from './workload-common';
import { kube, Wire } from '../core/kube-object';

/** An identity and the Secret (in the storage namespace) that holds its keys. */
export interface IdentityWithSecret {
  readonly identity: S3Identity;
  readonly secretName: string;
}

/** Inputs of `buildS3Gateway`. */
export interface S3GatewayOptions {
  readonly replicas: number;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly initResources: Wire<k8s.ResourceRequirements>;
  /** Identities, read at synth (buckets may be added after construction). */
  readonly identities: () => IdentityWithSecret[];
}

/** Name of the ConfigMap with the identities spec. */
export function identitiesConfigMapName(ctx: SeaweedContext): string {
  return `${ctx.name}-s3-identities`;
}

/**
 * The S3 gateway: a stateless Deployment in front of the filer. Its init container assembles the
 * identities JSON from the projected access-key Secrets into an in-memory emptyDir, so keys exist
 * only in Secrets and in that tmpfs, never in a manifest or a ConfigMap.
 */
export function buildS3Gateway(scope: Construct, ctx: SeaweedContext, options: S3GatewayOptions): k8s.KubeDeployment {
  const name = componentName(ctx, 's3');
  componentServiceAccount(scope, ctx, 's3');
  componentService(scope, 's3-service', ctx, 's3', { name, headless: false, ports: [{ name: 'http', port: PORTS.s3Http }, { name: 'metrics', port: PORTS.metrics }] });

  const spec = (): string => renderIdentitiesSpec(options.identities().map((i) => i.identity));
  kube(k8s.KubeConfigMap, scope, 's3-identities', {
    metadata: { name: identitiesConfigMapName(ctx), namespace: ctx.namespace, labels: componentLabels(ctx, 's3') },
    data: { [IDENTITIES_SPEC_FILE]: Lazy.any({ produce: spec }) },
  });

  const credentialSources = (): Wire<k8s.VolumeProjection>[] => options.identities().map(({ identity, secretName }) => ({
    secret: {
      name: secretName,
      optional: false,
      items: [ACCESS_KEY_ID_KEY, SECRET_ACCESS_KEY_KEY].map((key) => ({ key, path: `${identity.credentialsSubdir}/${key}` })),
    },
  }));

  const configFile = `${S3_CONFIG_DIR}/${S3_CONFIG_FILE}`;
  const labels = componentLabels(ctx, 's3');
  return kube(k8s.KubeDeployment, scope, 's3', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: componentSelector(ctx, 's3') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          // Changes when an identity or its Secret changes, so the pods re-run the init container.
          annotations: { 'seaweedfs.cnai.io/identities-hash': Lazy.any({ produce: () => shortHash(spec(), ...options.identities().map((i) => i.secretName)) }) },
        },
        spec: {
          ...podSpecBase(ctx, 's3'),
          initContainers: [{
            name: 'identities',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: ['/bin/sh', `${SCRIPTS_DIR}/${BUILD_IDENTITIES_SCRIPT}`, `${IDENTITIES_SPEC_DIR}/${IDENTITIES_SPEC_FILE}`, configFile],
            resources: options.initResources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [
              { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
              { name: 'identities-spec', mountPath: IDENTITIES_SPEC_DIR, readOnly: true },
              { name: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
              { name: 's3-config', mountPath: S3_CONFIG_DIR },
            ],
          }],
          containers: [{
            name: 's3',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: [WEED_BINARY],
            args: [
              '-logtostderr=true',
              's3',
              `-port=${PORTS.s3Http}`,
              // weed s3 binds to localhost when -ip.bind is empty (s3.go).
              '-ip.bind=0.0.0.0',
              `-filer=${filerClientAddress(ctx)}`,
              `-config=${configFile}`,
              `-metricsPort=${PORTS.metrics}`,
            ],
            env: seaweedEnv(ctx),
            ports: [port('http', PORTS.s3Http), port('metrics', PORTS.metrics)],
            readinessProbe: httpProbe('/status', PORTS.s3Http, { initialDelaySeconds: 15, periodSeconds: 15, failureThreshold: 3 }),
            livenessProbe: httpProbe('/status', PORTS.s3Http, { initialDelaySeconds: 20, periodSeconds: 30, failureThreshold: 4 }),
            resources: options.resources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [{ name: 's3-config', mountPath: S3_CONFIG_DIR, readOnly: true }, tmpMount()],
          }],
          volumes: [
            tmpVolume(),
            { name: 'scripts', configMap: { name: scriptsConfigMapName(ctx), defaultMode: 0o444 } },
            { name: 'identities-spec', configMap: { name: identitiesConfigMapName(ctx), defaultMode: 0o444 } },
            // Owned by root:fsGroup; 0440 lets the (group 1000) init container read and nobody else.
            { name: 'credentials', projected: { defaultMode: 0o440, sources: Lazy.any({ produce: credentialSources }) } },
            // tmpfs: the assembled keys never touch the node's disk.
            { name: 's3-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          ],
        },
      },
    },
  });
}

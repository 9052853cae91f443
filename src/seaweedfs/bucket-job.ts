import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { SCRIPTS_DIR } from './constants';
import { SeaweedContext, componentLabels, filerClientAddress, masterAddresses } from './context';
import { CREATE_BUCKETS_SCRIPT, readScript, scriptsConfigMapName, shortHash } from './scripts';
import { componentServiceAccount, podSpecBase, seaweedContainerSecurityContext, seaweedEnv, tmpMount, tmpVolume } from './workload-common';
import { kube, Wire } from '../core/kube-object';

/** Retry bounds of the wait for master and filer (worst case ≈ 20 × (30 s timeout + 30 s delay) ≈ 20 min). */
export const BUCKET_JOB_WAIT = { attempts: 20, initialSeconds: 2, maxSeconds: 30, shellTimeoutSeconds: 30 } as const;

/** Inputs of `buildBucketJob`. */
export interface BucketJobOptions {
  readonly resources: Wire<k8s.ResourceRequirements>;
  /** Declared bucket names, read at synth. */
  readonly buckets: () => string[];
}

/**
 * Prefix of the bucket Job's name: the full name adds a hash of the bucket list, image and script,
 * because a Job's pod template is immutable: a changed list needs a new Job, an unchanged one keeps
 * its completed Job (nothing re-runs on an unchanged re-apply).
 */
export function bucketJobNamePrefix(ctx: SeaweedContext): string {
  return `${ctx.name}-buckets`;
}

/** The idempotent Job that creates missing buckets with `weed shell`. */
export function buildBucketJob(scope: Construct, ctx: SeaweedContext, options: BucketJobOptions): k8s.KubeJob {
  componentServiceAccount(scope, ctx, 'bucket-setup');
  const script = readScript(CREATE_BUCKETS_SCRIPT);
  const bucketList = (): string => [...options.buckets()].sort().join(' ');
  const jobName = (): string => `${bucketJobNamePrefix(ctx)}-${shortHash(bucketList(), ctx.image, script)}`;
  const labels = componentLabels(ctx, 'bucket-setup');
  return kube(k8s.KubeJob, scope, 'bucket-job', {
    metadata: { name: Lazy.any({ produce: jobName }), namespace: ctx.namespace, labels },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'bucket-setup'),
          restartPolicy: 'Never',
          containers: [{
            name: 'create-buckets',
            image: ctx.image,
            imagePullPolicy: 'IfNotPresent',
            command: ['/bin/sh', `${SCRIPTS_DIR}/${CREATE_BUCKETS_SCRIPT}`],
            env: [
              ...seaweedEnv(ctx),
              { name: 'SEAWEEDFS_MASTER', value: masterAddresses(ctx).join(',') },
              { name: 'SEAWEEDFS_FILER', value: filerClientAddress(ctx) },
              { name: 'BUCKETS', value: Lazy.any({ produce: bucketList }) },
              { name: 'WAIT_ATTEMPTS', value: String(BUCKET_JOB_WAIT.attempts) },
              { name: 'WAIT_INITIAL_SECONDS', value: String(BUCKET_JOB_WAIT.initialSeconds) },
              { name: 'WAIT_MAX_SECONDS', value: String(BUCKET_JOB_WAIT.maxSeconds) },
              { name: 'SHELL_TIMEOUT_SECONDS', value: String(BUCKET_JOB_WAIT.shellTimeoutSeconds) },
            ],
            resources: options.resources,
            securityContext: seaweedContainerSecurityContext(),
            volumeMounts: [{ name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true }, tmpMount()],
          }],
          volumes: [tmpVolume(), { name: 'scripts', configMap: { name: scriptsConfigMapName(ctx), defaultMode: 0o444 } }],
        },
      },
    },
  });
}

import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { SeaweedContext, instanceLabels } from './context';
import { readContainerScript } from '../core/container-scripts';
import { kube } from '../core/kube-object';

/** Script that assembles the S3 identities JSON in the gateway's init container. */
export const BUILD_IDENTITIES_SCRIPT = 'build-identities.sh';
/** Script the bucket Job runs. */
export const CREATE_BUCKETS_SCRIPT = 'create-buckets.sh';

/**
 * Text of a script shipped beside this module (`scripts/<file>`), read at synth. The `.sh` files
 * must therefore be present next to the compiled `.js` (lib/seaweedfs/scripts/) in the package.
 */
export function readScript(file: string): string {
  return readContainerScript(__dirname, file, 'SeaweedFSStorage');
}

/** Short content hash, for names and annotations that must change when content changes. */
export function shortHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 10);
}

/** Name of the scripts ConfigMap. */
export function scriptsConfigMapName(ctx: SeaweedContext): string {
  return `${ctx.name}-scripts`;
}

/** The ConfigMap holding both scripts (mounted by the s3 gateway and the bucket Job). */
export function buildScriptsConfigMap(scope: Construct, ctx: SeaweedContext): k8s.KubeConfigMap {
  return kube(k8s.KubeConfigMap, scope, 'scripts', {
    metadata: { name: scriptsConfigMapName(ctx), namespace: ctx.namespace, labels: instanceLabels(ctx) },
    data: {
      [BUILD_IDENTITIES_SCRIPT]: readScript(BUILD_IDENTITIES_SCRIPT),
      [CREATE_BUCKETS_SCRIPT]: readScript(CREATE_BUCKETS_SCRIPT),
    },
  });
}

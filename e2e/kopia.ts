/**
 * The real kopia (velero v1.18.1's fork, the uploader of Velero's file-system backup) on a
 * repository in the SeaweedFS `velero` bucket, with the options Velero derives from the synthesized
 * BackupStorageLocation.
 */
import * as path from 'path';
import { ScriptRun, runProgram, tool } from './harness';
import { findObject } from './platform';
import { SeaweedFS } from './storage';

/**
 * The kopia S3 storage options Velero derives from the BSL (vmware-tanzu/velero@v1.18.1:
 * pkg/repository/provider/unified_repo.go getStorageVariables, pkg/repository/udmrepo/kopialib/backend/s3.go
 * Setup): bucket and prefix from objectStorage, prefix `<prefix>/kopia/<volume namespace>/`;
 * endpoint the s3Url's host (no scheme; a path is an error), doNotUseTLS when its scheme is http;
 * region from config.region. s3ForcePathStyle has no kopia option: kopia's S3 client picks path
 * style itself for an endpoint that is not AWS (it is used by the AWS object-store plugin only).
 * Velero names a volume's repository after the volume's namespace.
 */
export function veleroKopiaS3Flags(objects: any[], storage: SeaweedFS, volumeNamespace = 'ai-inference'): string[] {
  const bsl = findObject(objects, 'BackupStorageLocation', (o) => o.metadata.namespace === 'velero');
  const config = bsl.spec.config;
  if (bsl.spec.provider !== 'aws') throw new Error(`BSL provider ${bsl.spec.provider}, expected aws`);
  const url = new URL(config.s3Url);
  if (!['', '/'].includes(url.pathname)) throw new Error(`BSL s3Url ${config.s3Url} has a path: Velero refuses it for kopia`);
  // Only the host is remapped: the cluster's gateway Service becomes the local gateway.
  if (url.host !== 'seaweedfs-s3.seaweedfs.svc:8333') throw new Error(`BSL s3Url ${config.s3Url} is not the SeaweedFS gateway`);
  const local = new URL(storage.s3Endpoint).host;
  const prefix = [bsl.spec.objectStorage.prefix ?? '', 'kopia', volumeNamespace].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/') + '/';
  const keys = storage.credentials['bucket-velero'];
  return [
    `--bucket=${bsl.spec.objectStorage.bucket.replace(/^\/+|\/+$/g, '')}`,
    `--prefix=${prefix}`,
    `--endpoint=${local}`,
    `--region=${config.region}`,
    ...(url.protocol === 'http:' ? ['--disable-tls'] : []),
    `--access-key=${keys.accessKey}`,
    `--secret-access-key=${keys.secretKey}`,
  ];
}

/** Runs kopia with its config, cache and log folders under `root` and the password from the environment. */
export function runKopia(options: { root: string; password: string }, ...args: string[]): Promise<ScriptRun> {
  return runProgram(tool('kopia'), [
    ...args,
    `--config-file=${path.join(options.root, 'repository.config')}`,
    `--log-dir=${path.join(options.root, 'logs')}`,
    '--no-progress',
  ], {
    env: {
      PATH: process.env.PATH,
      HOME: options.root,
      KOPIA_PASSWORD: options.password,
      KOPIA_CACHE_DIRECTORY: path.join(options.root, 'cache'),
      KOPIA_CHECK_FOR_UPDATES: 'false',
    },
    timeoutMs: 300_000,
  });
}

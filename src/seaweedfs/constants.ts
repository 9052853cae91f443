/**
 * SeaweedFS 3.73 facts the construct relies on (seaweedfs/seaweedfs@3.73:weed/command/{master,volume,
 * filer,s3}.go and k8s/charts/seaweedfs/templates).
 * gRPC ports are always HTTP + 10000: clients derive them that way from the HTTP address.
 */
export const PORTS = {
  masterHttp: 9333,
  masterGrpc: 19333,
  volumeHttp: 8080,
  volumeGrpc: 18080,
  filerHttp: 8888,
  filerGrpc: 18888,
  s3Http: 8333,
  metrics: 9327,
} as const;

/** Path of the static `weed` binary in the image: the image entrypoint is bypassed. */
export const WEED_BINARY = '/usr/bin/weed';

/** Where each server's PVC is mounted (`-mdir`, `-dir`, filer leveldb2 under it). */
export const DATA_DIR = '/data';

/** emptyDir for the unix sockets filer and s3 create (`/tmp/seaweedfs-{filer,s3}-<port>.sock`) and `weed shell` history. */
export const TMP_DIR = '/tmp';

/** Where the scripts ConfigMap is mounted. */
export const SCRIPTS_DIR = '/opt/seaweedfs/scripts';

/** Where the identities spec ConfigMap (names, secret dirs, actions, no secrets) is mounted. */
export const IDENTITIES_SPEC_DIR = '/opt/seaweedfs/identities';

/** Where the access-key Secrets are projected, one sub-directory per identity. */
export const CREDENTIALS_DIR = '/var/run/seaweedfs/credentials';

/** In-memory emptyDir holding the assembled identities JSON that `weed s3 -config` reads. */
export const S3_CONFIG_DIR = '/var/run/seaweedfs/s3';

/** File name of the assembled S3 identities JSON. */
export const S3_CONFIG_FILE = 'identities.json';

/** File name of the identities spec in its ConfigMap. */
export const IDENTITIES_SPEC_FILE = 'identities.conf';

/** Keys of every access-key Secret (the names AWS SDKs read from the environment). */
export const ACCESS_KEY_ID_KEY = 'AWS_ACCESS_KEY_ID';
/** See `ACCESS_KEY_ID_KEY`. */
export const SECRET_ACCESS_KEY_KEY = 'AWS_SECRET_ACCESS_KEY';

/** Lengths of generated keys (AWS' own shapes: 20-character id, 40-character secret). */
export const ACCESS_KEY_ID_LENGTH = 20;
/** See `ACCESS_KEY_ID_LENGTH`. */
export const SECRET_ACCESS_KEY_LENGTH = 40;

/**
 * UID/GID/fsGroup every SeaweedFS container runs as. The 3.73 image has no USER (root); 1000 is
 * the uid later images adopt for their `seaweed` user (seaweedfs/seaweedfs#7399, #7451), so data
 * written now keeps working with those images.
 */
export const RUN_AS_UID = 1000;

/** Cluster name used in `WEED_CLUSTER_*` env so `weed shell` inside a pod finds the cluster. */
export const CLUSTER_NAME = 'sw';

/** Region written into every S3Bucket (SeaweedFS ignores it, clients require one). */
export const S3_REGION = 'us-east-1';

/** Components, also used as `app.kubernetes.io/component`. */
export type Component = 'master' | 'volume' | 'filer' | 's3' | 'bucket-setup';

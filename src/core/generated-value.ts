import { propError } from './errors';
import { requireSecretDataKey } from './secret-reference';
import { PropContext, requireDnsSubdomain, requireInteger } from './validate';

/**
 * How a generator is written in the bootstrap spec. Internal: the spec format is shared only with
 * `scripts/bootstrap-secrets.sh`.
 */
export type GeneratorKind = 'random' | 'password' | 'htpasswd' | 'rsa' | 'cert' | 'awscreds';

/** The parsed form of a `GeneratedValue`. Internal to the secret bootstrap. */
export interface GeneratorSpec {
  readonly kind: GeneratorKind;
  /** `random` and `password`: number of characters. */
  readonly length?: number;
  /** `htpasswd`: user name written before the colon. */
  readonly username?: string;
  /** `htpasswd`: key of the same secret that holds the password. */
  readonly passwordKey?: string;
  /** `rsa`: modulus size. */
  readonly bits?: number;
  /** `cert`: key of the same secret that holds the RSA private key. */
  readonly privateKeyKey?: string;
  /** `cert`: subject common name. */
  readonly commonName?: string;
  /** `cert`: validity in days. */
  readonly validityDays?: number;
  /** `awscreds`: another Secret of the same namespace that holds the key pair. */
  readonly sourceSecret?: string;
  /** `awscreds`: key of the source Secret holding the access key id. */
  readonly accessKeyIdKey?: string;
  /** `awscreds`: key of the source Secret holding the secret access key. */
  readonly secretAccessKeyKey?: string;
}

/** RSA modulus sizes the bootstrap generates. */
const RSA_BITS = [2048, 3072, 4096];

/**
 * User names go on an htpasswd line (`user:hash`) and into one whitespace-separated spec field,
 * so colons and whitespace are out: the rest keeps to characters every registry client accepts.
 */
const HTPASSWD_USER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;

/**
 * Common names go into one spec field and into `openssl req -subj "/CN=..."`, where '/', '=',
 * ',', '+' and whitespace would need escaping. Host-name characters (and a leading `*.` for
 * wildcards) cover the certificates a platform needs; 64 is the X.509 upper bound for a CN.
 */
const COMMON_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/**
 * How one key of a generated Secret gets its value. Values are generated in-cluster by the secret
 * bootstrap Job, once, and never appear in synthesized manifests.
 */
export class GeneratedValue {
  /**
   * Random characters from `[A-Za-z0-9]` (read from `/dev/urandom`).
   *
   * @param length number of characters, 1 to 4096 (32 characters carry about 190 bits)
   */
  public static randomAlphanumeric(length: number): GeneratedValue {
    requireInteger(ctx('randomAlphanumeric.length'), length, 1, 4096);
    return new GeneratedValue({ kind: 'random', length });
  }

  /**
   * A random password from `[A-Za-z0-9]` that contains at least one uppercase letter, one
   * lowercase letter and one digit, as Harbor requires for robot secrets and the admin password
   * (a plain `randomAlphanumeric(32)` lacks a digit about once in 280 draws). The bootstrap draws
   * again until all three classes are present; the odds of needing more than a few draws are
   * negligible even at 8 characters.
   *
   * @param length number of characters, 8 to 128 (Harbor's bounds for robot secrets)
   */
  public static randomPassword(length: number): GeneratedValue {
    requireInteger(ctx('randomPassword.length'), length, 8, 128);
    return new GeneratedValue({ kind: 'password', length });
  }

  /**
   * An htpasswd line `username:$2y$...` with a bcrypt hash of the value of another key of the same
   * secret (which must be a `randomAlphanumeric` or `randomPassword` value). bcrypt because Docker distribution only
   * accepts bcrypt entries and silently ignores the others. The line has no trailing newline.
   *
   * @param username user name before the colon: letters, digits, '.', '_', '@' or '-'
   * @param passwordKey key of the same secret holding the password
   */
  public static bcryptHtpasswd(username: string, passwordKey: string): GeneratedValue {
    if (typeof username !== 'string' || !HTPASSWD_USER.test(username)) {
      throw propError({
        ...ctx('bcryptHtpasswd.username'),
        value: username,
        allowed: "1-255 letters, digits, '.', '_', '@' or '-', starting with a letter or digit (no ':' or whitespace)",
        fix: 'use a user name such as "harbor_registry_user"',
      });
    }
    requireSecretDataKey(ctx('bcryptHtpasswd.passwordKey'), passwordKey);
    return new GeneratedValue({ kind: 'htpasswd', username, passwordKey });
  }

  /**
   * A PEM RSA private key in PKCS#1 form (`BEGIN RSA PRIVATE KEY`), as Harbor's installer creates
   * it with `openssl genrsa -traditional`.
   *
   * @param bits modulus size: 2048, 3072 or 4096
   * @default 4096
   */
  public static rsaPrivateKey(bits?: number): GeneratedValue {
    const size = bits ?? 4096;
    if (!RSA_BITS.includes(size)) {
      throw propError({
        ...ctx('rsaPrivateKey.bits'),
        value: bits,
        allowed: `one of ${RSA_BITS.join(', ')}`,
        fix: 'pass 4096 (or leave it out), 3072 or 2048',
      });
    }
    return new GeneratedValue({ kind: 'rsa', bits: size });
  }

  /**
   * A self-signed PEM certificate (SHA-256) for the RSA private key held in another key of the
   * same secret (which must be an `rsaPrivateKey` value).
   *
   * @param privateKeyKey key of the same secret holding the private key
   * @param commonName subject CN: a host name such as `harbor-token` or `*.example.com`
   * @param validityDays days until the certificate expires, 1 to 36500
   * @default validityDays 3650
   */
  public static selfSignedCertificate(privateKeyKey: string, commonName: string, validityDays?: number): GeneratedValue {
    requireSecretDataKey(ctx('selfSignedCertificate.privateKeyKey'), privateKeyKey);
    if (typeof commonName !== 'string' || !COMMON_NAME.test(commonName)) {
      throw propError({
        ...ctx('selfSignedCertificate.commonName'),
        value: commonName,
        allowed: "a host name of 1-63 letters, digits, '.', '_' or '-' (optionally starting with '*.'), without spaces, '/', '=' or ','",
        fix: 'use a common name such as "harbor-token"',
      });
    }
    const days = validityDays ?? 3650;
    requireInteger(ctx('selfSignedCertificate.validityDays'), days, 1, 36500);
    return new GeneratedValue({ kind: 'cert', privateKeyKey, commonName, validityDays: days });
  }

  /**
   * An AWS shared-credentials file (the INI format of `~/.aws/credentials`) for the key pair held
   * in two keys of ANOTHER Secret of the same namespace (format below).
   *
   * ```
   * [default]
   * aws_access_key_id=<value of accessKeyIdKey>
   * aws_secret_access_key=<value of secretAccessKeyKey>
   * ```
   *
   * This is the file Velero's `cloud-credentials` Secret holds (key `cloud`). The bootstrap waits
   * (bounded by its `namespaceWaitTimeout`) for the source Secret to appear, e.g. until another
   * bootstrap has copied S3 keys into this namespace, and reads it with a `get` permission limited
   * to that name. Line breaks in the source values are dropped; the values are never logged. The
   * file is generated once: rotating the source keys later does not update it (delete it and the
   * finished Job to regenerate).
   *
   * @param sourceSecretName Secret in the bootstrap's namespace holding the key pair
   * @param accessKeyIdKey key of the source Secret with the access key id, e.g. `AWS_ACCESS_KEY_ID`
   * @param secretAccessKeyKey key of the source Secret with the secret key, e.g. `AWS_SECRET_ACCESS_KEY`
   */
  public static awsSharedCredentials(sourceSecretName: string, accessKeyIdKey: string, secretAccessKeyKey: string): GeneratedValue {
    requireDnsSubdomain(ctx('awsSharedCredentials.sourceSecretName'), sourceSecretName);
    requireSecretDataKey(ctx('awsSharedCredentials.accessKeyIdKey'), accessKeyIdKey);
    requireSecretDataKey(ctx('awsSharedCredentials.secretAccessKeyKey'), secretAccessKeyKey);
    if (accessKeyIdKey === secretAccessKeyKey) {
      throw propError({
        ...ctx('awsSharedCredentials.secretAccessKeyKey'),
        value: secretAccessKeyKey,
        allowed: `a key other than accessKeyIdKey ("${accessKeyIdKey}")`,
        fix: 'name the two keys of the source Secret, e.g. "AWS_ACCESS_KEY_ID" and "AWS_SECRET_ACCESS_KEY"',
      });
    }
    return new GeneratedValue({ kind: 'awscreds', sourceSecret: sourceSecretName, accessKeyIdKey, secretAccessKeyKey });
  }

  /** @internal */
  public readonly _spec: GeneratorSpec;

  private constructor(spec: GeneratorSpec) {
    this._spec = spec;
  }

  /** What the value is, for documentation and error messages (never a value). */
  public toString(): string {
    const s = this._spec;
    switch (s.kind) {
      case 'random':
        return `randomAlphanumeric(${s.length})`;
      case 'password':
        return `randomPassword(${s.length})`;
      case 'htpasswd':
        return `bcryptHtpasswd(${s.username}, ${s.passwordKey})`;
      case 'rsa':
        return `rsaPrivateKey(${s.bits})`;
      case 'cert':
        return `selfSignedCertificate(${s.privateKeyKey}, ${s.commonName}, ${s.validityDays})`;
      case 'awscreds':
        return `awsSharedCredentials(${s.sourceSecret}, ${s.accessKeyIdKey}, ${s.secretAccessKeyKey})`;
    }
  }
}

/**
 * The key of the same secret a generator derives from, and the generator kind it must have.
 * @internal
 */
export function derivedFrom(spec: GeneratorSpec): { key: string; requiredKinds: GeneratorKind[] } | undefined {
  // An htpasswd line hashes a password: either random generator gives one.
  if (spec.kind === 'htpasswd') return { key: spec.passwordKey!, requiredKinds: ['random', 'password'] };
  if (spec.kind === 'cert') return { key: spec.privateKeyKey!, requiredKinds: ['rsa'] };
  return undefined;
}

/**
 * The generator as the fields of a `key` line of the bootstrap spec (after `key <dataKey>`).
 * @internal
 */
export function specFields(spec: GeneratorSpec): string {
  switch (spec.kind) {
    case 'random':
      return `random ${spec.length}`;
    case 'password':
      return `password ${spec.length}`;
    case 'htpasswd':
      return `htpasswd ${spec.username} ${spec.passwordKey}`;
    case 'rsa':
      return `rsa ${spec.bits}`;
    case 'cert':
      return `cert ${spec.privateKeyKey} ${spec.commonName} ${spec.validityDays}`;
    case 'awscreds':
      return `awscreds ${spec.sourceSecret} ${spec.accessKeyIdKey} ${spec.secretAccessKeyKey}`;
  }
}

/**
 * The other Secret (same namespace) a generator reads, which the bootstrap's Role must let it `get`.
 * @internal
 */
export function sourceSecretOf(spec: GeneratorSpec): string | undefined {
  return spec.kind === 'awscreds' ? spec.sourceSecret : undefined;
}

function ctx(prop: string): PropContext {
  return { construct: 'GeneratedValue', prop };
}

import { propError } from './errors';
import { PropContext, requireDnsSubdomain } from './validate';

/** One key of an existing Kubernetes Secret. Values are never read or written by the library. */
export class SecretKeyReference {
  /**
   * Refers to `key` in the Secret `secretName` (in the namespace of whoever consumes it).
   */
  public static fromSecret(secretName: string, key: string): SecretKeyReference {
    return new SecretKeyReference(secretName, key);
  }

  /** Name of the Secret. */
  public readonly secretName: string;
  /** Key inside the Secret's data. */
  public readonly key: string;

  private constructor(secretName: string, key: string) {
    this.secretName = requireDnsSubdomain({ construct: 'SecretKeyReference', prop: 'secretName' }, secretName);
    this.key = requireSecretDataKey({ construct: 'SecretKeyReference', prop: 'key' }, key);
  }
}

const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** A Secret/ConfigMap data key: 1-253 characters of `[-._a-zA-Z0-9]`. */
export function requireSecretDataKey(ctx: PropContext, key: string): string {
  if (typeof key !== 'string' || !SECRET_DATA_KEY.test(key)) {
    throw propError({ ...ctx, value: key, allowed: "a Secret data key: 1-253 characters of letters, digits, '-', '_' or '.'", fix: 'use a key such as "password" or "AWS_ACCESS_KEY_ID"' });
  }
  return key;
}

import { propError } from './errors';
import { PropContext } from './validate';

/**
 * Query parameters that carry credentials: pre-signed S3 (`X-Amz-Signature`, `X-Amz-Credential`,
 * `X-Amz-Security-Token`, the older `Signature`/`AWSAccessKeyId`), Google Cloud Storage
 * (`X-Goog-Signature`), Azure SAS (`sig`), CloudFront (`Signature`, `Key-Pair-Id`, `Policy`) and the
 * usual token and key names.
 */
const CREDENTIAL_PARAMETER = /^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|signature|awsaccesskeyid|sig|key-pair-id|policy|(access[-_]?|auth[-_]?|id[-_]?|refresh[-_]?)?token|auth|authorization|(api[-_]?)?key|password|passwd|pwd|secret|client[-_]?secret|credentials?)$/i;

/** What in `url` is a credential (`a user name`, `a password`, `query parameter token`), if anything. */
export function credentialsInUrl(url: URL): string[] {
  const found: string[] = [];
  if (url.username !== '') found.push('a user name');
  if (url.password !== '') found.push('a password');
  for (const name of new Set(url.searchParams.keys())) {
    if (CREDENTIAL_PARAMETER.test(name)) found.push(`query parameter ${name}`);
  }
  return found;
}

/** `url` as an error message may show it: no user info, query values replaced by `***`. */
export function redactedUrl(url: URL): string {
  const query = [...url.searchParams.keys()].map((name) => `${name}=***`).join('&');
  const userInfo = url.username !== '' || url.password !== '' ? '***@' : '';
  return `${url.protocol}//${userInfo}${url.host}${url.pathname}${query ? `?${query}` : ''}`;
}

/** `value` parsed as an absolute URL, or undefined. */
export function parseAbsoluteUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Refuses a URL that carries credentials: manifests, ConfigMaps and the model config pushed to the
 * registry are readable by many, so a password or a signed query would leak there. The error shows
 * the URL redacted.
 */
export function refuseUrlCredentials(ctx: PropContext, url: URL, fix: string): void {
  const found = credentialsInUrl(url);
  if (found.length > 0) {
    throw propError({
      ...ctx,
      value: redactedUrl(url),
      allowed: `a URL without credentials (it carries ${found.join(', ')}; manifests and model configs are readable by many)`,
      fix,
    });
  }
}

/**
 * A service endpoint: `http(s)://host[:port]` without path, query, fragment, trailing slash or
 * credentials (what S3 clients such as Velero and the AWS SDKs take as an endpoint).
 */
export function requireServiceEndpoint(ctx: PropContext, value: string, example: string): string {
  const url = parseAbsoluteUrl(value);
  if (url) refuseUrlCredentials(ctx, url, 'put the credentials in a Secret (S3Credentials.fromSecret) and pass the endpoint without them');
  const ok = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' &&
    (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !value.endsWith('/');
  if (!ok) {
    throw propError({
      ...ctx,
      value,
      allowed: 'an http(s) URL with host and optional port, without path, query or trailing slash',
      fix: `pass e.g. "${example}" (clients such as Velero reject an endpoint with a path)`,
    });
  }
  return value;
}

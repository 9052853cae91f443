import { propError } from './errors';
import { isCidr, isIpAddress } from './ip-address';

/** Where a value came from, for error messages. */
export interface PropContext {
  /** Construct or value type name, e.g. `SeaweedFSStorage`. */
  readonly construct: string;
  /** Prop path, e.g. `volumeSize`. */
  readonly prop: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 1123 label (namespace, Service and most object names that appear in DNS). */
export function requireDnsLabel(ctx: PropContext, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS_LABEL.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: `an RFC 1123 label: 1-${maxLength} lowercase letters, digits or '-', starting and ending with a letter or digit`,
      fix: `use a name such as "${suggestDnsLabel(value, maxLength)}"`,
    });
  }
  return value;
}

/**
 * An RFC 1035 label: what the API server accepts as a Service name (an RFC 1123 label that starts
 * with a letter). Props that name Services use it, so `7b` is refused here, not by the cluster.
 */
export function requireDns1035Label(ctx: PropContext, value: string, maxLength = 63): string {
  requireDnsLabel(ctx, value, maxLength);
  if (!/^[a-z]/.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: `an RFC 1035 label (it names a Service): an RFC 1123 label of at most ${maxLength} characters, starting with a letter`,
      fix: `use a name such as "${`m-${value}`.slice(0, maxLength).replace(/-+$/, '')}"`,
    });
  }
  return value;
}

/** An RFC 1123 subdomain (Secret, ConfigMap and most other object names). */
export function requireDnsSubdomain(ctx: PropContext, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: "an RFC 1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters",
      fix: `use a name such as "${suggestDnsLabel(value, 63)}"`,
    });
  }
  return value;
}

/** A non-empty string (after trimming). */
export function requireNonEmpty(ctx: PropContext, value: string, example: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw propError({ ...ctx, value, allowed: 'a non-empty string', fix: `pass a value such as "${example}" or leave the prop out to use the default` });
  }
  return value;
}

/** An integer within [min, max]. */
export function requireInteger(ctx: PropContext, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw propError({ ...ctx, value, allowed: range, fix: `pass ${range}` });
  }
  return value;
}

/** An optional boolean: `undefined` gives `fallback`: anything but true or false is refused. */
export function optionalBoolean(ctx: PropContext, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw propError({ ...ctx, value, allowed: 'true or false', fix: `pass true or false, or leave the prop out for ${fallback}` });
  }
  return value;
}

/** One of a fixed set of strings. */
export function requireOneOf<T extends string>(ctx: PropContext, value: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw propError({
      ...ctx,
      value,
      allowed: `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      fix: 'pick one of the listed values',
    });
  }
  return value as T;
}

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/**
 * A positive Kubernetes storage/memory quantity such as `10Gi` or `500M`: returns its size in bytes.
 * Sizes are strings (as in YAML) so that a negative or zero value reaches this check and gets our error.
 */
export function parseByteQuantity(ctx: PropContext, value: string, example = '10Gi'): number {
  const match = typeof value === 'string' ? QUANTITY.exec(value.trim()) : null;
  const bytes = match ? Number(match[1]) * QUANTITY_FACTORS[match[2] ?? ''] : NaN;
  if (!match || !(bytes > 0) || !Number.isFinite(bytes)) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a positive Kubernetes quantity with a binary (Ki, Mi, Gi, Ti) or decimal (k, M, G, T) suffix',
      fix: `pass a size such as "${example}"`,
    });
  }
  return bytes;
}

const CPU = /^([0-9]+(?:\.[0-9]+)?)(m)?$/;

/** A positive CPU quantity such as `250m` or `1.5`: returns millicores. */
export function parseCpuQuantity(ctx: PropContext, value: string, example = '250m'): number {
  const match = typeof value === 'string' ? CPU.exec(value.trim()) : null;
  const millis = match ? (match[2] ? Number(match[1]) : Number(match[1]) * 1000) : NaN;
  if (!match || !(millis > 0)) {
    throw propError({ ...ctx, value, allowed: 'a positive CPU quantity in cores ("1.5") or millicores ("250m")', fix: `pass a value such as "${example}"` });
  }
  return millis;
}

function suggestDnsLabel(value: unknown, maxLength: number): string {
  const cleaned = String(value ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return cleaned.length > 0 ? cleaned : 'my-name';
}

/**
 * An IPv4 or IPv6 CIDR (NetworkPolicy `ipBlock.cidr`), e.g. `10.0.0.0/8` or `0.0.0.0/0`, as Go's
 * net.ParseCIDR reads it (see ip-address.ts): no leading zeros, full IPv6 grammar, no zone.
 */
export function requireCidr(ctx: PropContext, value: string, fix: string): string {
  if (!isCidr(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: 'an IPv4 or IPv6 CIDR such as "10.0.0.0/8", "0.0.0.0/0" or "fd00::/8" (decimal IPv4 fields without leading zeros, '
        + 'at most one "::" in IPv6, no zone, prefix length at most 32 for IPv4 and 128 for IPv6)',
      fix,
    });
  }
  return value;
}

/** A single IPv4 or IPv6 address, without a prefix length, e.g. `169.254.20.10`, as Go's net.ParseIP reads it. */
export function requireIpAddress(ctx: PropContext, value: string, fix: string): string {
  if (!isIpAddress(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: 'an IPv4 or IPv6 address without a prefix length or zone, such as "169.254.20.10" or "fd00::10" (decimal IPv4 fields without leading zeros)',
      fix,
    });
  }
  return value;
}

/** A TCP/UDP port number: an integer from 1 to 65535. */
export function requirePort(ctx: PropContext, value: number, example = 8080): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw propError({ ...ctx, value, allowed: 'a port number: an integer from 1 to 65535', fix: `pass a port such as ${example}` });
  }
  return value;
}

/** A string (any content): null, numbers and objects are refused. */
export function requireString(ctx: PropContext, value: string, example: string): string {
  if (typeof value !== 'string') {
    throw propError({ ...ctx, value, allowed: 'a string', fix: `pass a string such as "${example}"` });
  }
  return value;
}

/** A list: `each` validates every element with its index in the prop path. */
export function requireArray<T, R>(ctx: PropContext, value: T[], example: string, each: (at: PropContext, element: T) => R): R[] {
  if (!Array.isArray(value)) {
    throw propError({ ...ctx, value, allowed: 'a list', fix: `pass a list such as ${example}` });
  }
  return value.map((element, i) => each({ construct: ctx.construct, prop: `${ctx.prop}[${i}]` }, element));
}

/**
 * Refuses `null` for any prop of a props object (JavaScript callers): `props.x ?? default` would
 * otherwise take null for "use the default" silently. Also refuses a props value that is not an object.
 */
export function rejectNullProps(construct: string, props: unknown): void {
  if (props === undefined) return;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw propError({ construct, prop: 'props', value: props, allowed: 'a props object', fix: 'pass an object literal with the props, or leave it out' });
  }
  for (const [prop, value] of Object.entries(props)) {
    if (value === null) {
      throw propError({ construct, prop, value, allowed: 'a value of the documented type, or no value for the default', fix: `remove "${prop}" to use its default, or pass a value` });
    }
  }
}

/** An optional instance of `type` (a jsii class such as ImageCatalog): plain objects and other values are refused. */
export function optionalInstance<T>(ctx: PropContext, value: T | undefined, type: Function & { prototype: T }, example: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof type)) {
    throw propError({ ...ctx, value, allowed: `a ${type.name}`, fix: `pass ${example}` });
  }
  return value;
}

/** A plain object (an options struct): null, strings, numbers and arrays are refused. */
export function requirePlainObject<T>(ctx: PropContext, value: T, example: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw propError({ ...ctx, value, allowed: 'an object', fix: `pass an object such as ${example}` });
  }
  return value;
}

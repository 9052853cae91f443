import { propError } from './errors';
import { isIPv6 } from './ip-address';
import { PropContext } from './validate';

/*
 * Image references as container runtimes parse them: the OCI distribution reference grammar
 * (distribution/reference@v0.6.0:regexp.go, normalize.go; digests as opencontainers/go-digest@v1.0.0
 * validates them):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ domain "/" ] path-component [ "/" path-component ]*   (path at most 255 characters)
 *   domain         := host [ ":" port ]   host: DNS labels joined by ".", or "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest         := sha256:<64 hex> | sha384:<96 hex> | sha512:<128 hex>   (lowercase hex)
 *
 * The first component of a name is a registry only when it contains "." or ":", is "localhost" or
 * has a capital letter; otherwise the whole name is a Docker Hub repository (`mirror/library/x` is `docker.io/mirror/library/x`).
 */

const DOMAIN_COMPONENT = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const PATH_MAX_LENGTH = 255;

/** A parsed image reference. */
export interface ImageReferenceParts {
  /** Registry host[:port], when the name has one. */
  readonly domain?: string;
  /** Repository path inside the registry. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Whether the first component of a name is a registry: it contains "." or ":", is "localhost" or
 * has a capital letter (distribution/reference@v0.6.0:normalize.go splitDockerDomain).
 */
export function isRegistryComponent(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.toLowerCase() !== component;
}

/** Why `domain` is not a registry `host[:port]`, or undefined. */
export function domainProblem(domain: string): string | undefined {
  const match = /^(\[[^\]]*\]|[^:]*)(?::([0-9]+))?$/.exec(domain);
  if (!match) return `"${domain}" is not host[:port]`;
  const host = match[1];
  if (host.startsWith('[')) {
    return isIPv6(host.slice(1, -1)) ? undefined : `"${host}" is not a bracketed IPv6 address`;
  }
  if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) {
    return `"${host}" is not a host name (letters, digits and "-" in dot-separated labels that start and end with a letter or digit)`;
  }
  return undefined;
}

/** Why `component` is not a repository path component, or undefined. */
export function pathComponentProblem(component: string): string | undefined {
  return PATH_COMPONENT.test(component)
    ? undefined
    : `path component "${component}" must be lowercase letters and digits, separated by one ".", one or two "_", or "-"s`;
}

/** Why `tag` is not an image tag, or undefined. */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string') return 'not a string';
  return TAG.test(tag) ? undefined : `tag "${tag}" must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"`;
}

/** `name[:tag]` and the digest after the first "@", if there is one. */
export function splitDigest(reference: string): { rest: string; digest?: string } {
  const at = reference.indexOf('@');
  return at < 0 ? { rest: reference } : { rest: reference.slice(0, at), digest: reference.slice(at + 1) };
}

/** The parts of `reference`, or a string saying why the distribution grammar refuses it. */
export function parseImageReference(reference: unknown): ImageReferenceParts | string {
  if (typeof reference !== 'string' || reference.length === 0) return 'not a non-empty string';
  let { rest, digest } = splitDigest(reference);
  if (digest !== undefined) {
    const match = /^([a-z0-9]+)[:]([0-9a-f]+)$/.exec(digest);
    if (!match || DIGEST_HEX_LENGTH[match[1]] !== match[2].length) {
      return `digest "${digest}" must be sha256:<64 lowercase hex digits> (or sha384/sha512)`;
    }
  }
  let tag: string | undefined;
  const colon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) return problem;
  }
  if (/^[a-f0-9]{64}$/.test(rest)) return 'a 64-digit hex string is an image ID, not a repository name';
  const components = rest.split('/');
  let domain: string | undefined;
  if (components.length > 1 && isRegistryComponent(components[0])) {
    domain = components.shift()!;
    const problem = domainProblem(domain);
    if (problem) return problem;
  }
  for (const component of components) {
    const problem = pathComponentProblem(component);
    if (problem) return problem;
  }
  const path = components.join('/');
  if (path.length > PATH_MAX_LENGTH) return `the repository path has ${path.length} characters (at most ${PATH_MAX_LENGTH})`;
  return { domain, path, tag, digest };
}

/** An image reference the runtimes accept: returns it unchanged. */
export function requireImageReference(ctx: PropContext, reference: string, fix: string): string {
  const parsed = parseImageReference(reference);
  if (typeof parsed === 'string') {
    throw propError({ ...ctx, value: reference, allowed: `an image reference [registry/]repository[:tag][@digest] (${parsed})`, fix });
  }
  return reference;
}

/** An image tag (what a version prop becomes): returns it unchanged. */
export function requireImageTag(ctx: PropContext, tag: string, example: string): string {
  const problem = tagProblem(tag);
  if (problem) {
    throw propError({ ...ctx, value: tag, allowed: `an image tag (${problem})`, fix: `use a release tag such as "${example}"` });
  }
  return tag;
}

/**
 * A registry mirror prefix `host[:port][/path]`, without scheme, tag or trailing "/" (trailing "/"s
 * are removed). The host must be recognizable as a registry: a prefix such as `mirror/library`
 * would make every image a Docker Hub repository.
 */
export function requireRegistryPrefix(ctx: PropContext, value: string): string {
  const refuse = (problem: string, fix = 'pass something like "registry.example.com/mirror" or "registry.local:5000"'): never => {
    throw propError({ ...ctx, value, allowed: `a registry host with optional port and path, without scheme or tag (${problem})`, fix });
  };
  if (typeof value !== 'string') refuse('not a string');
  const prefix = value.replace(/\/+$/, '');
  const components = prefix.split('/');
  if (prefix.length === 0) refuse('empty');
  if (!isRegistryComponent(components[0])) {
    refuse(`"${components[0]}" has no ".", no port and is not "localhost", so images would be pulled from Docker Hub (docker.io/${prefix}/...)`,
      `name the registry host, e.g. "registry.example.com/${prefix}" or "localhost:5000/${prefix}"`);
  }
  const problem = domainProblem(components[0]) ?? components.slice(1).map(pathComponentProblem).find((p) => p !== undefined);
  if (problem) refuse(problem);
  return prefix;
}

/** The tag of an image reference (`…/llama.cpp:server-b8840[@sha256:…]`), if it has one. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0];
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}

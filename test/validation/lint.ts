/**
 * What the API server checks beyond the OpenAPI schemas (k8s.io/apimachinery validation and the
 * core/networking validators), written here independently of the library's own validators:
 * names, label keys and values, annotation keys, tolerations, image references, CIDRs (as Go's
 * net.ParseCIDR reads them), ports, and duplicate object identities.
 *
 *   expect(lintManifests(objects)).toEqual([]);
 */
import { ValidationIssue } from './index';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** apimachinery IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain of at most 253. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    return prefix.length > 0 && prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix);
  }
  return true;
}

/** apimachinery IsValidLabelValue. */
export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value);
}

// distribution/reference grammar (reference.go): domain, path components, tag, digest.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

/** An image reference the container runtime can parse (at most 255 characters of name). */
export function isImageReference(image: unknown): boolean {
  if (typeof image !== 'string' || !REFERENCE.test(image)) return false;
  const name = image.split('@')[0].replace(/:[\w][\w.-]{0,127}$/, '');
  return name.length <= 255;
}

/** Go net.ParseIP for IPv4 dotted decimal: four decimal octets, no leading zeros (Go 1.17+). */
function isGoIPv4(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((o) => /^(0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255);
}

/** Go net.ParseIP for IPv6: hex groups, one `::` at most, an IPv4 tail allowed, no zone. */
function isGoIPv6(text: string): boolean {
  if (text.includes('%')) return false;
  let groups = 0;
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    if (!isGoIPv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === '') continue;
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups < 8 : groups === 8;
}

/** Go net.ParseCIDR. */
export function isGoCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  if (isGoIPv4(ip)) return Number(bits) <= 32;
  return isGoIPv6(ip) && Number(bits) <= 128;
}

const TOLERATION_EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

interface Walk {
  readonly object: string;
  readonly issues: ValidationIssue[];
}

function report(walk: Walk, path: string, message: string): void {
  walk.issues.push({ object: walk.object, path, message });
}

function checkLabels(walk: Walk, path: string, labels: unknown, valuesAreLabels: boolean): void {
  if (labels === null || typeof labels !== 'object') return;
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    if (!isQualifiedName(key)) report(walk, `${path}/${key}`, `key "${key}" is not a qualified name`);
    if (valuesAreLabels && !isLabelValue(value)) report(walk, `${path}/${key}`, `value ${JSON.stringify(value)} is not a valid label value`);
  }
}

function checkToleration(walk: Walk, path: string, toleration: any): void {
  if (toleration.key !== undefined && toleration.key !== '' && !isQualifiedName(toleration.key)) report(walk, `${path}/key`, `"${toleration.key}" is not a qualified name`);
  if (toleration.operator === 'Exists' && toleration.value) report(walk, `${path}/value`, 'must be empty when operator is Exists');
  if (toleration.operator === 'Equal' && !isLabelValue(toleration.value ?? '')) report(walk, `${path}/value`, `${JSON.stringify(toleration.value)} is not a valid label value`);
  if (!TOLERATION_EFFECTS.includes(toleration.effect ?? '')) report(walk, `${path}/effect`, `unknown effect ${JSON.stringify(toleration.effect)}`);
  if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') report(walk, `${path}/tolerationSeconds`, 'only with effect NoExecute');
  if (!toleration.key && toleration.operator !== 'Exists') report(walk, `${path}/operator`, 'an empty key needs operator Exists');
}

function walkValue(walk: Walk, path: string, key: string, value: any): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (key === 'tolerations' && item && typeof item === 'object') checkToleration(walk, `${path}/${i}`, item);
      if (key === 'except' && !isGoCidr(item)) report(walk, `${path}/${i}`, `${JSON.stringify(item)} is not a CIDR Go's net.ParseCIDR accepts`);
      walkValue(walk, `${path}/${i}`, key, item);
    });
    return;
  }
  if (value === null || typeof value !== 'object') {
    if (key === 'image' && !isImageReference(value)) report(walk, path, `${JSON.stringify(value)} is not an image reference`);
    if (key === 'cidr' && !isGoCidr(value)) report(walk, path, `${JSON.stringify(value)} is not a CIDR Go's net.ParseCIDR accepts`);
    if (['port', 'containerPort', 'targetPort', 'nodePort', 'endPort'].includes(key) && typeof value === 'number' && !(Number.isInteger(value) && value >= 1 && value <= 65535)) {
      report(walk, path, `port ${value} is outside 1-65535`);
    }
    return;
  }
  for (const [child, inner] of Object.entries(value)) {
    const at = `${path}/${child}`;
    if (child === 'labels' || child === 'matchLabels' || child === 'nodeSelector') checkLabels(walk, at, inner, true);
    else if (child === 'annotations') checkLabels(walk, at, inner, false);
    walkValue(walk, at, child, inner);
  }
}

/** Every issue the API server would raise beyond its schemas, for `objects` applied together. */
export function lintManifests(objects: any[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const identities = new Map<string, string>();
  for (const obj of objects) {
    const name: unknown = obj?.metadata?.name;
    const namespace: unknown = obj?.metadata?.namespace;
    const object = `${obj?.kind}/${namespace ? `${namespace}/` : ''}${name}`;
    const walk: Walk = { object, issues };
    if (typeof name !== 'string' || name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) report(walk, '/metadata/name', 'not a DNS-1123 subdomain');
    if (obj.kind === 'Service' && (typeof name !== 'string' || name.length > 63 || !DNS_1035_LABEL.test(name))) report(walk, '/metadata/name', 'a Service name must be a DNS-1035 label');
    if (obj.kind === 'Namespace' && (typeof name !== 'string' || name.length > 63 || !DNS_1123_LABEL.test(name))) report(walk, '/metadata/name', 'a Namespace name must be a DNS-1123 label');
    if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_1123_LABEL.test(namespace))) report(walk, '/metadata/namespace', 'not a DNS-1123 label');
    const group = String(obj?.apiVersion ?? '').includes('/') ? String(obj.apiVersion).split('/')[0] : '';
    const identity = `${group}/${obj?.kind}/${namespace ?? ''}/${name}`;
    if (identities.has(identity)) report(walk, '/metadata/name', 'a second object with this group, kind, namespace and name');
    identities.set(identity, object);
    walkValue(walk, '', '', obj);
  }
  return issues;
}

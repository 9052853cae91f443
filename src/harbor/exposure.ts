import { propError } from '../core/errors';
import { requireAnnotations } from '../core/kube-syntax';
import { PropContext, requireDnsSubdomain, requireInteger } from '../core/validate';

/** Options for `HarborExposure.nodePort`. */
export interface HarborNodePortOptions {
  /**
   * Node port of the entry Service's `http` port (30000-32767).
   * @default 30002
   */
  readonly httpNodePort?: number;
}

/** Options for `HarborExposure.ingress`. */
export interface HarborIngressOptions {
  /** Host name clients use, e.g. `harbor.example.com`. Required. */
  readonly host: string;
  /**
   * `spec.ingressClassName`.
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;
  /**
   * Secret (type kubernetes.io/tls, in Harbor's namespace) with the certificate for `host`. With it
   * the Ingress terminates TLS and the external URL must be `https://`.
   * @default - no TLS: the external URL is `http://`
   */
  readonly tlsSecretName?: string;
  /**
   * Extra Ingress annotations, applied over the large-upload defaults (so a value given here wins).
   * @default - only the defaults
   */
  readonly annotations?: { [key: string]: string };
}

const NODE_PORT_DEFAULT = 30002;

/**
 * How clients reach Harbor: through the Harbor nginx entry point behind a ClusterIP or NodePort
 * Service named like the install (the chart's `harbor` Service), or through an Ingress that routes
 * straight to core and portal (no nginx, as in the chart).
 */
export class HarborExposure {
  /** A ClusterIP Service `<name>` (port 80) in front of Harbor's nginx: in-cluster clients only. */
  public static clusterIP(): HarborExposure {
    return new HarborExposure('clusterIP', {});
  }

  /** A NodePort Service `<name>` in front of Harbor's nginx. The external URL must then be given. */
  public static nodePort(options: HarborNodePortOptions = {}): HarborExposure {
    return new HarborExposure('nodePort', { nodePort: options.httpNodePort });
  }

  /** An Ingress `<name>-ingress` for `host`: `/api/`, `/service/`, `/v2/`, `/c/` to core, `/` to the portal. */
  public static ingress(options: HarborIngressOptions): HarborExposure {
    return new HarborExposure('ingress', { ingress: options });
  }

  /** `clusterIP`, `nodePort` or `ingress`. */
  public readonly type: string;

  /** @internal */
  public readonly _nodePort?: number;
  /** @internal */
  public readonly _ingress?: HarborIngressOptions;

  private constructor(type: string, fields: { nodePort?: number; ingress?: HarborIngressOptions }) {
    this.type = type;
    this._nodePort = fields.nodePort;
    this._ingress = fields.ingress;
  }
}

/**
 * A validated exposure.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ResolvedExposure {
  readonly type: 'clusterIP' | 'nodePort' | 'ingress';
  /** nodePort only. */
  readonly nodePort?: number;
  /** ingress only. */
  readonly host?: string;
  readonly className?: string;
  readonly tlsSecretName?: string;
  readonly annotations: Record<string, string>;
  /** Whether the entry point is Harbor's nginx (everything but ingress). */
  readonly nginx: boolean;
}

/**
 * Validates the exposure prop (`ctx.prop` is `exposure`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveExposure(ctx: PropContext, exposure: HarborExposure): ResolvedExposure {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (!(exposure instanceof HarborExposure)) {
    throw propError({ ...ctx, value: exposure, allowed: 'a HarborExposure', fix: 'use HarborExposure.clusterIP(), .nodePort({...}) or .ingress({ host })' });
  }
  if (exposure.type === 'clusterIP') return { type: 'clusterIP', annotations: {}, nginx: true };
  if (exposure.type === 'nodePort') {
    const nodePort = requireInteger(at('httpNodePort'), exposure._nodePort ?? NODE_PORT_DEFAULT, 30000, 32767);
    return { type: 'nodePort', nodePort, annotations: {}, nginx: true };
  }
  const options = exposure._ingress ?? ({} as HarborIngressOptions);
  if (options.host === undefined || options.host === null || options.host === '') {
    throw propError({
      ...at('host'),
      value: options.host,
      allowed: 'the host name clients use (an RFC 1123 subdomain)',
      fix: "pass HarborExposure.ingress({ host: 'harbor.example.com' })",
    });
  }
  const host = requireDnsSubdomain(at('host'), options.host);
  const className = options.className === undefined ? undefined : requireDnsSubdomain(at('className'), options.className);
  const tlsSecretName = options.tlsSecretName === undefined ? undefined : requireDnsSubdomain(at('tlsSecretName'), options.tlsSecretName);
  const annotations = options.annotations === undefined ? {}
    : requireAnnotations(at('annotations'), options.annotations, "{ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '1800' }");
  return { type: 'ingress', host, className, tlsSecretName, annotations, nginx: false };
}

/**
 * The external URL split into the parts Harbor and clients use.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface ExternalUrl {
  /** The URL as configured (`EXT_ENDPOINT`). */
  readonly url: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  /** Port written in the URL, if any. */
  readonly port?: number;
  /** `host[:port]` as written: what clients put in image references. */
  readonly hostPort: string;
}

const URL_PATTERN = /^(https?):\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\d{1,3}(\.\d{1,3}){3})(:(\d{1,5}))?$/;

/**
 * The external URL: the given one checked against the exposure, or the default derived from it
 * (clusterIP: `http://<name>.<namespace>.svc`, ingress: `http(s)://<host>`; nodePort: none, so
 * it must be given).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function resolveExternalUrl(ctx: PropContext, given: string | undefined, exposure: ResolvedExposure, entryHost: string): ExternalUrl {
  if (given === undefined) {
    if (exposure.type === 'nodePort') {
      throw propError({
        ...ctx,
        value: given,
        allowed: `the URL clients use to reach a node on the node port, e.g. "http://<node address>:${exposure.nodePort}"`,
        fix: `pass externalURL: 'http://<node IP or DNS name>:${exposure.nodePort}'`,
      });
    }
    const defaultUrl = exposure.type === 'ingress' ? `${exposure.tlsSecretName ? 'https' : 'http'}://${exposure.host}` : `http://${entryHost}`;
    return parseUrl(ctx, defaultUrl);
  }
  const parsed = parseUrl(ctx, given);
  const tls = exposure.type === 'ingress' && exposure.tlsSecretName !== undefined;
  if ((parsed.scheme === 'https') !== tls) {
    throw propError({
      ...ctx,
      value: given,
      allowed: tls
        ? `an https:// URL: the Ingress terminates TLS with Secret "${exposure.tlsSecretName}"`
        : `an http:// URL: ${exposure.type === 'ingress' ? 'the Ingress has no tlsSecretName' : `the ${exposure.type} exposure serves plain HTTP`}`,
      fix: tls
        ? `use "https://${parsed.hostPort}"`
        : exposure.type === 'ingress'
          ? `use "http://${parsed.hostPort}" or set tlsSecretName on the ingress exposure`
          : `use "http://${parsed.hostPort}", or expose Harbor through HarborExposure.ingress({ host, tlsSecretName }) for TLS`,
    });
  }
  if (exposure.type === 'ingress' && parsed.host !== exposure.host) {
    throw propError({
      ...ctx,
      value: given,
      allowed: `a URL whose host is the Ingress host "${exposure.host}" (the token realm and image references use it)`,
      fix: `use "${parsed.scheme}://${exposure.host}${parsed.port !== undefined ? `:${parsed.port}` : ''}" or change the ingress host`,
    });
  }
  if (exposure.type === 'nodePort' && parsed.port !== exposure.nodePort) {
    throw propError({
      ...ctx,
      value: given,
      allowed: `a URL on the node port ${exposure.nodePort} (clients reach nginx only through it)`,
      fix: `use "http://${parsed.host}:${exposure.nodePort}"`,
    });
  }
  return parsed;
}

function parseUrl(ctx: PropContext, value: string): ExternalUrl {
  const match = typeof value === 'string' ? URL_PATTERN.exec(value) : null;
  const port = match?.[8] !== undefined ? Number(match[8]) : undefined;
  if (!match || (port !== undefined && (port < 1 || port > 65535))) {
    throw propError({
      ...ctx,
      value,
      allowed: 'scheme://host[:port] with scheme http or https, a lowercase host name or IPv4 address, and no path or trailing slash',
      fix: 'pass e.g. "https://harbor.example.com" or "http://192.168.1.10:30002"',
    });
  }
  const host = match[2];
  return { url: value, scheme: match[1] as 'http' | 'https', host, port, hostPort: port !== undefined ? `${host}:${port}` : host };
}


import { TagRetention } from './retention';
import { HarborRobotAccount, HarborRobotAccountOptions, RobotPermission } from './robot-account';
import { requireEnumValue, requireHarborName, requireTagPattern } from './setup-validation';
import { propError } from '../core/errors';
import { ModelReference } from '../core/model-reference';
import { PropContext, parseByteQuantity, requireDnsLabel } from '../core/validate';

/** Vulnerability severities, as Harbor's project metadata `severity` spells them. */
export enum VulnerabilitySeverity {
  NONE = 'none',
  LOW = 'low',
  MEDIUM = 'medium',
  HIGH = 'high',
  CRITICAL = 'critical',
}

/** Options for a Harbor project (`HarborModelRegistry.addProject`). */
export interface HarborProjectOptions {
  /**
   * Anyone may pull from the project without logging in (Harbor's "public" project, named so because
   * `public` is a reserved word in Java and C#).
   *
   * @default false
   */
  readonly publicRead?: boolean;

  /**
   * Storage quota, a Kubernetes quantity such as `100Gi`, sent to Harbor in bytes. Enforced on
   * every run of the setup Job (also on an existing project). Needs project quotas enabled in
   * Harbor (the default).
   *
   * @default - unlimited (-1) at creation; an existing project's quota is left as it is
   */
  readonly storageQuota?: string;

  /**
   * Scan artifacts for vulnerabilities when they are pushed.
   *
   * @default true
   */
  readonly autoScan?: boolean;

  /**
   * Refuse pulls of artifacts with vulnerabilities of `severity` or worse.
   *
   * @default false
   */
  readonly preventVulnerable?: boolean;

  /**
   * Threshold for `preventVulnerable`.
   *
   * @default VulnerabilitySeverity.HIGH
   */
  readonly severity?: VulnerabilitySeverity;

  /**
   * Tags that can never be overwritten or deleted once pushed, as doublestar patterns
   * (e.g. `['v*']`), one immutable tag rule each, over every repository of the project.
   *
   * @default - no immutable tags
   */
  readonly immutableTags?: string[];

  /**
   * Tag retention policy of the project.
   *
   * @default - no retention policy (nothing is deleted automatically)
   */
  readonly retention?: TagRetention;
}

/**
 * How clients reach the registry, as HarborSetup knows it (passed to `_create`).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export interface HarborClientEndpoint {
  /** Whether the external URL is `http://`. */
  readonly plainHttp: boolean;
  /** Harbor's namespace. */
  readonly namespace: string;
  /** Labels of the entry pods (nginx, or core with an Ingress). */
  readonly entryPodLabels: { [key: string]: string };
  /** The ingress controller's namespace with the ingress exposure. */
  readonly ingressControllerNamespace?: string;
}

/** Errors of addProject/addRobotAccount name the construct users call them on. */
const CONSTRUCT = 'HarborModelRegistry';

/**
 * A Harbor project the setup Job creates when it is absent. Settings apply at creation; on an
 * existing project only the storage quota is enforced, and missing immutable tag rules, retention
 * policy and robot accounts are added (nothing declared elsewhere is removed).
 */
export class HarborProject {
  /**
   * Validates a declaration. `robotFactory` is HarborSetup's hook that creates the cluster side
   * (Secrets, RBAC) of a validated robot declaration.
   * @internal
   */
  public static _create(
    name: string,
    options: HarborProjectOptions,
    registryHost: string,
    robotFactory: (project: HarborProject, name: string, options: HarborRobotAccountOptions) => HarborRobotAccount,
    endpoint?: HarborClientEndpoint,
  ): HarborProject {
    return new HarborProject(name, options ?? {}, registryHost, robotFactory, endpoint);
  }

  /** Project name. */
  public readonly name: string;
  /** Registry host clients pull from, e.g. `harbor.example.com`. */
  public readonly registryHost: string;
  /**
   * Whether clients talk plain HTTP to `registryHost` (Harbor's external URL is `http://`):
   * ORAS then needs `--plain-http`.
   */
  public readonly plainHttp: boolean;
  /** Harbor's namespace, where the entry pods run (for clients' egress NetworkPolicies). */
  public readonly harborNamespace: string;
  /**
   * Labels of the pods behind `registryHost` inside the cluster (Harbor's nginx, or core
   * when Harbor is exposed through an Ingress), listening on port 8080: what a client's egress
   * NetworkPolicy must allow. Harbor's own policy admits the namespaces of its robot accounts.
   */
  public readonly entryPodLabels: { [key: string]: string };
  /**
   * With an Ingress exposure, the ingress controller's namespace: in-cluster clients that resolve
   * `registryHost` to the controller also need egress to it (ports 80 and 443).
   */
  public readonly ingressControllerNamespace?: string;
  /** Whether anonymous pulls are allowed. */
  public readonly isPublic: boolean;
  /** Storage quota in bytes, or -1 when none is declared. */
  public readonly storageQuotaBytes: number;
  /** Whether pushed artifacts are scanned. */
  public readonly autoScan: boolean;
  /** Whether vulnerable artifacts are refused. */
  public readonly preventVulnerable: boolean;
  /** Threshold for `preventVulnerable`. */
  public readonly severity: VulnerabilitySeverity;
  /** Immutable tag patterns. */
  public readonly immutableTags: string[];
  /** Retention policy, if any. */
  public readonly retention?: TagRetention;

  private readonly robots: HarborRobotAccount[] = [];
  private readonly robotFactory: (project: HarborProject, name: string, options: HarborRobotAccountOptions) => HarborRobotAccount;
  private readonly quotaDeclared: boolean;

  private constructor(
    name: string,
    options: HarborProjectOptions,
    registryHost: string,
    robotFactory: (project: HarborProject, name: string, options: HarborRobotAccountOptions) => HarborRobotAccount,
    endpoint?: HarborClientEndpoint,
  ) {
    this.name = requireHarborName({ construct: CONSTRUCT, prop: 'addProject.name' }, name, 'project');
    const ctx = (prop: string): PropContext => ({ construct: CONSTRUCT, prop: `projects.${name}.${prop}` });
    if (options === null || typeof options !== 'object') {
      throw propError({ ...ctx('options'), value: options, allowed: 'a HarborProjectOptions object or nothing', fix: 'pass e.g. { storageQuota: "100Gi" }' });
    }
    this.registryHost = registryHost;
    this.plainHttp = endpoint?.plainHttp ?? false;
    this.harborNamespace = endpoint?.namespace ?? 'harbor';
    this.entryPodLabels = { ...(endpoint?.entryPodLabels ?? {}) };
    this.ingressControllerNamespace = endpoint?.ingressControllerNamespace;
    this.robotFactory = robotFactory;
    this.isPublic = requireBoolean(ctx('publicRead'), options.publicRead, false);
    this.autoScan = requireBoolean(ctx('autoScan'), options.autoScan, true);
    this.preventVulnerable = requireBoolean(ctx('preventVulnerable'), options.preventVulnerable, false);
    this.severity = requireEnumValue(ctx('severity'), options.severity ?? VulnerabilitySeverity.HIGH, Object.values(VulnerabilitySeverity), 'VulnerabilitySeverity.HIGH');
    this.quotaDeclared = options.storageQuota !== undefined;
    this.storageQuotaBytes = this.quotaDeclared ? quotaBytes(ctx('storageQuota'), options.storageQuota!) : -1;
    this.immutableTags = validateImmutableTags(ctx, options.immutableTags ?? []);
    if (options.retention !== undefined && !(options.retention instanceof TagRetention)) {
      throw propError({ ...ctx('retention'), value: options.retention, allowed: 'a TagRetention', fix: 'use a factory such as TagRetention.keepLatestPushed(10)' });
    }
    this.retention = options.retention;
  }

  /** The robot accounts declared so far. */
  public get robotAccounts(): HarborRobotAccount[] {
    return [...this.robots];
  }

  /**
   * Declares a robot account of this project. Its secret is generated in-cluster (never in the
   * manifests) and its credentials are written into a `kubernetes.io/dockerconfigjson` Secret in
   * each of `options.namespaces`.
   *
   * @param name robot name, Harbor's rules: lowercase letters and digits joined by '.', '_' or '-'
   * @param options permissions and consumer namespaces
   */
  public addRobotAccount(name: string, options: HarborRobotAccountOptions): HarborRobotAccount {
    const prop = `projects.${this.name}.robots.${name}`;
    requireHarborName({ construct: CONSTRUCT, prop: `projects.${this.name}.addRobotAccount.name` }, name, 'robot');
    if (this.robots.some((r) => r.name === name)) {
      throw propError({
        construct: CONSTRUCT,
        prop,
        value: name,
        allowed: `a robot name not yet declared in project ${this.name} (declared: ${this.robots.map((r) => r.name).join(', ')})`,
        fix: 'declare each robot once; give it every namespace in one call',
      });
    }
    validateRobotOptions({ construct: CONSTRUCT, prop }, options);
    const robot = this.robotFactory(this, name, options);
    this.robots.push(robot);
    return robot;
  }

  /**
   * A reference to an artifact of this project: `<registryHost>/<project>/<repository>:<tag>`.
   *
   * @param repository repository path inside the project, e.g. `tinyllama-oras`
   * @param tag tag, e.g. `v1.0.0-gguf`
   */
  public modelReference(repository: string, tag: string): ModelReference {
    return ModelReference.of({ registry: this.registryHost, repository: `${this.name}/${repository}`, tag });
  }

  /** The `POST /projects` body. Metadata values are strings, as Harbor's API wants them. @internal */
  public _createBody(): string {
    return JSON.stringify({
      project_name: this.name,
      metadata: {
        public: String(this.isPublic),
        auto_scan: String(this.autoScan),
        prevent_vul: String(this.preventVulnerable),
        severity: this.severity,
      },
      storage_limit: this.storageQuotaBytes,
    });
  }

  /** The project's lines of the setup spec (see harbor-setup.sh). @internal */
  public _specLines(): string[] {
    const lines = [`project ${this.name} ${this.quotaDeclared ? this.storageQuotaBytes : '-'} ${this._createBody()}`];
    for (const pattern of this.immutableTags) lines.push(`immutable ${pattern} ${immutableRuleBody(pattern)}`);
    if (this.retention) lines.push(`retention ${this.retention._policyBody()}`);
    for (const robot of this.robots) lines.push(...robot._specLines());
    return lines;
  }
}

/** One immutable tag rule over every repository (H src/pkg/immutable/model/rule.go). */
function immutableRuleBody(pattern: string): string {
  return JSON.stringify({
    disabled: false,
    priority: 0,
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  });
}

function requireBoolean(ctx: PropContext, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw propError({ ...ctx, value, allowed: 'true or false', fix: `pass a boolean or leave it out for ${fallback}` });
  }
  return value;
}

/** A positive quantity in whole bytes (a fraction of a byte rounds up, as Kubernetes does). */
function quotaBytes(ctx: PropContext, value: string): number {
  const bytes = Math.ceil(parseByteQuantity(ctx, value, '100Gi'));
  if (!Number.isSafeInteger(bytes)) {
    throw propError({ ...ctx, value, allowed: `a quantity of at most ${Number.MAX_SAFE_INTEGER} bytes (8 PiB)`, fix: 'pass a smaller quota, or leave it out for unlimited' });
  }
  return bytes;
}

function validateImmutableTags(ctx: (prop: string) => PropContext, patterns: string[]): string[] {
  if (!Array.isArray(patterns)) {
    throw propError({ ...ctx('immutableTags'), value: patterns, allowed: 'a list of doublestar tag patterns', fix: 'pass e.g. ["v*"]' });
  }
  patterns.forEach((pattern, i) => {
    requireTagPattern(ctx(`immutableTags[${i}]`), pattern);
    if (patterns.indexOf(pattern) !== i) {
      throw propError({ ...ctx(`immutableTags[${i}]`), value: pattern, allowed: 'each pattern once', fix: 'remove the duplicate' });
    }
  });
  return [...patterns];
}

/** Harbor's bounds for a robot's `duration` (H src/server/v2.0/handler/robot.go `isValidDuration`). */
const MAX_DURATION_DAYS = 2 ** 31 - 2;

/** Checks `HarborRobotAccountOptions`: `ctx.prop` is the robot's path, e.g. `projects.p.robots.r`. */
function validateRobotOptions(ctx: PropContext, options: HarborRobotAccountOptions): void {
  const at = (prop: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}.${prop}` });
  if (options === null || typeof options !== 'object') {
    throw propError({ ...ctx, value: options, allowed: 'an options object with permissions and namespaces', fix: 'pass { permissions: [RobotPermission.PULL], namespaces: ["ai-inference"] }' });
  }
  const permissions = options.permissions;
  if (!Array.isArray(permissions) || permissions.length === 0) {
    throw propError({ ...at('permissions'), value: permissions, allowed: 'a non-empty list of RobotPermission values', fix: 'pass [RobotPermission.PULL] or [RobotPermission.PUSH]' });
  }
  permissions.forEach((p, i) => requireEnumValue(at(`permissions[${i}]`), p, Object.values(RobotPermission), 'RobotPermission.PULL'));
  const namespaces = options.namespaces;
  if (!Array.isArray(namespaces)) {
    throw propError({ ...at('namespaces'), value: namespaces, allowed: 'a list of Kubernetes namespace names (may be empty)', fix: 'pass e.g. ["ai-inference"]' });
  }
  namespaces.forEach((ns, i) => {
    requireDnsLabel(at(`namespaces[${i}]`), ns);
    if (namespaces.indexOf(ns) !== i) {
      throw propError({ ...at(`namespaces[${i}]`), value: ns, allowed: 'each namespace once', fix: 'remove the duplicate' });
    }
  });
  const days = options.durationDays;
  if (days !== undefined && days !== -1 && !(Number.isInteger(days) && days >= 1 && days <= MAX_DURATION_DAYS)) {
    throw propError({ ...at('durationDays'), value: days, allowed: `-1 (never expires) or an integer from 1 to ${MAX_DURATION_DAYS}`, fix: 'pass a number of days, or leave it out' });
  }
  if (options.description !== undefined && (typeof options.description !== 'string' || options.description.length > 1024)) {
    throw propError({ ...at('description'), value: options.description, allowed: 'a string of at most 1024 characters', fix: 'shorten the description or leave it out' });
  }
}

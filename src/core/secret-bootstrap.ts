import { Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ClusterNetwork, apiServerOnlyPolicy, resolveClusterNetwork } from './cluster-network';
import { KUBE_API_CLIENT_KEY, kubeApiClientScript, readContainerScript } from './container-scripts';
import { contentHashedName } from './content-hash';
import { propError } from './errors';
import { derivedFrom, GeneratedValue, GeneratorSpec, sourceSecretOf, specFields } from './generated-value';
import { ImageCatalog, PlatformImage } from './images';
import { kube, Wire } from './kube-object';
import { ensureNamespace, standardLabels, selectorLabels, AppLabels } from './names';
import { ComponentResourceDefaults, resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';
import { requireSecretDataKey, SecretKeyReference } from './secret-reference';
import { PropContext, requireDnsLabel, requireDnsSubdomain, requireInteger, rejectNullProps, optionalInstance } from './validate';

/** Options for `SecretBootstrap.addSecret`. */
export interface GeneratedSecretOptions {
  /**
   * Data keys of the Secret and how each value is generated. Keys derived from other keys
   * (`bcryptHtpasswd`, `selfSignedCertificate`) must name a key of this same secret.
   */
  readonly keys: { [key: string]: GeneratedValue };

  /**
   * Further namespaces that get an identical copy of the Secret (same name, same values), for
   * consumers that live elsewhere (e.g. Velero's S3 credentials). A copy is created once, when
   * absent, and never overwritten.
   *
   * @default - no copies
   */
  readonly copyToNamespaces?: string[];

  /**
   * Secret `type`.
   *
   * @default 'Opaque'
   */
  readonly type?: string;
}

/** Props for `SecretBootstrap`. */
export interface SecretBootstrapProps {
  /** Namespace where the Job runs and where declared secrets are created. */
  readonly namespace: string;

  /**
   * Base of the object names: `seaweedfs` gives the ServiceAccount, Role and ConfigMap
   * `seaweedfs-secret-bootstrap` and the Job `seaweedfs-secret-bootstrap-<hash>`. At most 37
   * characters so that the Job name stays a 63-character label.
   */
  readonly name: string;

  /**
   * Image catalog (registry mirror, overrides) for the image the Job runs in (Harbor's prepare
   * image: a shell, python3, htpasswd and openssl, see docs/images.md).
   *
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /**
   * `app.kubernetes.io/name` of the objects: the application the secrets belong to.
   *
   * @default - the `name` prop
   */
  readonly appName?: string;

  /**
   * `app.kubernetes.io/instance` of the objects.
   *
   * @default - the `name` prop
   */
  readonly instance?: string;

  /**
   * The cluster's network: where the Job may reach the Kubernetes API server (its only egress).
   * API server endpoints are outside the pod network and differ per cluster, so the default allows
   * any address on the API server ports only.
   *
   * @default new ClusterNetwork()
   */
  readonly network?: ClusterNetwork;

  /**
   * How long the Job waits for a copy namespace (and the Role this construct puts there) to exist
   * before it fails. Kubernetes then retries the Job (backoffLimit 6).
   *
   * @default Duration.minutes(5)
   */
  readonly namespaceWaitTimeout?: Duration;

  /**
   * Delete the finished Job after this time. Off by default: GitOps tools (Argo CD, Flux) would
   * recreate a deleted Job from the manifests and run it again.
   *
   * @default - the Job is kept
   */
  readonly ttlAfterFinished?: Duration;
}

/** A Secret declared with `SecretBootstrap.addSecret`: its values exist only in the cluster. */
export class GeneratedSecret {
  /** @internal */
  public static _create(name: string, namespace: string, keys: string[], copyNamespaces: string[], type: string): GeneratedSecret {
    return new GeneratedSecret(name, namespace, keys, copyNamespaces, type);
  }

  /** Name of the Secret (the same in every copy namespace). */
  public readonly name: string;
  /** Namespace the Secret is generated in. */
  public readonly namespace: string;
  /** Data keys, in declaration order. */
  public readonly keys: string[];
  /** Namespaces that get an identical copy. */
  public readonly copyNamespaces: string[];
  /** Secret type. */
  public readonly type: string;

  private constructor(name: string, namespace: string, keys: string[], copyNamespaces: string[], type: string) {
    this.name = name;
    this.namespace = namespace;
    this.keys = [...keys];
    this.copyNamespaces = [...copyNamespaces];
    this.type = type;
  }

  /**
   * A reference to one key, for `secretKeyRef`s in the Secret's namespace or a copy namespace.
   *
   * @param key a declared data key
   */
  public keyRef(key: string): SecretKeyReference {
    if (!this.keys.includes(key)) {
      throw propError({
        construct: 'GeneratedSecret',
        prop: `${this.name}.keyRef`,
        value: key,
        allowed: `a declared key of Secret ${this.namespace}/${this.name}: ${this.keys.join(', ')}`,
        fix: 'add the key to the keys of addSecret(...) or use one of the listed keys',
      });
    }
    return SecretKeyReference.fromSecret(this.name, key);
  }
}

const COMPONENT = 'secret-bootstrap';
const SCRIPT_KEY = 'bootstrap-secrets.sh';
const SPEC_KEY = 'secrets.spec';
const SCRIPT_DIR = '/opt/secret-bootstrap';
const WORK_DIR = '/run/secret-bootstrap';
const RUN_AS = 65532;
/** Longest `name` prop: `<name>-secret-bootstrap-<8 hex>` must be a 63-character label (the Job controller labels pods with it). */
const MAX_BASE_NAME = 63 - '-secret-bootstrap-'.length - 8;

/** Types whose content the bootstrap cannot generate. */
const UNSUPPORTED_TYPES = ['kubernetes.io/service-account-token', 'kubernetes.io/dockercfg', 'kubernetes.io/dockerconfigjson', 'bootstrap.kubernetes.io/token'];
const SECRET_TYPE = /^[A-Za-z0-9]([-A-Za-z0-9_./]{0,251}[A-Za-z0-9])?$/;

interface DeclaredSecret {
  readonly secret: GeneratedSecret;
  /** Keys in spec order: keys that others derive from come first. */
  readonly generators: ReadonlyArray<readonly [string, GeneratorSpec]>;
}

/**
 * Declares Secrets that must exist in a namespace and creates them in-cluster with an idempotent
 * Job, so that no secret value ever appears in synthesized manifests.
 *
 * The Job creates a declared Secret only when it is absent and never changes an existing one, so
 * values generated on the first run stay stable across re-applies, upgrades and restores. It can
 * also check that user-provided Secrets exist with the keys a component needs.
 *
 * Secrets the Job creates carry `app.kubernetes.io/managed-by=cnai-model-platform-secret-bootstrap`.
 * To rotate one, delete it and the finished Job, then apply the manifests again.
 *
 * Objects are created on the first declaration; a SecretBootstrap without declarations emits
 * nothing. Everything that depends on the declarations (spec, RBAC resource names, Job name and
 * image) is computed at synth, so declarations may be added at any time before synth.
 */
export class SecretBootstrap extends Construct {
  /** Namespace the Job runs in and creates declared secrets in. */
  public readonly namespace: string;
  /** Name of the Job's ServiceAccount (also of its Role, RoleBinding, ConfigMap and NetworkPolicy). */
  public readonly serviceAccountName: string;
  /** The cluster's network (API server and DNS peers): other Jobs of the same namespace reuse it. */
  public readonly network: ClusterNetwork;

  private readonly baseName: string;
  private readonly errorName: string;
  private readonly images: ImageCatalog;
  private readonly appLabels: AppLabels;
  private readonly waitTimeoutSeconds: number;
  private readonly ttlSecondsAfterFinished?: number;
  private readonly generated: DeclaredSecret[] = [];
  private readonly required = new Map<string, string[]>();
  private readonly copyRoleNamespaces = new Set<string>();
  private objectsCreated = false;

  constructor(scope: Construct, id: string, props: SecretBootstrapProps) {
    super(scope, id);
    rejectNullProps('SecretBootstrap', props);
    const ctx = (prop: string): PropContext => ({ construct: 'SecretBootstrap', prop });
    this.namespace = requireDnsLabel(ctx('namespace'), props.namespace);
    this.baseName = requireDnsLabel(ctx('name'), props.name, MAX_BASE_NAME);
    this.errorName = `SecretBootstrap(${this.baseName})`;
    this.serviceAccountName = `${this.baseName}-secret-bootstrap`;
    this.images = optionalInstance({ construct: 'SecretBootstrap', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    this.appLabels = {
      name: requireDnsLabel(ctx('appName'), props.appName ?? this.baseName),
      instance: requireDnsLabel(ctx('instance'), props.instance ?? this.baseName),
      component: COMPONENT,
    };
    this.network = resolveClusterNetwork(ctx('network'), props.network);
    this.waitTimeoutSeconds = requireInteger(ctx('namespaceWaitTimeout'), (props.namespaceWaitTimeout ?? Duration.minutes(5)).toSeconds(), 1, 86400);
    if (props.ttlAfterFinished !== undefined) {
      this.ttlSecondsAfterFinished = requireInteger(ctx('ttlAfterFinished'), props.ttlAfterFinished.toSeconds(), 0);
    }
  }

  /** The secrets declared so far with `addSecret`. */
  public get secrets(): GeneratedSecret[] {
    return this.generated.map((d) => d.secret);
  }

  /**
   * Declares a Secret that the Job creates in this namespace (and copies to `copyToNamespaces`)
   * when it is absent. Existing Secrets are never modified.
   *
   * @param name Secret name
   * @param options keys and their generators, copies, type
   */
  public addSecret(name: string, options: GeneratedSecretOptions): GeneratedSecret {
    requireDnsSubdomain(this.ctx('addSecret.name'), name);
    const at = `secrets.${name}`;
    if (this.generated.some((d) => d.secret.name === name) || this.required.has(name)) {
      throw propError({
        ...this.ctx(at),
        value: name,
        allowed: 'a Secret name not yet declared on this bootstrap (generated or required)',
        fix: `declare Secret "${name}" once, or use another name`,
      });
    }
    const generators = this.validateKeys(at, options.keys);
    for (const [key, spec] of generators) {
      if (sourceSecretOf(spec) === name) {
        throw propError({
          ...this.ctx(`${at}.keys.${key}`),
          value: name,
          allowed: 'a source Secret other than the Secret being generated',
          fix: `read the key pair from another Secret than "${name}"`,
        });
      }
    }
    const type = this.validateType(at, options.type ?? 'Opaque', generators.map(([key]) => key));
    const copies = this.validateCopies(at, options.copyToNamespaces ?? []);

    const secret = GeneratedSecret._create(name, this.namespace, Object.keys(options.keys), copies, type);
    this.generated.push({ secret, generators });
    this.ensureObjects();
    for (const ns of copies) this.ensureCopyRole(ns);
    return secret;
  }

  /**
   * Declares a Secret the user provides: the Job checks that it exists in this namespace with
   * non-empty values for `keys` and fails, naming the missing secret or key (never a value),
   * when it does not. Declaring the same Secret again adds keys.
   *
   * @param name Secret name
   * @param keys data keys that must be present
   */
  public requireExistingSecret(name: string, keys: string[]): void {
    requireDnsSubdomain(this.ctx('requireExistingSecret.name'), name);
    const at = `requiredSecrets.${name}`;
    if (this.generated.some((d) => d.secret.name === name)) {
      throw propError({
        ...this.ctx(at),
        value: name,
        allowed: 'a Secret that is not also declared with addSecret',
        fix: `either generate Secret "${name}" with addSecret or require it, not both`,
      });
    }
    if (!Array.isArray(keys) || keys.length === 0) {
      throw propError({ ...this.ctx(`${at}.keys`), value: keys, allowed: 'a non-empty list of data keys', fix: 'list the keys the consumer reads, e.g. ["password"]' });
    }
    keys.forEach((key, i) => requireSecretDataKey(this.ctx(`${at}.keys[${i}]`), key));
    const merged = this.required.get(name) ?? [];
    for (const key of keys) if (!merged.includes(key)) merged.push(key);
    this.required.set(name, merged);
    this.ensureObjects();
  }

  private ctx(prop: string): PropContext {
    return { construct: this.errorName, prop };
  }

  private validateKeys(at: string, keys: { [key: string]: GeneratedValue }): Array<[string, GeneratorSpec]> {
    const entries = keys !== null && typeof keys === 'object' ? Object.entries(keys) : [];
    if (entries.length === 0) {
      throw propError({ ...this.ctx(`${at}.keys`), value: keys, allowed: 'at least one data key with a GeneratedValue', fix: 'pass keys such as { password: GeneratedValue.randomAlphanumeric(32) }' });
    }
    const specs = new Map<string, GeneratorSpec>();
    for (const [key, value] of entries) {
      requireSecretDataKey(this.ctx(`${at}.keys`), key);
      if (key === '.' || key === '..') {
        throw propError({ ...this.ctx(`${at}.keys`), value: key, allowed: "a data key other than '.' and '..'", fix: 'use a key such as "password"' });
      }
      if (!(value instanceof GeneratedValue)) {
        throw propError({ ...this.ctx(`${at}.keys.${key}`), value, allowed: 'a GeneratedValue', fix: 'use GeneratedValue.randomAlphanumeric(32) or another GeneratedValue factory' });
      }
      specs.set(key, value._spec);
    }
    for (const [key, spec] of specs) {
      const source = derivedFrom(spec);
      if (!source) continue;
      const sourceSpec = specs.get(source.key);
      if (sourceSpec === undefined || !source.requiredKinds.includes(sourceSpec.kind)) {
        const factories = source.requiredKinds.map((k) => `GeneratedValue.${FACTORY[k]}(...)`).join(' or ');
        throw propError({
          ...this.ctx(`${at}.keys.${key}`),
          value: source.key,
          allowed: `a key of the same secret generated with ${factories} ` +
            `("${source.key}" is ${sourceSpec === undefined ? 'not declared in this secret' : describeSpec(sourceSpec)})`,
          fix: `declare "${source.key}" in the same addSecret(...) call with ${factories}, or refer to a key that is`,
        });
      }
    }
    // Leaves (random, rsa) first, derived values after them: the script generates in spec order.
    const ordered = [...specs.entries()];
    return [...ordered.filter(([, s]) => !derivedFrom(s)), ...ordered.filter(([, s]) => derivedFrom(s))];
  }

  private validateType(at: string, type: string, keys: string[]): string {
    if (typeof type !== 'string' || !SECRET_TYPE.test(type) || UNSUPPORTED_TYPES.includes(type)) {
      throw propError({
        ...this.ctx(`${at}.type`),
        value: type,
        allowed: `a Secret type without whitespace, other than ${UNSUPPORTED_TYPES.join(', ')} (their content cannot be generated)`,
        fix: 'leave type out for "Opaque" or use e.g. "kubernetes.io/tls"',
      });
    }
    const needed: Record<string, { all?: string[]; any?: string[] }> = {
      'kubernetes.io/tls': { all: ['tls.crt', 'tls.key'] },
      'kubernetes.io/basic-auth': { any: ['username', 'password'] },
      'kubernetes.io/ssh-auth': { all: ['ssh-privatekey'] },
    };
    const rule = needed[type];
    if (rule && ((rule.all && !rule.all.every((k) => keys.includes(k))) || (rule.any && !rule.any.some((k) => keys.includes(k))))) {
      const list = (rule.all ?? rule.any)!.join(rule.all ? ' and ' : ' or ');
      throw propError({
        ...this.ctx(`${at}.type`),
        value: type,
        allowed: `a type whose required keys are declared: ${type} needs ${list} (declared: ${keys.join(', ')})`,
        fix: `declare ${list} or use type "Opaque"`,
      });
    }
    return type;
  }

  private validateCopies(at: string, namespaces: string[]): string[] {
    if (!Array.isArray(namespaces)) {
      throw propError({ ...this.ctx(`${at}.copyToNamespaces`), value: namespaces, allowed: 'a list of namespace names', fix: 'pass e.g. ["velero"]' });
    }
    namespaces.forEach((ns, i) => {
      const prop = `${at}.copyToNamespaces[${i}]`;
      requireDnsLabel(this.ctx(prop), ns);
      if (ns === this.namespace) {
        throw propError({ ...this.ctx(prop), value: ns, allowed: `a namespace other than the bootstrap's own ("${this.namespace}")`, fix: 'remove it: the Secret is created there anyway' });
      }
      if (namespaces.indexOf(ns) !== i) {
        throw propError({ ...this.ctx(prop), value: ns, allowed: 'each namespace once', fix: 'remove the duplicate' });
      }
    });
    return [...namespaces];
  }

  /** Creates the namespace-level objects on the first declaration. */
  private ensureObjects(): void {
    if (this.objectsCreated) return;
    this.objectsCreated = true;
    const script = readContainerScript(__dirname, SCRIPT_KEY, 'SecretBootstrap');
    const client = kubeApiClientScript('SecretBootstrap');
    const ns = this.namespace;
    const name = this.serviceAccountName;
    const labels = standardLabels(this.appLabels);
    const metadata = { name, namespace: ns, labels };
    ensureNamespace(this, ns);

    kube(k8s.KubeServiceAccount, this, 'service-account', {
      metadata,
      // The Job talks to the API server with this account's token.
      automountServiceAccountToken: true,
    });
    kube(k8s.KubeRole, this, 'role', {
      metadata,
      rules: Lazy.any({
        produce: () => this.rules(
          [...new Set([...this.generated.map((d) => d.secret.name), ...this.required.keys(), ...this.sourceSecrets()])],
          this.generated.length > 0,
        ),
      }),
    });
    kube(k8s.KubeRoleBinding, this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    kube(k8s.KubeConfigMap, this, 'script', {
      metadata,
      data: {
        [SCRIPT_KEY]: script,
        [KUBE_API_CLIENT_KEY]: client,
        [SPEC_KEY]: Lazy.any({ produce: () => this.renderSpec() }),
      },
    });
    kube(k8s.KubeJob, this, 'job', {
      metadata: {
        // Pod templates of Jobs are immutable, so a Job whose spec, script or images changed must
        // be a new object: the name carries a hash of everything the pod runs. Nobody refers to the
        // Job by name (select it by label). Computed at synth because declarations may still be
        // added after this object exists.
        name: Lazy.any({ produce: () => this.jobName(script + client) }),
        namespace: ns,
        labels,
      },
      spec: {
        // Failures are mostly transient (API server, a copy namespace not there yet); the script is
        // idempotent, so retrying is always safe.
        backoffLimit: 6,
        ttlSecondsAfterFinished: this.ttlSecondsAfterFinished,
        template: Lazy.any({ produce: () => this.podTemplate() }),
      },
    });
    // Both API server ports, see ClusterNetworkProps.apiServerPorts.
    apiServerOnlyPolicy(this, 'network-policy', { ...metadata, podSelector: selectorLabels(this.appLabels), network: this.network });
  }

  /** A Role (and binding for the bootstrap ServiceAccount) in a copy namespace. */
  private ensureCopyRole(ns: string): void {
    if (this.copyRoleNamespaces.has(ns)) return;
    this.copyRoleNamespaces.add(ns);
    // The Namespace must be emitted before the Role that lives in it.
    ensureNamespace(this, ns);
    const name = this.serviceAccountName;
    const metadata = { name, namespace: ns, labels: standardLabels(this.appLabels) };
    kube(k8s.KubeRole, this, `copy-role-${ns}`, {
      metadata,
      rules: Lazy.any({
        produce: () => this.rules(this.generated.filter((d) => d.secret.copyNamespaces.includes(ns)).map((d) => d.secret.name), true),
      }),
    });
    kube(k8s.KubeRoleBinding, this, `copy-role-binding-${ns}`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
    });
  }

  private rules(secretNames: string[], create: boolean): Wire<k8s.PolicyRule>[] {
    const rules: Wire<k8s.PolicyRule>[] = [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [...secretNames] },
    ];
    if (create) {
      // Kubernetes cannot restrict `create` by resourceNames (the name is not known when the
      // request is authorized), so this rule allows creating any Secret in the namespace. It does
      // not allow reading, changing or deleting Secrets other than the ones named above.
      rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['create'] });
    }
    return rules;
  }

  /** Other Secrets of this namespace that generators read (`awsSharedCredentials`), each once. */
  private sourceSecrets(): string[] {
    const names = this.generated.flatMap((d) => d.generators.map(([, spec]) => sourceSecretOf(spec)));
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  /** The plain-text spec the script reads. Names and generator parameters only, never a value. */
  private renderSpec(): string {
    const lines = ['# cnai-model-platform secret bootstrap spec, format 1: names and generators only, no values.'];
    for (const { secret, generators } of this.generated) {
      lines.push(`secret ${secret.name} ${secret.type}`);
      for (const [key, spec] of generators) lines.push(`key ${key} ${specFields(spec)}`);
      for (const ns of secret.copyNamespaces) lines.push(`copy ${ns}`);
    }
    for (const [name, keys] of this.required) lines.push(`require ${name} ${keys.join(',')}`);
    return `${lines.join('\n')}\n`;
  }

  private jobName(script: string): string {
    return contentHashedName(this.serviceAccountName, JSON.stringify(this.podTemplate()), this.renderSpec(), script);
  }

  private podTemplate(): Wire<k8s.PodTemplateSpec> {
    return {
      metadata: { labels: standardLabels(this.appLabels) },
      spec: {
        serviceAccountName: this.serviceAccountName,
        automountServiceAccountToken: true,
        restartPolicy: 'Never',
        securityContext: restrictedPodSecurityContext({ runAsUser: RUN_AS }),
        containers: [{
          name: 'bootstrap',
          // Photon OS with bash, python3 (the API client), htpasswd and openssl; the kubectl image is
          // distroless and has no shell (docs/images.md).
          image: this.images.resolve(PlatformImage.HARBOR_PREPARE),
          command: ['/bin/sh', `${SCRIPT_DIR}/${SCRIPT_KEY}`, `${SCRIPT_DIR}/${SPEC_KEY}`],
          env: [
            { name: 'BOOTSTRAP_NAMESPACE', value: this.namespace },
            { name: 'BOOTSTRAP_WORK_DIR', value: WORK_DIR },
            { name: 'BOOTSTRAP_WAIT_TIMEOUT_SECONDS', value: String(this.waitTimeoutSeconds) },
          ],
          volumeMounts: [
            { name: 'script', mountPath: SCRIPT_DIR, readOnly: true },
            { name: 'work', mountPath: WORK_DIR },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          securityContext: restrictedContainerSecurityContext(),
          // openssl genrsa is CPU-bound for a few seconds; memory is python3 plus a few small files.
          resources: fixedResources({ cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' }),
        }],
        volumes: [
          { name: 'script', configMap: { name: this.serviceAccountName, defaultMode: 0o555 } },
          // Generated values live only here: memory-backed, so they never touch a node's disk.
          { name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          // Scratch space for the tools: the root filesystem is read-only.
          { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        ],
      },
    };
  }
}

/** Resources that are not a prop: the shared builder with nothing given over the defaults. */
function fixedResources(defaults: ComponentResourceDefaults): Wire<k8s.ResourceRequirements> {
  return resourceRequirements({ construct: 'SecretBootstrap', prop: 'resources' }, undefined, defaults);
}

/** The GeneratedValue factory behind each generator kind, for error messages. */
const FACTORY: Record<GeneratorSpec['kind'], string> = {
  random: 'randomAlphanumeric',
  password: 'randomPassword',
  htpasswd: 'bcryptHtpasswd',
  rsa: 'rsaPrivateKey',
  cert: 'selfSignedCertificate',
  awscreds: 'awsSharedCredentials',
};

function describeSpec(spec: GeneratorSpec): string {
  switch (spec.kind) {
    case 'random':
      return 'a randomAlphanumeric value';
    case 'password':
      return 'a randomPassword value';
    case 'htpasswd':
      return 'a bcryptHtpasswd value';
    case 'rsa':
      return 'an rsaPrivateKey value';
    case 'cert':
      return 'a selfSignedCertificate value';
    case 'awscreds':
      return 'an awsSharedCredentials value';
  }
}



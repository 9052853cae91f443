import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { HarborClientEndpoint, HarborProject, HarborProjectOptions } from './project';
import { HarborRobotAccount, HarborRobotAccountOptions } from './robot-account';
import { KUBE_API_CLIENT_KEY, kubeApiClientScript, readContainerScript } from '../core/container-scripts';
import { contentHashedName } from '../core/content-hash';
import { propError } from '../core/errors';
import { GeneratedValue } from '../core/generated-value';
import { ImageCatalog, PlatformImage } from '../core/images';
import { kube, Wire } from '../core/kube-object';
import { requireLabels } from '../core/kube-syntax';
import { AppLabels, ensureForeignNamespace, ensureNamespace, selectorLabels, standardLabels } from '../core/names';
import { allowPolicy, NetworkPeer, tcp } from '../core/network-policy';
import { ComponentResourceDefaults, resourceRequirements, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { SecretBootstrap } from '../core/secret-bootstrap';
import { SecretKeyReference } from '../core/secret-reference';
import { PropContext, requireDnsLabel, rejectNullProps, optionalInstance } from '../core/validate';

/** Props for `HarborSetup`. */
export interface HarborSetupProps {
  /** Harbor's namespace: the Job runs here and the robot password Secrets live here. */
  readonly namespace: string;

  /**
   * Harbor instance name, the base of object names: `harbor` gives the ServiceAccount, Role,
   * ConfigMap and NetworkPolicy `harbor-setup` and the Job `harbor-setup-<8 hex>`. At most 48
   * characters, so that the Job name stays a 63-character label.
   */
  readonly name: string;

  /** In-cluster URL of Harbor core, e.g. `http://harbor-core.harbor.svc:80`. */
  readonly coreUrl: string;

  /**
   * `host[:port]` clients pull from and push to: the `auths` key of the robots' dockerconfigjson
   * Secrets and the registry of `HarborProject.modelReference`.
   */
  readonly registryHost: string;

  /** Key of the Secret in `namespace` that holds Harbor's admin password. */
  readonly adminPassword: SecretKeyReference;

  /**
   * Secret bootstrap of `namespace`: declares each robot's password Secret. The Job's API server
   * and DNS egress follow the bootstrap's `network`.
   */
  readonly secrets: SecretBootstrap;

  /**
   * Image catalog for the image the Job runs in (Harbor's prepare image: bash, curl, coreutils and python3).
   *
   * @default new ImageCatalog()
   */
  readonly images?: ImageCatalog;

  /** Labels of Harbor core's pods, for the Job's egress NetworkPolicy rule. */
  readonly corePodLabels: { [key: string]: string };

  /**
   * Clients reach `registryHost` over plain HTTP (Harbor's external URL is `http://`), so ORAS
   * and other clients need `--plain-http`. Passed on as `HarborProject.plainHttp`.
   *
   * @default false
   */
  readonly plainHttp?: boolean;

  /**
   * Labels of the pods (in `namespace`) behind `registryHost` inside the cluster: Harbor's nginx,
   * or core when Harbor is exposed through an Ingress. Passed on as
   * `HarborProject.entryPodLabels` for clients' egress NetworkPolicies.
   *
   * @default - corePodLabels
   */
  readonly entryPodLabels?: { [key: string]: string };

  /**
   * Namespace of the ingress controller when clients reach `registryHost` through an Ingress.
   * Passed on as `HarborProject.ingressControllerNamespace`.
   *
   * @default - none (Harbor is not exposed through an Ingress)
   */
  readonly ingressControllerNamespace?: string;
}

const SCRIPT_KEY = 'harbor-setup.sh';
const SPEC_KEY = 'setup.spec';
const SCRIPT_DIR = '/opt/harbor-setup';
const ADMIN_DIR = '/etc/harbor-setup/admin';
const WORK_DIR = '/run/harbor-setup';
/** Harbor's images run as uid/gid 10000 (goharbor/harbor@v2.14.4:make/photon/<component>/Dockerfile.base and Dockerfile). */
const HARBOR_UID = 10000;
/** Core's container port: NetworkPolicies match the pod port, not the Service port (80). */
const CORE_PORT = 8080;
/** `<name>-setup-<8 hex>` must be a 63-character label. */
const MAX_NAME = 63 - '-setup-'.length - 8;
const SETUP_RESOURCES: ComponentResourceDefaults = { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '128Mi' };

const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;
const CORE_URL = /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;
const SECRET_NAME_MAX = 253;

/**
 * Harbor's day-2 state as code: projects, their quotas, immutable tag rules, retention policies
 * and robot accounts, applied by an idempotent Job through Harbor's REST API once Harbor answers.
 *
 * Robot secrets never appear in manifests: each is generated in-cluster by the secret bootstrap
 * (`randomPassword(32)`), pinned in Harbor by the Job, and written into a
 * `kubernetes.io/dockerconfigjson` Secret in every namespace the robot serves.
 *
 * Objects are created with the first project; everything that depends on the declarations (the
 * spec, RBAC resource names, the Job name) is computed at synth, so projects and robots may be
 * added at any time before synth. The Job's name carries a hash of what it runs: a changed
 * declaration gives a new Job, an unchanged one keeps its completed Job.
 */
export class HarborSetup extends Construct {
  /** Namespace the Job runs in. */
  public readonly namespace: string;
  /** Name of the Job's ServiceAccount (also of its Role, RoleBinding, ConfigMap and NetworkPolicy). */
  public readonly serviceAccountName: string;
  /** Labels of the Job's pods: Harbor core's ingress policy must admit them on port 8080. */
  public readonly podLabels: { [key: string]: string };

  private readonly baseName: string;
  private readonly coreUrl: string;
  private readonly registryHost: string;
  private readonly adminPassword: SecretKeyReference;
  private readonly bootstrap: SecretBootstrap;
  private readonly images: ImageCatalog;
  private readonly corePodLabels: Record<string, string>;
  private readonly endpoint: HarborClientEndpoint;
  private readonly appLabels: AppLabels;
  private readonly declared: HarborProject[] = [];
  /** Secret names taken per namespace, to refuse two robots whose Secrets would collide. */
  private readonly secretNames = new Map<string, Set<string>>();
  private readonly robotNamespaces = new Set<string>();
  private objectsCreated = false;

  constructor(scope: Construct, id: string, props: HarborSetupProps) {
    super(scope, id);
    rejectNullProps('HarborSetup', props);
    const ctx = (prop: string): PropContext => ({ construct: 'HarborSetup', prop });
    this.namespace = requireDnsLabel(ctx('namespace'), props.namespace);
    this.baseName = requireDnsLabel(ctx('name'), props.name, MAX_NAME);
    this.serviceAccountName = `${this.baseName}-setup`;
    this.coreUrl = requireMatch(ctx('coreUrl'), props.coreUrl?.replace(/\/+$/, ''), CORE_URL,
      'an http(s) URL of scheme, host and optional port, without path', 'http://harbor-core.harbor.svc:80');
    this.registryHost = requireMatch(ctx('registryHost'), props.registryHost, HOST_PORT,
      'a host with optional port, without scheme or path', 'harbor.example.com');
    if (!(props.adminPassword instanceof SecretKeyReference)) {
      throw propError({ ...ctx('adminPassword'), value: props.adminPassword, allowed: 'a SecretKeyReference', fix: 'pass SecretKeyReference.fromSecret("harbor-core", "HARBOR_ADMIN_PASSWORD")' });
    }
    this.adminPassword = props.adminPassword;
    if (!(props.secrets instanceof SecretBootstrap) || props.secrets.namespace !== this.namespace) {
      throw propError({
        ...ctx('secrets'),
        value: props.secrets instanceof SecretBootstrap ? `SecretBootstrap of namespace ${props.secrets.namespace}` : props.secrets,
        allowed: `the SecretBootstrap of namespace "${this.namespace}"`,
        fix: 'pass the secret bootstrap of Harbor\'s namespace: robot password Secrets must live beside the Job',
      });
    }
    this.bootstrap = props.secrets;
    this.images = optionalInstance({ construct: 'HarborSetup', prop: 'images' }, props.images, ImageCatalog, 'new ImageCatalog({...})') ?? new ImageCatalog();
    const coreLabels = requireLabels(ctx('corePodLabels'), props.corePodLabels, "{ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/component': 'core' } (Harbor core's pod labels)", true);
    this.corePodLabels = coreLabels;
    if (props.plainHttp !== undefined && typeof props.plainHttp !== 'boolean') {
      throw propError({ ...ctx('plainHttp'), value: props.plainHttp, allowed: 'true or false', fix: 'pass true when Harbor\'s external URL is http://, or leave it out' });
    }
    const entryLabels = props.entryPodLabels === undefined ? coreLabels
      : requireLabels(ctx('entryPodLabels'), props.entryPodLabels, "{ 'app.kubernetes.io/name': 'harbor', 'app.kubernetes.io/component': 'nginx' } (Harbor's nginx or core pod labels)", true);
    this.endpoint = {
      plainHttp: props.plainHttp ?? false,
      namespace: this.namespace,
      entryPodLabels: { ...entryLabels },
      ingressControllerNamespace: props.ingressControllerNamespace === undefined
        ? undefined
        : requireDnsLabel(ctx('ingressControllerNamespace'), props.ingressControllerNamespace),
    };
    this.appLabels = { name: 'harbor', instance: this.baseName, component: 'setup' };
    this.podLabels = selectorLabels(this.appLabels);
  }

  /** The projects declared so far. */
  public get projects(): HarborProject[] {
    return [...this.declared];
  }

  /**
   * Declares a Harbor project.
   *
   * @param name project name, Harbor's rules: 1-255 lowercase letters and digits joined by '.', '_' or '-'
   * @param options settings, quota, rules and retention
   */
  public addProject(name: string, options?: HarborProjectOptions): HarborProject {
    if (this.declared.some((p) => p.name === name)) {
      throw propError({
        construct: 'HarborModelRegistry',
        prop: `projects.${name}`,
        value: name,
        allowed: `a project name not yet declared (declared: ${this.declared.map((p) => p.name).join(', ')})`,
        fix: 'declare each project once and keep the returned HarborProject to add robots to it',
      });
    }
    const project = HarborProject._create(name, options ?? {}, this.registryHost, (p, robot, o) => this.createRobot(p, robot, o), this.endpoint);
    this.declared.push(project);
    this.ensureObjects();
    return project;
  }

  /** The cluster side of a validated robot declaration: its password Secret, RBAC and namespaces. */
  private createRobot(project: HarborProject, name: string, options: HarborRobotAccountOptions): HarborRobotAccount {
    const ctx: PropContext = { construct: 'HarborModelRegistry', prop: `projects.${project.name}.robots.${name}` };
    // Kubernetes names have no '_'; Harbor names have no '--', so the parts stay readable.
    const part = (s: string) => s.replace(/_/g, '-');
    const passwordSecretName = `${this.baseName}-robot-${part(project.name)}-${part(name)}`;
    const secretName = `${this.baseName}-${part(project.name)}-${part(name)}-dockerconfig`;
    const wanted: Array<[string, string]> = [
      [this.namespace, passwordSecretName],
      ...options.namespaces.map((ns): [string, string] => [ns, secretName]),
    ];
    for (const [ns, secret] of wanted) {
      if (secret.length > SECRET_NAME_MAX) {
        throw propError({ ...ctx, value: secret, allowed: `project and robot names short enough for Secret name "${secret}" to have at most ${SECRET_NAME_MAX} characters`, fix: 'shorten the project or robot name' });
      }
      if (this.secretNames.get(ns)?.has(secret)) {
        throw propError({ ...ctx, value: name, allowed: `a robot whose Secret names are free (Secret ${ns}/${secret} is already taken by another robot of this registry)`, fix: "rename the robot: '_' and '-' map to the same Secret name" });
      }
    }
    // Declared with the bootstrap before anything is recorded, so a failure leaves no trace.
    this.bootstrap.addSecret(passwordSecretName, { keys: { password: GeneratedValue.randomPassword(32) } });
    for (const [ns, secret] of wanted) {
      if (!this.secretNames.has(ns)) this.secretNames.set(ns, new Set());
      this.secretNames.get(ns)!.add(secret);
    }
    for (const ns of options.namespaces) this.ensureRobotNamespace(ns);
    return HarborRobotAccount._create(project.name, name, options, secretName, passwordSecretName);
  }

  private robots(): HarborRobotAccount[] {
    return this.declared.flatMap((p) => p.robotAccounts);
  }

  /** Creates the namespace-level objects with the first project. */
  private ensureObjects(): void {
    if (this.objectsCreated) return;
    this.objectsCreated = true;
    const script = readContainerScript(__dirname, SCRIPT_KEY, 'HarborSetup');
    const client = kubeApiClientScript('HarborSetup');
    const name = this.serviceAccountName;
    const labels = standardLabels(this.appLabels);
    const metadata = { name, namespace: this.namespace, labels };
    ensureNamespace(this, this.namespace);

    kube(k8s.KubeServiceAccount, this, 'service-account', { metadata, automountServiceAccountToken: true });
    kube(k8s.KubeRole, this, 'role', {
      metadata,
      // Read the robot password Secrets (and write pull secrets, when a robot serves this namespace).
      rules: Lazy.any({
        produce: () => secretRules([
          ...this.robots().map((r) => r.passwordSecretName),
          ...this.pullSecretsIn(this.namespace),
        ], this.pullSecretsIn(this.namespace).length > 0),
      }),
    });
    kube(k8s.KubeRoleBinding, this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
    });
    kube(k8s.KubeConfigMap, this, 'script', {
      metadata,
      data: { [SCRIPT_KEY]: script, [KUBE_API_CLIENT_KEY]: client, [SPEC_KEY]: Lazy.any({ produce: () => this.renderSpec() }) },
    });
    kube(k8s.KubeJob, this, 'job', {
      metadata: {
        // A Job's pod template is immutable: a changed spec, script or image needs a new Job.
        // Nobody refers to the Job by name (select it by label).
        name: Lazy.any({ produce: () => this.jobName(script + client) }),
        namespace: this.namespace,
        labels,
      },
      spec: {
        // Failures are mostly transient (Harbor still starting, a Secret not yet created); the
        // script is idempotent, so retrying is always safe.
        backoffLimit: 6,
        template: Lazy.any({ produce: () => this.podTemplate() }),
      },
    });
    allowPolicy(this, 'network-policy', {
      ...metadata,
      podSelector: this.podLabels,
      // Nothing talks to the Job. It talks to Harbor core (by Service name, so DNS) and to the API
      // server, both as the bootstrap's network says.
      ingress: [],
      egress: [
        { peers: [NetworkPeer.pods(this.corePodLabels)], ports: tcp(CORE_PORT) },
        this.bootstrap.network._apiServerRule(),
        this.bootstrap.network._dnsRule(),
      ],
    });
  }

  /** A Role (and binding for the setup ServiceAccount) in a robot's namespace. */
  private ensureRobotNamespace(ns: string): void {
    if (ns === this.namespace || this.robotNamespaces.has(ns)) return;
    this.robotNamespaces.add(ns);
    // The Namespace must be emitted before the Role that lives in it.
    ensureForeignNamespace(this, ns);
    const name = this.serviceAccountName;
    const metadata = { name, namespace: ns, labels: standardLabels(this.appLabels) };
    kube(k8s.KubeRole, this, `robot-role-${ns}`, {
      metadata,
      rules: Lazy.any({ produce: () => secretRules(this.pullSecretsIn(ns), true) }),
    });
    kube(k8s.KubeRoleBinding, this, `robot-role-binding-${ns}`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
    });
  }

  private pullSecretsIn(ns: string): string[] {
    return this.robots().filter((r) => r.namespaces.includes(ns)).map((r) => r.secretName);
  }

  /** The plain-text spec harbor-setup.sh reads: names and request bodies, never a secret. */
  private renderSpec(): string {
    const lines = ['# cnai-model-platform harbor setup spec, format 1: names and request bodies, no secret values.'];
    for (const project of this.declared) lines.push(...project._specLines());
    return `${lines.join('\n')}\n`;
  }

  private jobName(script: string): string {
    return contentHashedName(this.serviceAccountName, JSON.stringify(this.podTemplate()), this.renderSpec(), script);
  }

  private podTemplate(): Wire<k8s.PodTemplateSpec> {
    const securityContext = restrictedContainerSecurityContext();
    const resourcesCtx = { construct: 'HarborSetup', prop: 'resources' };
    return {
      metadata: { labels: standardLabels(this.appLabels) },
      spec: {
        serviceAccountName: this.serviceAccountName,
        // The API client (kube-api.py) talks to the API server with this account's token.
        automountServiceAccountToken: true,
        restartPolicy: 'Never',
        // fsGroup makes the mounted admin password (mode 0440) readable by uid 10000.
        securityContext: restrictedPodSecurityContext({ runAsUser: HARBOR_UID, fsGroup: HARBOR_UID }),
        containers: [{
          name: 'setup',
          // Photon OS with bash, curl, coreutils and python3 (the API client); the kubectl image is
          // distroless and Harbor core lacks tr (docs/images.md). Replaces the image's entrypoint.
          image: this.images.resolve(PlatformImage.HARBOR_PREPARE),
          command: ['/bin/sh', `${SCRIPT_DIR}/${SCRIPT_KEY}`, `${SCRIPT_DIR}/${SPEC_KEY}`],
          env: [
            { name: 'HARBOR_URL', value: this.coreUrl },
            { name: 'HARBOR_REGISTRY_HOST', value: this.registryHost },
            { name: 'HARBOR_NAMESPACE', value: this.namespace },
            { name: 'HARBOR_ADMIN_PASSWORD_FILE', value: `${ADMIN_DIR}/password` },
            { name: 'HARBOR_SETUP_WORK_DIR', value: WORK_DIR },
          ],
          volumeMounts: [
            { name: 'script', mountPath: SCRIPT_DIR, readOnly: true },
            { name: 'admin-password', mountPath: ADMIN_DIR, readOnly: true },
            { name: 'work', mountPath: WORK_DIR },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          securityContext,
          resources: resourceRequirements(resourcesCtx, undefined, SETUP_RESOURCES),
        }],
        volumes: [
          { name: 'script', configMap: { name: this.serviceAccountName, defaultMode: 0o444 } },
          // Only the admin password key, as a file: never an environment variable.
          {
            name: 'admin-password',
            secret: { secretName: this.adminPassword.secretName, items: [{ key: this.adminPassword.key, path: 'password' }], defaultMode: 0o440 },
          },
          // Credentials files live only here: memory-backed, so they never touch a node's disk.
          { name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        ],
      },
    };
  }
}

/**
 * `get` on exactly the named Secrets and, when `create` is set, `create` (which Kubernetes cannot
 * restrict by name). No names: no rules, since a rule with empty resourceNames means every Secret.
 */
function secretRules(names: string[], create: boolean): Wire<k8s.PolicyRule>[] {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  const rules: Wire<k8s.PolicyRule>[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: unique }];
  if (create) rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['create'] });
  return rules;
}

function requireMatch(ctx: PropContext, value: string | undefined, pattern: RegExp, allowed: string, example: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw propError({ ...ctx, value, allowed, fix: `pass e.g. "${example}"` });
  }
  return value;
}


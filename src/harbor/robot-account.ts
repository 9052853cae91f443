/** What a project robot account may do with the project's repositories. */
export enum RobotPermission {
  /** Pull artifacts (`docker pull`, `oras pull`). */
  PULL = 'pull',
  /** Push artifacts: includes pull, which pushing needs (Harbor access list: pull and push). */
  PUSH = 'push',
}

/** Options for `HarborProject.addRobotAccount`. */
export interface HarborRobotAccountOptions {
  /** What the robot may do in its project. At least one. */
  readonly permissions: RobotPermission[];

  /**
   * Kubernetes namespaces that get a `kubernetes.io/dockerconfigjson` Secret with the robot's
   * credentials (also as plain `username` and `password` keys, which ORAS uses). An empty list
   * keeps the credentials in Harbor's namespace only.
   */
  readonly namespaces: string[];

  /**
   * Days until the robot expires: -1 never expires. An expired robot is not renewed by the setup
   * Job.
   *
   * @default -1
   */
  readonly durationDays?: number;

  /**
   * Description shown in Harbor.
   *
   * @default 'Managed by cnai-model-platform'
   */
  readonly description?: string;
}

/**
 * A Harbor project robot account, declared with `HarborProject.addRobotAccount`. Its secret
 * is generated in-cluster by the secret bootstrap and pinned in Harbor by the setup Job; consumers
 * in the declared namespaces use the Secret `secretName`.
 */
export class HarborRobotAccount {
  /**
   * Called by HarborProject with validated input and the Secret names HarborSetup chose.
   * @internal
   */
  public static _create(
    projectName: string,
    name: string,
    options: HarborRobotAccountOptions,
    secretName: string,
    passwordSecretName: string,
  ): HarborRobotAccount {
    return new HarborRobotAccount(projectName, name, options, secretName, passwordSecretName);
  }

  /** Robot name inside its project, e.g. `puller`. */
  public readonly name: string;
  /** Harbor project the robot belongs to. */
  public readonly projectName: string;
  /** The login name, `robot$<project>+<name>` (Harbor's default `ROBOT_NAME_PREFIX`). */
  public readonly fullName: string;
  /** Namespaces that get the credentials Secret. */
  public readonly namespaces: string[];
  /** Name of the `kubernetes.io/dockerconfigjson` Secret in each of `namespaces`. */
  public readonly secretName: string;
  /** Name of the Secret in Harbor's namespace that holds the robot's secret (key `password`). */
  public readonly passwordSecretName: string;
  /** Permissions as declared. */
  public readonly permissions: RobotPermission[];
  /** Days until expiry, -1 for never. */
  public readonly durationDays: number;
  /** Description shown in Harbor. */
  public readonly description: string;

  private constructor(projectName: string, name: string, options: HarborRobotAccountOptions, secretName: string, passwordSecretName: string) {
    this.projectName = projectName;
    this.name = name;
    this.fullName = `robot$${projectName}+${name}`;
    this.namespaces = [...options.namespaces];
    this.permissions = [...options.permissions];
    this.durationDays = options.durationDays ?? -1;
    this.description = options.description ?? 'Managed by cnai-model-platform';
    this.secretName = secretName;
    this.passwordSecretName = passwordSecretName;
  }

  /**
   * The `POST /robots` body: a project robot with exactly one permission entry, for its project
   * (Harbor rejects project robots with more). Push implies pull in the access list.
   * @internal
   */
  public _createBody(): string {
    const actions = this.permissions.includes(RobotPermission.PUSH) ? ['pull', 'push'] : ['pull'];
    return JSON.stringify({
      name: this.name,
      description: this.description,
      level: 'project',
      duration: this.durationDays,
      disable: false,
      permissions: [{
        kind: 'project',
        namespace: this.projectName,
        access: actions.map((action) => ({ resource: 'repository', action })),
      }],
    });
  }

  /** The robot's lines of the setup spec. @internal */
  public _specLines(): string[] {
    return [
      `robot ${this.name} ${this.fullName} ${this.passwordSecretName} ${this._createBody()}`,
      ...this.namespaces.map((ns) => `pullsecret ${ns} ${this.secretName}`),
    ];
  }
}

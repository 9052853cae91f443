import { Chart, Testing } from 'cdk8s';
import { PropValidationError } from '../../src/core/errors';
import { ensureNamespace } from '../../src/core/names';
import { SecretBootstrap } from '../../src/core/secret-bootstrap';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { HarborProject, VulnerabilitySeverity } from '../../src/harbor/project';
import { TagRetention } from '../../src/harbor/retention';
import { RobotPermission } from '../../src/harbor/robot-account';
import { HarborSetup } from '../../src/harbor/setup-job';
import { propErrorOf } from '../prop-errors';
import { expectValidManifests } from '../validation';

const REGISTRY = 'harbor.example.com';

function newSetup(): HarborSetup {
  const chart = Testing.chart();
  ensureNamespace(chart, 'harbor');
  const secrets = new SecretBootstrap(chart, 'secrets', { namespace: 'harbor', name: 'harbor' });
  return new HarborSetup(chart, 'setup', {
    namespace: 'harbor',
    name: 'harbor',
    coreUrl: 'http://harbor-core.harbor.svc:80',
    registryHost: REGISTRY,
    adminPassword: SecretKeyReference.fromSecret('harbor-core', 'HARBOR_ADMIN_PASSWORD'),
    secrets,
    corePodLabels: { 'app.kubernetes.io/component': 'core' },
  });
}

function specLines(setup: HarborSetup): string[] {
  const objects = Testing.synth(Chart.of(setup));
  expectValidManifests(objects);
  return objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'harbor-setup').data['setup.spec'].split('\n').slice(1, -1);
}

/** The JSON body at the end of a spec line that has `fields` fields before it. */
function body(line: string, fields: number): any {
  return JSON.parse(line.split(' ').slice(fields).join(' '));
}


describe('HarborProject', () => {
  test('defaults: private, scanned, not blocking, severity high, unlimited at creation', () => {
    const setup = newSetup();
    const project = setup.addProject('ml-models');
    expect(project).toBeInstanceOf(HarborProject);
    expect(project.name).toBe('ml-models');
    expect(setup.projects).toEqual([project]);
    expect(project.storageQuotaBytes).toBe(-1);
    const [line] = specLines(setup);
    expect(line.startsWith('project ml-models - ')).toBe(true);
    expect(body(line, 3)).toEqual({
      project_name: 'ml-models',
      metadata: { public: 'false', auto_scan: 'true', prevent_vul: 'false', severity: 'high' },
      storage_limit: -1,
    });
  });

  test('options become string metadata, quota bytes, immutable rules and a retention policy', () => {
    const setup = newSetup();
    setup.addProject('team.models_v2', {
      publicRead: true,
      autoScan: false,
      preventVulnerable: true,
      severity: VulnerabilitySeverity.MEDIUM,
      storageQuota: '1.5Gi',
      immutableTags: ['v*', '{latest,stable}'],
      retention: TagRetention.keepPushedWithinDays(30, { repositoryPattern: 'team-a/**' }),
    });
    const [project, rule1, rule2, retention] = specLines(setup);
    expect(project.split(' ').slice(0, 3)).toEqual(['project', 'team.models_v2', '1610612736']);
    expect(body(project, 3)).toEqual({
      project_name: 'team.models_v2',
      metadata: { public: 'true', auto_scan: 'false', prevent_vul: 'true', severity: 'medium' },
      storage_limit: 1610612736,
    });
    expect(rule1.split(' ').slice(0, 2)).toEqual(['immutable', 'v*']);
    expect(body(rule1, 2)).toEqual({
      disabled: false,
      priority: 0,
      action: 'immutable',
      template: 'immutable_template',
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    });
    expect(body(rule2, 2).tag_selectors[0].pattern).toBe('{latest,stable}');
    // The project id is filled in by the script: the body is JSON once it is.
    expect(retention).toContain('"scope":{"level":"project","ref":@PROJECT_ID@}');
    expect(JSON.parse(retention.slice('retention '.length).replace('@PROJECT_ID@', '7'))).toEqual({
      algorithm: 'or',
      rules: [{
        disabled: false,
        action: 'retain',
        template: 'nDaysSinceLastPush',
        params: { nDaysSinceLastPush: 30 },
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'team-a/**' }] },
      }],
      trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
      scope: { level: 'project', ref: 7 },
    });
  });

  test('modelReference points into the project on the registry host', () => {
    const project = newSetup().addProject('ml-models');
    const ref = project.modelReference('tinyllama-oras', 'v1.0.0-gguf');
    expect(ref.toString()).toBe(`${REGISTRY}/ml-models/tinyllama-oras:v1.0.0-gguf`);
    expect(ref.registry).toBe(REGISTRY);
    expect(ref.repository).toBe('ml-models/tinyllama-oras');
    expect(ref.tag).toBe('v1.0.0-gguf');
    expect(() => project.modelReference('TinyLlama', 'v1')).toThrow(/ModelReference 'repository'/);
  });

  test('client endpoint defaults: https, core pods in Harbor\'s namespace, no ingress controller', () => {
    const project = newSetup().addProject('ml-models');
    expect(project.plainHttp).toBe(false);
    expect(project.harborNamespace).toBe('harbor');
    expect(project.entryPodLabels).toEqual({ 'app.kubernetes.io/component': 'core' });
    expect(project.ingressControllerNamespace).toBeUndefined();
  });

  test('client endpoint from the setup props: plain HTTP, entry pods, ingress controller', () => {
    const chart = Testing.chart();
    const secrets = new SecretBootstrap(chart, 'secrets', { namespace: 'harbor', name: 'harbor' });
    const setup = new HarborSetup(chart, 'setup', {
      namespace: 'harbor',
      name: 'harbor',
      coreUrl: 'http://harbor-core.harbor.svc:80',
      registryHost: REGISTRY,
      adminPassword: SecretKeyReference.fromSecret('harbor-core', 'HARBOR_ADMIN_PASSWORD'),
      secrets,
      corePodLabels: { 'app.kubernetes.io/component': 'core' },
      plainHttp: true,
      entryPodLabels: { 'app.kubernetes.io/component': 'nginx' },
      ingressControllerNamespace: 'ingress-nginx',
    });
    const project = setup.addProject('ml-models');
    expect(project.plainHttp).toBe(true);
    expect(project.entryPodLabels).toEqual({ 'app.kubernetes.io/component': 'nginx' });
    expect(project.ingressControllerNamespace).toBe('ingress-nginx');
    // The outputs are copies: changing them does not change the setup's other projects.
    project.entryPodLabels.extra = 'x';
    expect(setup.addProject('other').entryPodLabels).toEqual({ 'app.kubernetes.io/component': 'nginx' });
  });
});

describe('HarborRobotAccount', () => {
  test('a pull robot for ai-inference: names, secrets and permissions', () => {
    const project = newSetup().addProject('ml-models');
    const robot = project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
    expect(robot.name).toBe('puller');
    expect(robot.fullName).toBe('robot$ml-models+puller');
    expect(robot.projectName).toBe('ml-models');
    expect(robot.namespaces).toEqual(['ai-inference']);
    expect(robot.secretName).toBe('harbor-ml-models-puller-dockerconfig');
    expect(robot.passwordSecretName).toBe('harbor-robot-ml-models-puller');
    expect(robot.permissions).toEqual([RobotPermission.PULL]);
    expect(robot.durationDays).toBe(-1);
    expect(project.robotAccounts).toEqual([robot]);
  });

  test('push implies pull; duration and description reach the request body', () => {
    const setup = newSetup();
    setup.addProject('ml-models').addRobotAccount('importer', {
      permissions: [RobotPermission.PUSH],
      namespaces: [],
      durationDays: 90,
      description: 'ModelArtifact "import" Jobs',
    });
    const robotLine = specLines(setup).find((l) => l.startsWith('robot '))!;
    expect(body(robotLine, 4)).toMatchObject({
      name: 'importer',
      duration: 90,
      description: 'ModelArtifact "import" Jobs',
      permissions: [{ kind: 'project', namespace: 'ml-models', access: [{ resource: 'repository', action: 'pull' }, { resource: 'repository', action: 'push' }] }],
    });
    expect(specLines(setup).filter((l) => l.startsWith('pullsecret'))).toEqual([]);
  });

  test("'_' in Harbor names becomes '-' in Secret names", () => {
    const robot = newSetup().addProject('ml_models').addRobotAccount('ci_puller', { permissions: [RobotPermission.PULL], namespaces: ['ci'] });
    expect(robot.fullName).toBe('robot$ml_models+ci_puller');
    expect(robot.secretName).toBe('harbor-ml-models-ci-puller-dockerconfig');
    expect(robot.passwordSecretName).toBe('harbor-robot-ml-models-ci-puller');
  });
});

describe('TagRetention', () => {
  test('factories map to Harbor templates', () => {
    expect(TagRetention.keepLatestPushed(5).template).toBe('latestPushedK');
    expect(TagRetention.keepLatestPulled(5).template).toBe('latestPulledN');
    expect(TagRetention.keepPushedWithinDays(7).template).toBe('nDaysSinceLastPush');
    expect(TagRetention.keepPulledWithinDays(7).template).toBe('nDaysSinceLastPull');
    const r = TagRetention.keepLatestPushed(3, { tagPattern: 'v*', cron: '0 30 2 * * 1' });
    expect([r.parameter, r.tagPattern, r.repositoryPattern, r.cron]).toEqual([3, 'v*', '**', '0 30 2 * * 1']);
  });

  test.each([
    [() => TagRetention.keepLatestPushed(0), "TagRetention 'keepLatestPushed.count': got 0"],
    [() => TagRetention.keepPushedWithinDays(32767), "TagRetention 'keepPushedWithinDays.days': got 32767, expected an integer from 1 to 32766"],
    [() => TagRetention.keepLatestPulled(2, { tagPattern: 'v"1' }), "TagRetention 'keepLatestPulled.tagPattern': got \"v\\\"1\""],
    [() => TagRetention.keepLatestPulled(2, { repositoryPattern: 'a b' }), "'keepLatestPulled.repositoryPattern': got \"a b\""],
    [() => TagRetention.keepLatestPushed(2, { cron: '0 0 * * *' }), "TagRetention 'keepLatestPushed.cron': got \"0 0 * * *\", expected a 6-field cron"],
    [() => TagRetention.keepLatestPushed(2, { cron: '5 0 0 * * *' }), 'whose first field (seconds) is "0"'],
  ])('rejects bad input (%#)', (fn, message) => {
    expect(propErrorOf(fn).message).toContain(message);
  });
});

describe('input validation', () => {
  test('invalid project name', () => {
    const setup = newSetup();
    const e = propErrorOf(() => setup.addProject('ML Models'));
    expect(e.message).toContain("HarborModelRegistry 'addProject.name': got \"ML Models\", expected a Harbor project name");
    expect(e.fix).toContain('"ml-models"');
    for (const bad of ['-models', 'models-', 'a..b', 'a-_b', '', 'x'.repeat(256)]) expect(() => setup.addProject(bad)).toThrow(PropValidationError);
    for (const good of ['a', 'ml-models', 'team.models_v2', '1', 'x'.repeat(255)]) expect(() => setup.addProject(good)).not.toThrow();
  });

  test.each(['0', '-1Gi', '100GB', 'lots'])('quota %p', (quota) => {
    const e = propErrorOf(() => newSetup().addProject('ml-models', { storageQuota: quota }));
    expect(e.message).toContain(`HarborModelRegistry 'projects.ml-models.storageQuota': got ${JSON.stringify(quota)}, expected a positive Kubernetes quantity`);
  });

  test('quota beyond a safe integer of bytes', () => {
    expect(propErrorOf(() => newSetup().addProject('p', { storageQuota: '9Ei' })).message).toContain("'projects.p.storageQuota': got \"9Ei\", expected a quantity of at most");
  });

  test('unknown robot permission (a string cast from another language)', () => {
    const project = newSetup().addProject('ml-models');
    const e = propErrorOf(() => project.addRobotAccount('puller', { permissions: ['read' as RobotPermission], namespaces: ['ai-inference'] }));
    expect(e.message).toContain("HarborModelRegistry 'projects.ml-models.robots.puller.permissions[0]': got \"read\", expected one of \"pull\", \"push\"");
    expect(propErrorOf(() => project.addRobotAccount('puller', { permissions: [], namespaces: [] })).message)
      .toContain("'projects.ml-models.robots.puller.permissions': got [], expected a non-empty list");
    expect(project.robotAccounts).toEqual([]);
  });

  test('unknown severity', () => {
    expect(propErrorOf(() => newSetup().addProject('p', { severity: 'severe' as VulnerabilitySeverity })).message)
      .toContain("'projects.p.severity': got \"severe\", expected one of \"none\", \"low\", \"medium\", \"high\", \"critical\"");
  });

  test('duplicate project', () => {
    const setup = newSetup();
    setup.addProject('ml-models');
    const e = propErrorOf(() => setup.addProject('ml-models', { publicRead: true }));
    expect(e.message).toContain("HarborModelRegistry 'projects.ml-models': got \"ml-models\", expected a project name not yet declared (declared: ml-models)");
    expect(setup.projects).toHaveLength(1);
  });

  test('duplicate robot, and robots whose Secret names would collide', () => {
    const setup = newSetup();
    const project = setup.addProject('ml-models');
    project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
    expect(propErrorOf(() => project.addRobotAccount('puller', { permissions: [RobotPermission.PUSH], namespaces: [] })).message)
      .toContain("HarborModelRegistry 'projects.ml-models.robots.puller': got \"puller\", expected a robot name not yet declared in project ml-models");
    project.addRobotAccount('ci-bot', { permissions: [RobotPermission.PULL], namespaces: [] });
    expect(propErrorOf(() => project.addRobotAccount('ci_bot', { permissions: [RobotPermission.PULL], namespaces: [] })).message)
      .toContain('Secret harbor/harbor-robot-ml-models-ci-bot is already taken');
    expect(project.robotAccounts.map((r) => r.name)).toEqual(['puller', 'ci-bot']);
  });

  test('invalid robot name', () => {
    const project = newSetup().addProject('ml-models');
    expect(propErrorOf(() => project.addRobotAccount('Puller+1', { permissions: [RobotPermission.PULL], namespaces: [] })).message)
      .toContain("HarborModelRegistry 'projects.ml-models.addRobotAccount.name': got \"Puller+1\", expected a Harbor robot name");
  });

  test('invalid namespace', () => {
    const project = newSetup().addProject('ml-models');
    expect(propErrorOf(() => project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['AI_Inference'] })).message)
      .toContain("HarborModelRegistry 'projects.ml-models.robots.puller.namespaces[0]': got \"AI_Inference\", expected an RFC 1123 label");
    expect(propErrorOf(() => project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['a', 'a'] })).message)
      .toContain("'projects.ml-models.robots.puller.namespaces[1]': got \"a\", expected each namespace once");
  });

  test('other robot and project options', () => {
    const setup = newSetup();
    const project = setup.addProject('ml-models');
    expect(propErrorOf(() => project.addRobotAccount('r', { permissions: [RobotPermission.PULL], namespaces: [], durationDays: 0 })).message)
      .toContain("'projects.ml-models.robots.r.durationDays': got 0, expected -1 (never expires) or an integer");
    expect(propErrorOf(() => setup.addProject('p', { immutableTags: ['v[0-9]*'] })).message).toContain("'projects.p.immutableTags[0]': got \"v[0-9]*\", expected a doublestar pattern");
    expect(propErrorOf(() => setup.addProject('p', { immutableTags: ['v*', 'v*'] })).message).toContain("'projects.p.immutableTags[1]'");
    expect(propErrorOf(() => setup.addProject('p', { retention: { template: 'x' } as unknown as TagRetention })).message).toContain("'projects.p.retention'");
    expect(propErrorOf(() => setup.addProject('p', { publicRead: 'yes' as unknown as boolean })).message).toContain("'projects.p.publicRead': got \"yes\", expected true or false");
  });
});

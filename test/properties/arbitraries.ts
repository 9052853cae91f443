/**
 * Generators for construct props: each prop is left out, given a valid value, a value a user could
 * plausibly type wrong (adversarial strings) or a wrong JavaScript type (what callers without
 * TypeScript pass). Valid values are enough to reach every branch that synthesizes.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { PropValidationError } from '../../src/core/errors';
import { formatIssues, validateWithVeleroCrds } from '../validation';
import { lintManifests } from '../validation/lint';

/** Fixed seed and bounded runs: the same cases every time, a few seconds per construct. */
export const RUNS = { seed: 20261203, numRuns: 150 };

/** Strings users type into name-, label-, version- and URL-shaped props. */
export const adversarialString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '7b', 'A', 'a_b', 'a.b', '-a', 'a-', 'a--b', 'x'.repeat(64), 'kube-system', 'default', 'default-deny',
    '$(X)', "a'b", 'a"b', 'a\nb', 'a b', '../x', 'a/b', 'a:b', 'a@b', 'https://user:pw@h/x', 'null', 'undefined',
    '010.0.0.0/8', '::1::/64', '10.0.0.0/33', '0.0.0.0/0', '61 * * * *', '@every 90x', 'TZ=Mars/Base 0 * * * *', '0s', '-1h',
    'Ti', '1.5.5Gi', '0', '-1Gi', '1e3', 'v2.14', 'latest', 'mirror/library', 'registry.example.com:5000/mirror',
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/),
  fc.string({ maxLength: 70 }),
);

/** What a JavaScript caller may pass instead of the declared type. */
export const wrongType: fc.Arbitrary<unknown> = fc.constantFrom(null, 42, -1, 1.5, true, {}, [], 'text', NaN);

/** A value that is not what the prop wants: a string typed wrong or a wrong JavaScript type. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: adversarialString }, { weight: 1, arbitrary: wrongType });

/** An optional prop: left out or valid (bad values come from {@link props}). */
export function prop<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof(fc.constant(undefined), valid);
}

/**
 * Props from valid values, then up to two of them replaced by a bad value: most cases reach
 * synthesis (where broken objects would show), the others test one refusal at a time.
 */
export function props<T extends Record<string, fc.Arbitrary<unknown>>>(shape: T): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(shape);
  return fc.tuple(fc.record(shape), fc.array(fc.tuple(fc.constantFrom(...keys), badValue), { maxLength: 2 })).map(([valid, bad]) => {
    const record: Record<string, unknown> = { ...valid, ...Object.fromEntries(bad) };
    return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
  });
}

/** Mostly valid, sometimes a bad value. */
export function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: badValue });
}

export const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);

/** Names users type: mostly RFC 1035 labels, sometimes a near miss (digit first, uppercase, a system or library name). */
export const nameLike: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: dnsLabel },
  { weight: 1, arbitrary: fc.constantFrom('7b', '0-llama', 'Llama', 'llama_', 'llama-', 'l'.repeat(64), 'a.b', 'kube-system', 'default', 'default-deny', 'harbor') },
);
export const quantity = fc.constantFrom('1Gi', '500Mi', '10Gi', '2G', '100Mi');
export const cpu = fc.constantFrom('100m', '250m', '1', '2');
export const resources = fc.record({ cpuRequest: prop(cpu), memoryRequest: prop(quantity), memoryLimit: prop(quantity) }, { requiredKeys: [] });
export const namespaceList = fc.array(dnsLabel, { maxLength: 3 });
export const labelMap = fc.dictionary(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom('team', 'example.com/tier', 'a_b', 'node.kubernetes.io/instance-type') }, { weight: 1, arbitrary: fc.constantFrom('-bad', 'x'.repeat(64), 'a/b/c') }),
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom('gpu', '', 'v1.0', 'A_b') }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(64), 'a b', '-x') }),
  { maxKeys: 2 },
);

/** Our error format: `<Construct> '<prop>': got <value>, expected <allowed>. Fix: <fix>`. */
const OUR_ERROR = /\S+ '[^']+': got [\s\S]*, expected [\s\S]+\. Fix: \S[\s\S]*/;

/** Every chart of `app` as objects, after the validations `cdk8s synth` runs (without writing files). */
function synthAll(app: App): any[] {
  const errors = app.node.findAll().flatMap((construct) => construct.node.validate());
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return app.charts.flatMap((chart) => chart.toJson());
}

/**
 * The property every public construct has: whatever the props, building and synthesizing either
 * fails with our error (construct, prop, value, allowed, fix) or yields objects that pass schema
 * validation and the API server lint.
 */
/** How the cases of the running property ended (refused, by construct and prop; synthesized). */
const outcomes = { refused: 0, synthesized: 0, byProp: {} as Record<string, number> };

/**
 * Runs a property and fails when fewer than a tenth of its cases got past validation: a property
 * whose cases are all refused would check nothing about the objects.
 */
export function expectSomeSynthesized(run: () => void): void {
  outcomes.refused = 0;
  outcomes.synthesized = 0;
  outcomes.byProp = {};
  run();
  const total = outcomes.refused + outcomes.synthesized;
  const top = Object.entries(outcomes.byProp).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${k} ${n}`).join(', ');
  if (outcomes.synthesized < total / 10) {
    throw new Error(`only ${outcomes.synthesized} of ${total} cases synthesized; most refused: ${top}`);
  }
}

export function refusedOrValid(build: (chart: Chart) => void): void {
  const app = Testing.app();
  const chart = new Chart(app, 'chart');
  let objects: any[];
  try {
    build(chart);
    objects = synthAll(app);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (error instanceof PropValidationError || OUR_ERROR.test(message)) {
      outcomes.refused++;
      const key = (error as any).prop ? `${(error as any).construct}.${(error as any).prop}` : message.slice(0, 60);
      outcomes.byProp[key] = (outcomes.byProp[key] ?? 0) + 1;
      return;
    }
    throw new Error(`not our error format: ${(error as Error)?.stack ?? message}`);
  }
  outcomes.synthesized++;
  const issues = [...validateWithVeleroCrds(objects), ...lintManifests(objects)];
  if (issues.length > 0) throw new Error(`accepted, but ${issues.length} issue(s):\n${formatIssues(issues)}`);
}

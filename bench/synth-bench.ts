/**
 * Synth benchmark (`npm run bench:synth`; prints figures, exits 1 when a requirement fails).
 *
 * Timed (wall clock, in-process, modules already loaded): `new App({ outdir: <fresh tmp dir> })`,
 * construction, `app.synth()` writing the YAML files. Removing the tmp dir is not timed.
 * - demo(n): `buildExamplePlatform(app, { inferenceServices: n })` (examples/platform.ts); demo(1) is the full demo.
 * - baseline: a plain cdk8s app with the demo's objects as raw `ApiObject`s. The demo's objects are
 *   captured once, untimed: per chart in synth order its id, its chart dependencies (as the demo ends up
 *   with them) and `chart.toJson()`. A run builds a fresh App with the same charts (same ids, same
 *   dependencies, same order) holding each object as `new ApiObject(chart, '<Kind>-<name>', manifest)`:
 *   the whole manifest as props, name and namespace in its metadata, as a user writes it. Each run gets
 *   its own deep copy of the manifests, made before the clock starts. Once, untimed, the baseline's files
 *   are compared byte for byte with the demo's (also at 100 services, in the breakdown).
 *
 * Method: warm-up runs, then N timed runs (N from a time budget, MIN_RUNS..MAX_RUNS); median, min, max;
 * ratios are of medians. Demo and baseline runs alternate, as do the 10- and 100-service runs, so other
 * load on the machine hits both sides of a ratio alike; the CPU time of the process is printed next to
 * the wall time as a check that is less sensitive to such load. No forced GC between runs: a `gc()`
 * before each run made every following run 2-3x slower. The phase breakdown comes from separate,
 * instrumented runs (exclusive times: a nested phase is not counted in its caller).
 *
 * What dominates (cdk8s 2.70.0; the printed breakdown is the current truth):
 * - On both sides, cdk8s's own synth. `App.synth()` validates the app and then calls `chart.toJson()`
 *   per chart, and each `chart.toJson()` runs resolveDependencies + validate over the WHOLE app again
 *   (7 passes for 6 charts). resolveDependencies turns every chart dependency into an edge between every
 *   pair of objects of the two charts (~3,400 edges at 1 service), and `App.charts` (once per synth)
 *   builds a graph of every construct with those edges; its per-edge cycle check (`findRoute`) and its
 *   `topology()` are depth-first walks without a visited set, so they walk every PATH: the cost is the
 *   product of the object counts along the chart chain backup-resources -> inference -> models ->
 *   registry -> storage. YAML stringify is the other large shared cost.
 * - On the demo side only: construction (~10 ms), the Lazy values resolved at synth (content-hashed Job
 *   names, sync waves, network policy peers), and a deeper construct tree: objects sit 2-3 levels below
 *   their chart (component, builder) instead of 1, so each of cdk8s's `Chart.of` lookups per dependency
 *   edge and pass walks further (~15 ms). Objects are plain ApiObjects in wire form (src/core/kube-object.ts):
 *   the typed `k8s.KubeX` classes re-mapped every object after resolve, ~20 ms of the demo's synth.
 * - Scaling: each service adds ~6 objects to the inference chart, in the middle of that chain, so
 *   `App.charts` grows linearly in services but with a large slope; the rest grows with the object count.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { Node } from 'constructs';
import { buildExamplePlatform } from '../examples/platform';

const RATIO_LIMIT = 1.3;
const SCALING_LIMIT = 11;
const MIN_RUNS = 3;
const MAX_RUNS = 25;
/** Time budget (ms) for the timed runs of a measurement; the run count follows from the warm-up times. */
const BUDGET_DEMO_VS_BASELINE_MS = 12_000;
const BUDGET_SCALING_MS = 20_000;
const WARMUP_DEMO_VS_BASELINE = 3;
const WARMUP_SCALING = 1;

// ---------------------------------------------------------------------------------------------------
// Helpers

const tmpDirs: string[] = [];
function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bench-'));
  tmpDirs.push(dir);
  return dir;
}
function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const i = tmpDirs.indexOf(dir);
  if (i >= 0) tmpDirs.splice(i, 1);
}
process.on('exit', () => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

interface Stats { readonly median: number; readonly min: number; readonly max: number; readonly runs: number }
function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}
function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
}
function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
function lpad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}
function statsLine(s: Stats): string {
  return `${lpad(ms(s.median), 8)}  (min ${ms(s.min)}, max ${ms(s.max)}, ${s.runs} runs)`;
}
function runsFor(budgetMs: number, perRunMs: number): number {
  return Math.max(MIN_RUNS, Math.min(MAX_RUNS, Math.floor(budgetMs / Math.max(perRunMs, 1))));
}

// ---------------------------------------------------------------------------------------------------
// The two sides

interface Synthesized {
  readonly app: App;
  readonly outdir: string;
  /** Wall time (ms). */
  readonly total: number;
  /** CPU time of this process (ms, user + system, all threads: GC helpers included). */
  readonly cpu: number;
}

/** Times `new App({ outdir })`, `build(app)` and `app.synth()`. */
function timedSynth(build: (app: App) => void): Synthesized {
  const outdir = freshDir();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const app = new App({ outdir });
  build(app);
  app.synth();
  const end = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  return { app, outdir, total: end - start, cpu: (cpu.user + cpu.system) / 1000 };
}

function synthDemo(services: number): Synthesized {
  return timedSynth((app) => buildExamplePlatform(app, { inferenceServices: services }));
}

interface CapturedChart {
  readonly id: string;
  readonly dependencies: string[];
  readonly objects: any[];
}

/** Per chart of a synthesized demo (in synth order): id, chart dependencies (in insertion order), objects. */
function capture(app: App): CapturedChart[] {
  return app.charts.map((chart) => {
    if (chart.node.scope !== app) throw new Error(`bench: chart ${chart.node.path} is not a child of the App`);
    const dependencies = chart.node.dependencies.map((dependency) => {
      if (!(dependency instanceof Chart)) throw new Error(`bench: chart ${chart.node.path} depends on a non-chart ${dependency.node.path}`);
      return dependency.node.id;
    });
    return { id: chart.node.id, dependencies, objects: chart.toJson() };
  });
}

/** A plain cdk8s app holding `charts`' objects as raw ApiObjects (what a user without the library writes). */
function buildBaseline(app: App, charts: CapturedChart[]): void {
  const byId = new Map<string, Chart>();
  for (const captured of charts) {
    const chart = new Chart(app, captured.id);
    for (const dependency of captured.dependencies) chart.addDependency(byId.get(dependency)!);
    byId.set(captured.id, chart);
    const ids = new Set<string>();
    for (const object of captured.objects) {
      let id = `${object.kind}-${object.metadata.name}`;
      if (ids.has(id)) id = `${id}-${object.metadata.namespace}`;
      ids.add(id);
      new ApiObject(chart, id, object);
    }
  }
}

function synthBaseline(charts: CapturedChart[]): Synthesized {
  const objects = structuredClone(charts);
  return timedSynth((app) => buildBaseline(app, objects));
}

/** Compares two output directories byte for byte; returns a description of the first difference. */
function compareOutputs(expectedDir: string, actualDir: string): { identical: boolean; detail: string } {
  const expected = fs.readdirSync(expectedDir).sort();
  const actual = fs.readdirSync(actualDir).sort();
  if (expected.join('\n') !== actual.join('\n')) {
    return { identical: false, detail: `files differ: demo [${expected.join(', ')}], baseline [${actual.join(', ')}]` };
  }
  let bytes = 0;
  for (const file of expected) {
    const a = fs.readFileSync(path.join(expectedDir, file));
    const b = fs.readFileSync(path.join(actualDir, file));
    if (!a.equals(b)) return { identical: false, detail: `${file} differs` };
    bytes += a.length;
  }
  return { identical: true, detail: `${expected.length} files, ${bytes.toLocaleString('en-US')} bytes` };
}

// ---------------------------------------------------------------------------------------------------
// Phase breakdown (instrumented runs only)

const PHASES = [
  ['construct', 'construction (new App .. last construct)'],
  ['validate', 'construct validations (without App.charts)'],
  ['charts', 'App.charts: whole-app dependency graph'],
  ['toJson', 'ApiObject.toJson: resolve + sanitize'],
  ['yaml', 'YAML stringify'],
  ['write', 'file writes'],
  ['other', 'rest: resolveDependencies, per-chart graphs'],
] as const;
type Phase = typeof PHASES[number][0];

class PhaseClock {
  public readonly totals = new Map<Phase, number>();
  public readonly calls = new Map<Phase, number>();
  private readonly stack: { start: number; nested: number }[] = [];
  private readonly restores: (() => void)[] = [];

  public add(phase: Phase, value: number): void {
    this.totals.set(phase, (this.totals.get(phase) ?? 0) + value);
  }

  /** Replaces `target[key]` by a wrapper charging its exclusive time to `phase`. */
  public wrapMethod(target: any, key: string, phase: Phase): void {
    const had = Object.prototype.hasOwnProperty.call(target, key);
    const original = target[key];
    const clock = this;
    target[key] = function (this: unknown, ...args: unknown[]) {
      return clock.time(phase, () => original.apply(this, args));
    };
    this.restores.push(() => (had ? (target[key] = original) : delete target[key]));
  }

  public wrapGetter(target: any, key: string, phase: Phase): void {
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    const clock = this;
    Object.defineProperty(target, key, {
      ...descriptor,
      get(this: unknown) {
        return clock.time(phase, () => descriptor.get!.call(this));
      },
    });
    this.restores.push(() => Object.defineProperty(target, key, descriptor));
  }

  public restore(): void {
    while (this.restores.length > 0) this.restores.pop()!();
  }

  private time<T>(phase: Phase, fn: () => T): T {
    const frame = { start: performance.now(), nested: 0 };
    this.stack.push(frame);
    try {
      return fn();
    } finally {
      this.stack.pop();
      const elapsed = performance.now() - frame.start;
      this.add(phase, elapsed - frame.nested);
      this.calls.set(phase, (this.calls.get(phase) ?? 0) + 1);
      if (this.stack.length > 0) this.stack[this.stack.length - 1].nested += elapsed;
    }
  }
}

interface Breakdown {
  readonly phases: Map<Phase, number>;
  readonly chartsCalls: number;
  readonly total: number;
}

/**
 * One instrumented synth; `prepare` (untimed) returns what constructs into the App. Returns the
 * exclusive time per phase; with `keepOutdir` the output directory is left for the caller.
 */
function instrumentedRun(prepare: () => (app: App) => void, keepOutdir?: (dir: string) => void): Breakdown {
  const build = prepare();
  const clock = new PhaseClock();
  const outdir = freshDir();
  const start = performance.now();
  const app = new App({ outdir });
  build(app);
  const built = performance.now();
  clock.add('construct', built - start);
  // toJson is overridden by the generated L1 classes (they call super.toJson()): wrap every override in use.
  const prototypes = new Set<any>();
  for (const c of app.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    for (let p = Object.getPrototypeOf(c); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      if (Object.prototype.hasOwnProperty.call(p, 'toJson')) prototypes.add(p);
    }
  }
  prototypes.forEach((p) => clock.wrapMethod(p, 'toJson', 'toJson'));
  clock.wrapMethod(Node.prototype, 'validate', 'validate');
  clock.wrapGetter(App.prototype, 'charts', 'charts');
  clock.wrapMethod(Yaml, 'stringify', 'yaml');
  clock.wrapMethod(Yaml, 'save', 'write');
  let end: number;
  try {
    app.synth();
    end = performance.now();
  } finally {
    clock.restore();
  }
  if (keepOutdir) keepOutdir(outdir);
  else removeDir(outdir);
  const total = end - start;
  const accounted = [...clock.totals.values()].reduce((a, b) => a + b, 0);
  clock.add('other', total - accounted);
  return { phases: clock.totals, chartsCalls: clock.calls.get('charts') ?? 0, total };
}

function medianBreakdown(runs: number, prepare: () => (app: App) => void): Breakdown {
  const results = Array.from({ length: runs }, () => instrumentedRun(prepare));
  const phases = new Map<Phase, number>();
  for (const [phase] of PHASES) phases.set(phase, stats(results.map((r) => r.phases.get(phase) ?? 0)).median);
  return { phases, chartsCalls: results[0].chartsCalls, total: stats(results.map((r) => r.total)).median };
}

function countObjects(charts: CapturedChart[]): number {
  return charts.reduce((sum, c) => sum + c.objects.length, 0);
}

// ---------------------------------------------------------------------------------------------------
// Main

function main(): void {
  const benchStart = performance.now();
  const cpus = os.cpus();
  const cdk8sVersion = JSON.parse(fs.readFileSync(require.resolve('cdk8s/package.json'), 'utf8')).version;
  console.log('Synth benchmark (npm run bench:synth)');
  console.log(`  node ${process.version} on ${os.platform()} ${os.arch()}, CPU ${cpus[0]?.model.trim() ?? 'unknown'} x ${cpus.length}, load average ${os.loadavg()[0].toFixed(2)} at start, cdk8s ${cdk8sVersion}`);
  console.log('  timed: in-process, modules already loaded: new App({ outdir: <tmp dir> }) -> construction -> app.synth() writing the YAML files');
  console.log('  each figure: median (min, max) of N timed runs after warm-up runs; ratios are of medians');

  // Capture the demo's objects and check that the baseline reproduces its files (untimed).
  const reference = synthDemo(1);
  const charts = capture(reference.app);
  const objectCount = countObjects(charts);
  const check = synthBaseline(charts);
  const same = compareOutputs(reference.outdir, check.outdir);
  removeDir(reference.outdir);
  removeDir(check.outdir);
  console.log();
  console.log(`Baseline: the demo's ${objectCount} objects as raw ApiObjects in ${charts.length} charts with the demo's chart dependencies:`);
  for (const c of charts) console.log(`  ${pad(c.id, 28)}${lpad(String(c.objects.length), 4)} objects${c.dependencies.length ? `, after ${c.dependencies.join(', ')}` : ''}`);
  console.log(`  output check (untimed): baseline files byte-identical to the demo's: ${same.identical ? 'yes' : 'NO'} (${same.detail})`);

  // Demo (1 service) vs baseline, interleaved.
  let warmDemo = 0;
  let warmBaseline = 0;
  for (let i = 0; i < WARMUP_DEMO_VS_BASELINE; i++) {
    const d = synthDemo(1);
    removeDir(d.outdir);
    const b = synthBaseline(charts);
    removeDir(b.outdir);
    warmDemo = d.total;
    warmBaseline = b.total;
  }
  const demo1: Synthesized[] = [];
  const baseline: Synthesized[] = [];
  const runDemo = () => { const d = synthDemo(1); demo1.push(d); removeDir(d.outdir); };
  const runBaseline = () => { const b = synthBaseline(charts); baseline.push(b); removeDir(b.outdir); };
  const pairRuns = runsFor(BUDGET_DEMO_VS_BASELINE_MS, warmDemo + warmBaseline);
  for (let i = 0; i < pairRuns; i++) {
    if (i % 2 === 0) { runDemo(); runBaseline(); } else { runBaseline(); runDemo(); }
  }
  const demoStats = stats(demo1.map((r) => r.total));
  const baselineStats = stats(baseline.map((r) => r.total));
  const ratio = demoStats.median / baselineStats.median;
  const cpuRatio = stats(demo1.map((r) => r.cpu)).median / stats(baseline.map((r) => r.cpu)).median;
  console.log();
  console.log(`Full demo vs raw-ApiObject baseline (1 inference service; ${WARMUP_DEMO_VS_BASELINE} warm-up pairs, then pairs in alternating order)`);
  console.log(`  demo      ${statsLine(demoStats)}`);
  console.log(`  baseline  ${statsLine(baselineStats)}`);
  console.log(`  ratio demo/baseline: ${ratio.toFixed(2)} (of the CPU-time medians, less sensitive to other load: ${cpuRatio.toFixed(2)})`);

  // Scaling: 10 and 100 services, interleaved (1 service is the demo above).
  const counts = [10, 100];
  const times = new Map<number, Synthesized[]>(counts.map((n) => [n, []]));
  const objectsAt = new Map<number, number>([[1, objectCount]]);
  let charts100: CapturedChart[] = [];
  let outdir100 = '';
  let warmRound = 0;
  for (let i = 0; i < WARMUP_SCALING; i++) {
    warmRound = 0;
    for (const n of counts) {
      const d = synthDemo(n);
      warmRound += d.total;
      if (n === 100 && i === 0) {
        // Kept for the breakdown's baseline(100) and its output check.
        charts100 = capture(d.app);
        outdir100 = d.outdir;
      } else {
        removeDir(d.outdir);
      }
      objectsAt.set(n, d.app.node.findAll().filter((c) => c instanceof ApiObject).length);
    }
  }
  const rounds = runsFor(BUDGET_SCALING_MS, warmRound);
  for (let i = 0; i < rounds; i++) {
    for (const n of i % 2 === 0 ? counts : [...counts].reverse()) {
      const d = synthDemo(n);
      times.get(n)!.push(d);
      removeDir(d.outdir);
    }
  }
  const scaling = new Map<number, Stats>([[1, demoStats], ...counts.map((n): [number, Stats] => [n, stats(times.get(n)!.map((r) => r.total))])]);
  const growth = scaling.get(100)!.median / scaling.get(10)!.median;
  const cpuMedian = (n: number) => stats(times.get(n)!.map((r) => r.cpu)).median;
  console.log();
  console.log(`Scaling: demo with n llama.cpp services (${WARMUP_SCALING} warm-up round, then rounds of 10 and 100 in alternating order; n=1 is the demo above)`);
  for (const [n, s] of scaling) {
    console.log(`  n=${pad(String(n), 4)} ${lpad(String(objectsAt.get(n)), 4)} objects  ${statsLine(s)}`);
  }
  const perService = (scaling.get(100)!.median - scaling.get(10)!.median) / 90;
  console.log(`  time(100)/time(10): ${growth.toFixed(2)} (CPU time: ${(cpuMedian(100) / cpuMedian(10)).toFixed(2)}; objects x${(objectsAt.get(100)! / objectsAt.get(10)!).toFixed(2)}); per added service from 10 to 100: ${ms(perService)}`);

  // Where the time goes (instrumented, separate runs).
  let check100 = { identical: false, detail: 'not run' };
  const columns: [string, Breakdown][] = [
    ['demo(1)', medianBreakdown(3, () => (app) => buildExamplePlatform(app))],
    ['baseline(1)', medianBreakdown(3, () => { const copy = structuredClone(charts); return (app) => buildBaseline(app, copy); })],
    ['demo(10)', medianBreakdown(1, () => (app) => buildExamplePlatform(app, { inferenceServices: 10 }))],
    ['demo(100)', medianBreakdown(1, () => (app) => buildExamplePlatform(app, { inferenceServices: 100 }))],
    ['baseline(100)', instrumentedRun(() => { const copy = structuredClone(charts100); return (app) => buildBaseline(app, copy); }, (dir) => {
      check100 = compareOutputs(outdir100, dir);
      removeDir(dir);
    })],
  ];
  removeDir(outdir100);
  console.log();
  console.log('Where the time goes: exclusive ms per phase, from separate instrumented runs (median of 3 for n=1, one run otherwise)');
  const width = 50;
  const col = 14;
  console.log(`  ${pad('phase', width)}${columns.map(([name]) => lpad(name, col)).join('')}`);
  for (const [phase, label] of PHASES) {
    console.log(`  ${pad(label, width)}${columns.map(([, b]) => lpad((b.phases.get(phase) ?? 0).toFixed(0), col)).join('')}`);
  }
  console.log(`  ${pad('total (instrumented)', width)}${columns.map(([, b]) => lpad(b.total.toFixed(0), col)).join('')}`);
  console.log(`  ${pad('App.charts calls per synth', width)}${columns.map(([, b]) => lpad(String(b.chartsCalls), col)).join('')}`);
  console.log(`  baseline(100): the demo(100) objects as raw ApiObjects; files byte-identical to demo(100)'s: ${check100.identical ? 'yes' : 'NO'} (${check100.detail})`);

  // Requirements.
  console.log();
  const results = [
    { ok: same.identical, text: 'baseline output byte-identical to the demo\'s' },
    { ok: ratio <= RATIO_LIMIT, text: `ratio demo/baseline ${ratio.toFixed(3)} <= ${RATIO_LIMIT}` },
    { ok: growth <= SCALING_LIMIT, text: `time(100)/time(10) ${growth.toFixed(3)} <= ${SCALING_LIMIT}` },
  ];
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.text}`);
  console.log(`(bench wall time ${((performance.now() - benchStart) / 1000).toFixed(0)} s, load average ${os.loadavg()[0].toFixed(2)} at the end)`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

main();

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { CodeBlock, Program, ROOT, codeBlocks, compilerOptions, documentationFiles, programs, runnable } from './snippets';
import { useRecordingMocks } from '../pulumi/mocks';
import { formatIssues, validateWithVeleroCrds } from '../validation';
import { lintManifests } from '../validation/lint';

// Pulumi blocks run against Pulumi's mocks (no engine, no cluster); their objects are what the
// ConfigGroups were given.
const registered = useRecordingMocks();

/** The objects handed to ConfigGroups registered after `from`, once registrations stop (at most 10 s). */
async function pulumiObjects(from: number): Promise<any[]> {
  const groups = () => registered.slice(from).filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
  for (let stable = 0, last = -1, i = 0; stable < 5 && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    stable = groups().length === last ? stable + 1 : 0;
    last = groups().length;
  }
  return groups().flatMap((r) => r.inputs.objs ?? []);
}

const PROGRAMS = programs();
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-snippets-'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

/** Where each program wrote its files (`dist/` of its own folder), once it ran. */
const outputs = new Map<string, string>();

/** Runs `program` in a folder of its own, as `npx ts-node program.ts` there would; returns that folder. */
async function run(program: Program): Promise<string> {
  const folder = path.join(WORK, program.name.replace(/[^A-Za-z0-9-]+/g, '_'));
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'program.js');
  fs.writeFileSync(file, runnable(program));
  const before = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = path.join(folder, 'dist');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file);
    // Pulumi programs export Outputs: wait until each has a value.
    await Promise.all(Object.values(exported).map((value: any) => (typeof value?.apply === 'function' ? new Promise((resolve) => value.apply(resolve)) : value)));
  } finally {
    if (before === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = before;
  }
  return folder;
}

function objectsIn(dist: string): any[] {
  if (!fs.existsSync(dist)) return [];
  return fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map((d) => d.toJSON()).filter((o) => o));
}

describe('every TypeScript block of README.md and docs/ type-checks with --strict and runs', () => {
  test('the programs (each block belongs to exactly one)', () => {
    const blocks = documentationFiles().flatMap(codeBlocks).filter((b) => b.language === 'ts');
    expect(PROGRAMS.flatMap((p) => p.blocks).map((b) => b.where).sort()).toEqual(blocks.map((b) => b.where).sort());
    // Listed in the test output, as the closing note of a change names them.
    process.stdout.write(`documentation programs:\n${PROGRAMS.map((p) => `  ${p.name}: ${p.blocks.map((b) => b.where).join(', ')}`).join('\n')}\n`);
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(5);
  });

  test('type-check (strict, against the package entry points)', () => {
    const files = PROGRAMS.map((program) => {
      const file = path.join(WORK, `${program.name.replace(/[^A-Za-z0-9-]+/g, '_')}.ts`);
      fs.writeFileSync(file, program.source);
      return file;
    });
    const compiled = ts.createProgram(files, compilerOptions());
    const diagnostics = ts.getPreEmitDiagnostics(compiled).filter((d) => d.file === undefined || files.includes(d.file.fileName));
    const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => WORK, getNewLine: () => '\n' });
    expect(text).toBe('');
  }, 120_000);

  test.each(PROGRAMS.map((p) => [p.name, p] as const))('%s runs and writes valid objects', async (_, program) => {
    const from = registered.length;
    const folder = await run(program);
    outputs.set(program.name, folder);
    const pulumi = program.source.includes("from 'cnai-model-platform/pulumi'");
    const objects = pulumi ? await pulumiObjects(from) : objectsIn(path.join(folder, 'dist'));
    if (pulumi || program.source.includes('.synth()')) expect(objects.length).toBeGreaterThan(0);
    const issues = [...validateWithVeleroCrds(objects), ...lintManifests(objects)];
    expect(formatIssues(issues)).toBe('');
    // File names the program mentions in its comments are files it writes.
    const written = fs.existsSync(path.join(folder, 'dist')) ? fs.readdirSync(path.join(folder, 'dist')) : [];
    for (const named of program.source.match(/\b\d{4}-[a-z0-9-]+\.k8s\.yaml\b/g) ?? []) expect(written).toContain(named);
  }, 60_000);
});

describe('apply commands name files the documented code writes', () => {
  const applying: CodeBlock[] = documentationFiles().flatMap(codeBlocks).filter((b) => b.language === 'sh' && /kubectl apply[^\n]*-f\s+"?dist\//.test(b.code));

  test('every block that applies dist/ files says which program wrote them', () => {
    expect(applying.length).toBeGreaterThanOrEqual(2);
    for (const block of applying) {
      expect([block.where, block.marker?.kind]).toEqual([block.where, 'applies']);
      expect(PROGRAMS.map((p) => p.name)).toContain(block.marker!.name);
    }
  });

  test.each(applying.map((b) => [b.where, b] as const))('%s', (_, block) => {
    const folder = outputs.get(block.marker!.name);
    expect(folder).toBeDefined();
    const globs = [...block.code.matchAll(/(dist\/[^\s";]+)/g)].map((m) => m[1]);
    expect(globs.length).toBeGreaterThan(0);
    for (const glob of globs) {
      // The shell expands the pattern as it would for the user, in the folder that holds dist/.
      const matched = execFileSync('bash', ['-c', `shopt -s nullglob; for f in ${glob}; do echo "$f"; done`], { cwd: folder, encoding: 'utf8' }).trim();
      expect([glob, matched.length > 0]).toEqual([glob, true]);
    }
  });
});

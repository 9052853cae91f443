import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'pulumi', 'index.ts');

/** The compiler options of a tsconfig.json, failing on any error in it. */
function compilerOptions(configFile: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${configFile}`);
  expect(parsed.errors.map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  return parsed.options;
}

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: f => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

// The Pulumi program in examples/pulumi is not part of any compile, so its types are checked here:
// against src/ (as the Pulumi program sees lib/ after `npm run build`), with the root tsconfig's strictness.
test('examples/pulumi/index.ts type-checks against the package', () => {
  // The program's own tsconfig is valid and covers index.ts.
  const exampleConfig = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'examples', 'pulumi', 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined,
  });
  expect(exampleConfig?.errors).toEqual([]);
  expect(exampleConfig?.fileNames).toEqual([EXAMPLE]);
  expect(exampleConfig?.options.strict).toBe(true);

  const options: ts.CompilerOptions = {
    ...compilerOptions(path.join(ROOT, 'tsconfig.json')),
    // The root config compiles src/ to lib/; here nothing is emitted and files live outside src/.
    rootDir: undefined,
    outDir: undefined,
    declaration: false,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    // The package's own names, resolved to the sources (package.json `exports` would need lib/).
    paths: {
      'cnai-model-platform': [path.join(ROOT, 'src', 'index.ts')],
      'cnai-model-platform/pulumi': [path.join(ROOT, 'src', 'pulumi', 'index.ts')],
    },
  };
  expect(options.strict).toBe(true);
  const program = ts.createProgram([EXAMPLE], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  expect(format(diagnostics)).toBe('');

  // The names really resolved to src/ (not to a stale lib/).
  const files = program.getSourceFiles().map(f => path.relative(ROOT, f.fileName));
  expect(files).toEqual(expect.arrayContaining(['src/index.ts', 'src/pulumi/index.ts', 'src/pulumi/model-platform.ts', 'examples/platform.ts']));
  expect(files.some(f => f.startsWith('lib/'))).toBe(false);
}, 60_000);

/**
 * The TypeScript blocks of the README and docs/ as programs: a block is a program of its own, or
 * part of a named program when the line before its fence is `<!-- snippet: <name> -->` (the blocks
 * of one name, in document order, are one file). Shell blocks that apply synthesized files say
 * which program wrote them with `<!-- applies: <name> -->`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The Markdown files whose blocks are checked. */
export function documentationFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

export interface CodeBlock {
  /** `README.md:107`: file and line of the opening fence. */
  readonly where: string;
  readonly language: string;
  readonly code: string;
  /** From `<!-- snippet: x -->` or `<!-- applies: x -->` on the line before the fence. */
  readonly marker?: { readonly kind: 'snippet' | 'applies'; readonly name: string };
}

/** Every fenced block of `file` (relative to the repository). */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const markerLine = /^<!-- (snippet|applies): ([a-z0-9-]+) -->$/.exec(lines[i - 1] ?? '');
    blocks.push({
      where: `${file}:${i + 1}`,
      language: open[1],
      code: lines.slice(i + 1, end).join('\n'),
      marker: markerLine ? { kind: markerLine[1] as 'snippet' | 'applies', name: markerLine[2] } : undefined,
    });
    i = end;
  }
  return blocks;
}

export interface Program {
  readonly name: string;
  readonly blocks: CodeBlock[];
  /** One TypeScript file: the blocks' imports merged at the top, then their statements in order. */
  readonly source: string;
}

/** The TypeScript programs of the documentation: named groups and single blocks. */
export function programs(): Program[] {
  const tsBlocks = documentationFiles().flatMap(codeBlocks).filter((b) => b.language === 'ts' || b.language === 'typescript');
  const groups = new Map<string, CodeBlock[]>();
  for (const block of tsBlocks) {
    const name = block.marker?.kind === 'snippet' ? block.marker.name : block.where;
    groups.set(name, [...(groups.get(name) ?? []), block]);
  }
  return [...groups].map(([name, blocks]) => ({ name, blocks, source: joinBlocks(blocks) }));
}

/**
 * The blocks as one file. Each block shows its own imports (readers start anywhere); the same
 * name imported by two blocks is one import here, and any other duplicate declaration is an error
 * the compiler reports.
 */
function joinBlocks(blocks: CodeBlock[]): string {
  const imports = new Map<string, Set<string>>();
  const bodies: string[] = [];
  for (const block of blocks) {
    const file = ts.createSourceFile('block.ts', block.code, ts.ScriptTarget.ES2020, true);
    let body = block.code;
    for (const statement of [...file.statements].reverse()) {
      if (!ts.isImportDeclaration(statement)) continue;
      const module = (statement.moduleSpecifier as ts.StringLiteral).text;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.name) {
        throw new Error(`${block.where}: only named imports are supported in documentation blocks`);
      }
      const names = imports.get(module) ?? new Set<string>();
      for (const element of bindings.elements) names.add(element.getText(file));
      imports.set(module, names);
      body = body.slice(0, statement.getStart(file)) + body.slice(statement.getEnd());
    }
    bodies.push(`// ${block.where}\n${body.trim()}`);
  }
  const header = [...imports].map(([module, names]) => `import { ${[...names].join(', ')} } from '${module}';`);
  return `${header.join('\n')}\n\n${bodies.join('\n\n')}\n`;
}

/**
 * The compiler options of a new cdk8s project (`cdk8s init typescript-app`, cdk8s-cli 2.207.60:
 * its tsconfig.json, TypeScript 5.9), so a block copied into its `main.ts` compiles there too; the
 * package names resolve to src/.
 */
export function compilerOptions(): ts.CompilerOptions {
  return {
    alwaysStrict: true,
    experimentalDecorators: true,
    lib: ['lib.es2016.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    target: ts.ScriptTarget.ES2017,
    noEmit: true,
    ignoreDeprecations: '6.0',
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    paths: {
      'cnai-model-platform': [path.join(ROOT, 'src', 'index.ts')],
      'cnai-model-platform/pulumi': [path.join(ROOT, 'src', 'pulumi', 'index.ts')],
      '*': [path.join(ROOT, 'node_modules', '*')],
    },
  };
}

/**
 * The program as CommonJS that runs from any folder: the package names point at src/ and every
 * other module at the repository's node_modules (the same instances the library uses).
 */
export function runnable(program: Program): string {
  const commonJs = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true };
  const js = ts.transpileModule(program.source, { compilerOptions: commonJs }).outputText;
  return js.replace(/require\("([^"]+)"\)/g, (_, specifier: string) => {
    const resolved = specifier === 'cnai-model-platform' ? path.join(ROOT, 'src', 'index.ts')
      : specifier === 'cnai-model-platform/pulumi' ? path.join(ROOT, 'src', 'pulumi', 'index.ts')
        : require.resolve(specifier, { paths: [ROOT] });
    return `require(${JSON.stringify(resolved)})`;
  });
}

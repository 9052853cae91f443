import * as fs from 'fs';
import * as path from 'path';

// The README's Python, Java and Go blocks are excerpts of the example programs that
// `npm run test:languages` runs: every line (but `# ...` / `// ...` elisions) appears in the
// example, in the same order, so an excerpt cannot drift from a program that works.
const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES: Record<string, string> = {
  python: 'examples/python/main.py',
  java: 'examples/java/src/main/java/com/example/Main.java',
  go: 'examples/go/main.go',
};

function blocks(language: string): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]);
}

/** The first line of `excerpt` that is not found after the previous one in `program`, or undefined. */
export function firstMissingLine(excerpt: string, program: string): string | undefined {
  const lines = program.split('\n').map((line) => line.trim());
  let at = 0;
  for (const line of excerpt.split('\n').map((l) => l.trim())) {
    if (line === '' || line === '# ...' || line === '// ...') continue;
    const found = lines.indexOf(line, at);
    if (found < 0) return line;
    at = found + 1;
  }
  return undefined;
}

describe.each(Object.entries(EXAMPLES))('README %s block', (language, example) => {
  test(`is an excerpt of ${example}`, () => {
    const found = blocks(language);
    expect(found.length).toBeGreaterThan(0);
    const program = fs.readFileSync(path.join(ROOT, example), 'utf8');
    for (const block of found) expect(firstMissingLine(block, program)).toBeUndefined();
  });
});

test('an excerpt line the program lacks, or one out of order, is reported', () => {
  expect(firstMissingLine('a\n# ...\nc', 'a\nb\nc')).toBeUndefined();
  expect(firstMissingLine('a\nx', 'a\nb')).toBe('x');
  expect(firstMissingLine('b\na', 'a\nb')).toBe('a');
});

/**
 * Host programs that script tests run for real (htpasswd, openssl, shellcheck, busybox...).
 *
 * A test that needs a missing program is skipped with the reason and the package to install, so
 * `npm test` works on a bare machine; under CI (`CI=true`, set by .ci/run, which installs them) it
 * runs and fails instead: no tier is ever skipped in CI for a missing tool.
 */
import { spawnSync } from 'child_process';

/** Absolute path of a program on the host's PATH, if any. */
export function hostTool(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Whether missing tools fail the run instead of skipping tests (read when asked: tests may set CI). */
export function toolsRequired(): boolean {
  return process.env.CI === 'true';
}

/** The tools of `packages` (tool -> Debian package) that the host lacks. */
function missing(packages: Record<string, string>): string[] {
  return Object.keys(packages).filter((tool) => hostTool(tool) === undefined);
}

function reasonFor(packages: Record<string, string>, absent: string[]): string {
  return `skipped: ${absent.join(', ')} not installed (apt-get install ${[...new Set(absent.map((t) => packages[t]))].join(' ')})`;
}

/**
 * `test`, or a skipped test naming what to install when a tool is missing (outside CI).
 *
 * @param packages the tools the test runs, each with the Debian package that provides it
 */
export function testWithTools(packages: Record<string, string>): jest.It {
  const absent = missing(packages);
  if (absent.length === 0 || toolsRequired()) return test;
  const reason = reasonFor(packages, absent);
  return ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => test.skip(`${name} (${reason})`, fn, timeout)) as unknown as jest.It;
}

/** `describe`, or a skipped one naming what to install (outside CI); see {@link testWithTools}. */
export function describeWithTools(packages: Record<string, string>): jest.Describe {
  const absent = missing(packages);
  if (absent.length === 0 || toolsRequired()) return describe;
  const reason = reasonFor(packages, absent);
  return ((name: string, fn: jest.EmptyFunction) => describe.skip(`${name} (${reason})`, fn)) as unknown as jest.Describe;
}

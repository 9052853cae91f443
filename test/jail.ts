/**
 * PATH jail: runs a container script with nothing on PATH but the executables its image declares
 * (`PlatformImage.contents.executables`), each backed by a host tool of the same kind:
 *
 *   busybox applet   a link `<applet>` -> the host busybox (Debian's busybox dispatches on the name)
 *   toybox applet    a link `<applet>` -> the host toybox
 *   GNU coreutils    the host's GNU tool (checked with --version)
 *   bash             the host bash (as `sh` it runs in POSIX mode, like Photon's /bin/sh)
 *   python3          the host's real python3 in /usr/bin (never a version-manager shim)
 *   OS package       the host tool of that name (curl, openssl, htpasswd ...)
 *   the image's own  only when the test gives a stand-in (fake oras, fake weed ...)
 *
 * A test may also replace a declared tool by a stand-in (e.g. a `sleep` that only records), never
 * add an undeclared one: a script that calls anything else fails with "not found", as it would in
 * the image. Stand-ins run with the host PATH: they simulate programs, not the image.
 *
 * When this machine lacks a host tool, {@link imageJail} returns a reason to skip; with CI=true it
 * throws instead, so CI never skips silently (.ci/run installs the tools).
 */
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { toolsRequired } from './host-tools';
import { ExecutableProvider, ImageExecutable, PlatformImage } from '../src';

/** Where host tools are taken from: system directories only, never the caller's PATH. */
const HOST_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** The image each container script runs in (file name under src/<component>/scripts/). */
export const CONTAINER_SCRIPT_IMAGES: { readonly [script: string]: PlatformImage } = {
  'create-buckets.sh': PlatformImage.SEAWEEDFS,
  'build-identities.sh': PlatformImage.SEAWEEDFS,
  'import-model.sh': PlatformImage.ORAS,
  'download-model.sh': PlatformImage.CURL,
  // Sourced by import-model.sh and download-model.sh: their tests run it in both images' jails.
  'import-lib.sh': PlatformImage.ORAS,
  'model-cache.sh': PlatformImage.ORAS,
  'bootstrap-secrets.sh': PlatformImage.HARBOR_PREPARE,
  'harbor-setup.sh': PlatformImage.HARBOR_PREPARE,
  'backup-when-ready.sh': PlatformImage.HARBOR_PREPARE,
};

export interface JailOptions {
  /**
   * Host files that replace declared executables, by command name: the image's own binary (which
   * the host does not have) or a tool the test must control. A name the image does not declare is
   * an error.
   */
  readonly standIns?: { readonly [name: string]: string };
  /** Declared executables to leave out, to test how a script copes without them. */
  readonly omit?: string[];
  /**
   * Directories host tools are taken from (the jail's own tests point this at an empty directory).
   * @default /usr/bin, /bin, /usr/sbin, /sbin
   */
  readonly hostDirs?: string[];
}

export interface JailRunOptions {
  readonly env?: { readonly [name: string]: string };
  readonly cwd?: string;
  readonly input?: string;
  /** @default 60_000 */
  readonly timeout?: number;
}

/** A host tool the jail could not find. */
export class MissingHostTool extends Error {}

/** The command name of a declared executable (scripts call tools by name through PATH). */
export function commandName(executable: ImageExecutable): string {
  return path.posix.basename(executable.path);
}

function hostTool(hostDirs: string[], name: string): string | undefined {
  for (const dir of hostDirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const appletLists = new Map<string, Set<string>>();

/** Applets of a multi-call binary (`busybox --list`; toybox prints its list without arguments). */
function applets(binary: string, args: string[]): Set<string> {
  const known = appletLists.get(binary);
  if (known) return known;
  const list = new Set(spawnSync(binary, args, { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean));
  appletLists.set(binary, list);
  return list;
}

/**
 * Debian's busybox is built without `flock`; Alpine's has it. The substitute accepts only busybox
 * flock's options (`-s -x -u -n`, no `-w`) and hands the call to util-linux flock, so a script
 * meets exactly the Alpine interface.
 */
function busyboxFlockSubstitute(hostDirs: string[], target: string): void {
  const utilLinux = hostTool(hostDirs, 'flock');
  if (!utilLinux) throw new MissingHostTool('flock: Debian\'s busybox has no flock applet and util-linux flock is not installed either');
  fs.writeFileSync(target, [
    '#!/bin/sh',
    '# busybox flock: [-sxun] FD | FILE [-c] PROG ARGS; anything else is an error, as on Alpine.',
    'for a in "$@"; do',
    '  case "$a" in -s | -x | -u | -n) ;; -*) echo "flock: unrecognized option: ${a#-}" >&2; exit 1 ;; esac',
    'done',
    `exec ${utilLinux} "$@"`,
    '',
  ].join('\n'), { mode: 0o755 });
}

/** Creates `<dir>/<name>` for one declared executable from the host; throws MissingHostTool. */
function linkHostTool(hostDirs: string[], dir: string, executable: ImageExecutable): void {
  const hostFile = (tool: string) => hostTool(hostDirs, tool);
  const name = commandName(executable);
  const target = path.join(dir, name);
  const need = (file: string | undefined, what: string): string => {
    if (!file) throw new MissingHostTool(`${name}: ${what}`);
    return file;
  };
  switch (executable.provider) {
    case ExecutableProvider.BUSYBOX: {
      const busybox = need(hostFile('busybox'), 'busybox is not installed (apt-get install busybox)');
      if (applets(busybox, ['--list']).has(name)) fs.symlinkSync(busybox, target);
      else if (name === 'flock') busyboxFlockSubstitute(hostDirs, target);
      else throw new MissingHostTool(`${name}: the host busybox has no ${name} applet`);
      return;
    }
    case ExecutableProvider.TOYBOX: {
      const toybox = need(hostFile('toybox'), 'toybox is not installed (apt-get install toybox)');
      if (!applets(toybox, []).has(name)) throw new MissingHostTool(`${name}: the host toybox has no ${name} applet`);
      fs.symlinkSync(toybox, target);
      return;
    }
    case ExecutableProvider.GNU_COREUTILS: {
      const tool = need(hostFile(name), 'not installed (GNU coreutils)');
      const version = spawnSync(tool, ['--version'], { encoding: 'utf8' }).stdout ?? '';
      if (!version.includes('GNU coreutils')) throw new MissingHostTool(`${name}: ${tool} is not GNU coreutils`);
      fs.symlinkSync(tool, target);
      return;
    }
    case ExecutableProvider.BASH:
      fs.symlinkSync(need(hostFile('bash'), 'bash is not installed'), target);
      return;
    case ExecutableProvider.PYTHON3:
      // The real interpreter, not a link a version manager may redirect.
      fs.symlinkSync(fs.realpathSync(need(hostFile('python3'), 'python3 is not installed (apt-get install python3)')), target);
      return;
    case ExecutableProvider.OS_PACKAGE:
      fs.symlinkSync(need(hostFile(name), `not installed on this machine (needed as the image's ${executable.path})`), target);
      return;
    case ExecutableProvider.IMAGE:
      // The image's own program exists only as a stand-in the test provides.
      return;
    default:
      throw new Error(`jail: no host equivalent for provider ${executable.provider} of ${executable.path}`);
  }
}

/** A directory standing in for one image's PATH. */
export class Jail {
  /**
   * Builds the jail for `image`.
   * @throws MissingHostTool when this machine lacks a tool the image declares
   */
  public static create(image: PlatformImage, options: JailOptions = {}): Jail {
    const declared = new Map(image.contents.executables.map((e) => [commandName(e), e]));
    for (const name of [...Object.keys(options.standIns ?? {}), ...(options.omit ?? [])]) {
      if (!declared.has(name)) {
        throw new Error(`jail: the ${image.key} image does not declare '${name}' (declared: ${[...declared.keys()].join(' ')}); ` +
          'a stand-in may only replace a declared executable');
      }
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `jail-${image.key}-`));
    try {
      const hostPath = [path.dirname(process.execPath), ...(process.env.PATH ?? '/usr/bin:/bin').split(':')].join(':');
      for (const [name, executable] of declared) {
        if (options.omit?.includes(name)) continue;
        const standIn = options.standIns?.[name];
        if (standIn !== undefined) {
          fs.chmodSync(standIn, 0o755); // git may drop the executable bit
          // exec keeps the process id: a stand-in's parent is the script, as for the real program.
          fs.writeFileSync(path.join(dir, name), `#!/bin/sh\nPATH=${shellQuote(hostPath)}\nexport PATH\nexec ${shellQuote(standIn)} "$@"\n`, { mode: 0o755 });
        } else {
          linkHostTool(options.hostDirs ?? HOST_DIRS, dir, executable);
        }
      }
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return new Jail(image, dir);
  }

  private constructor(public readonly image: PlatformImage, public readonly dir: string) {}

  /** The command names on this jail's PATH. */
  public get commands(): string[] {
    return fs.readdirSync(this.dir).sort();
  }

  /** The jail's `sh`, to run scripts with (`<jail>/sh script.sh`). */
  public get shell(): string {
    const sh = path.join(this.dir, 'sh');
    if (!fs.existsSync(sh)) throw new Error(`jail: the ${this.image.key} image declares no sh, so no script can run in it`);
    return sh;
  }

  /** Runs `script` with the jail's sh and PATH set to the jail only. */
  public run(script: string, args: string[] = [], options: JailRunOptions = {}): SpawnSyncReturns<string> {
    const result = spawnSync(this.shell, [script, ...args], {
      env: { ...options.env, PATH: this.dir },
      cwd: options.cwd,
      input: options.input,
      encoding: 'utf8',
      timeout: options.timeout ?? 60_000,
    });
    if (result.error) throw result.error;
    return result;
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The jail for `image`, or a one-line reason to skip when this machine lacks a host tool. With
 * CI=true a missing tool throws: the test file fails instead of skipping.
 */
export function imageJail(image: PlatformImage, options: JailOptions = {}): { jail?: Jail; skipReason?: string } {
  try {
    return { jail: Jail.create(image, options) };
  } catch (e) {
    if (!(e instanceof MissingHostTool)) throw e;
    const reason = `the ${image.key} image's ${e.message}`;
    if (toolsRequired()) throw new Error(`CI=true and ${reason}: install the host tools (.ci/run does)`);
    process.stderr.write(`[jail] skipped: ${reason}\n`);
    return { skipReason: reason };
  }
}

/** {@link imageJail} for the image a container script runs in ({@link CONTAINER_SCRIPT_IMAGES}). */
export function scriptJail(script: string, options: JailOptions = {}): { jail?: Jail; skipReason?: string } {
  const image = CONTAINER_SCRIPT_IMAGES[script];
  if (!image) throw new Error(`jail: no image recorded for ${script} in CONTAINER_SCRIPT_IMAGES`);
  return imageJail(image, options);
}

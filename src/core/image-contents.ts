/**
 * What the platform relies on inside each catalog image: its base, default user, entrypoint and
 * the executables our containers call. A mirror or a custom build of an image must keep these.
 *
 * Every fact names where it was read, as `owner/repo@ref:path#Lx-Ly` at the pinned tag.
 */

/** What provides an executable inside an image. */
export enum ExecutableProvider {
  /** A busybox applet (Alpine images: `/bin/sh` is busybox ash). */
  BUSYBOX = 'busybox',
  /** A toybox applet (Photon's `toybox` package). */
  TOYBOX = 'toybox',
  /** GNU coreutils (Photon's `coreutils` package). */
  GNU_COREUTILS = 'gnu-coreutils',
  /** GNU bash (Photon: `/bin/sh` is bash, run in POSIX mode). */
  BASH = 'bash',
  /** CPython 3 with its standard library. */
  PYTHON3 = 'python3',
  /** Another distribution package (curl, openssl, htpasswd, nginx, redis ...). */
  OS_PACKAGE = 'os-package',
  /** A program the image's own Dockerfile copies in (the component's binary or entrypoint script). */
  IMAGE = 'image',
}

/** One executable the platform calls inside an image. */
export interface ImageExecutable {
  /**
   * Absolute path in the upstream image. Scripts call tools by name through PATH; the name is the
   * last path segment.
   */
  readonly path: string;

  /** What provides it. */
  readonly provider: ExecutableProvider;

  /** Where this was read (`owner/repo@ref:path#Lx-Ly`). */
  readonly sources: string[];

  /**
   * Anything a replacement must keep (e.g. "runs as `sh` in POSIX mode").
   *
   * @default - nothing beyond the provider
   */
  readonly note?: string;
}

/** The user an image runs as when the pod does not set one. */
export interface ImageUser {
  /**
   * Numeric user id.
   *
   * @default - not set by the image's Dockerfile (inherited from its base)
   */
  readonly uid?: number;

  /**
   * Numeric group id.
   *
   * @default - not set by the image's Dockerfile
   */
  readonly gid?: number;

  /**
   * User name in the image's /etc/passwd.
   *
   * @default - no name (a bare uid, or not set)
   */
  readonly name?: string;

  /** Where this was read (`owner/repo@ref:path#Lx-Ly`). */
  readonly sources: string[];
}

/** The facts about one catalog image the library relies on. */
export interface ImageContents {
  /** The image it is built `FROM` (as written in its Dockerfile). */
  readonly base: string;

  /** Where the base was read. */
  readonly baseSources: string[];

  /** Default user. Every pod of the platform also sets `runAsUser` explicitly. */
  readonly user: ImageUser;

  /** `ENTRYPOINT`, empty when the image has none. */
  readonly entrypoint: string[];

  /** `CMD`, empty when the image has none. */
  readonly cmd: string[];

  /**
   * `WORKDIR`.
   *
   * @default - `/`
   */
  readonly workingDir?: string;

  /** Where `ENTRYPOINT`, `CMD` and `WORKDIR` were read. */
  readonly startSources: string[];

  /**
   * Every executable our containers call in this image: `command[0]` (or the entrypoint), the
   * shell of our scripts and every tool the scripts call. Shell builtins (`echo`, `printf`, `[`,
   * `test`, `read`, `command`) are not listed.
   */
  readonly executables: ImageExecutable[];

  /**
   * Caveats a mirror or a rebuild should know.
   *
   * @default - none
   */
  readonly notes?: string;
}

/** `[major, minor]` of a SeaweedFS release such as `3.73` or `3.73_large_disk`: undefined when it is not one. */
export function seaweedFSRelease(version: string): [number, number] | undefined {
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)(?:$|[._-])/.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Whether `version` (a parsable release) is older than `major.minor`. */
export function seaweedFSOlderThan(version: string, major: number, minor: number): boolean {
  const release = seaweedFSRelease(version);
  if (release === undefined) throw new Error(`not a SeaweedFS release: ${version}`);
  return release[0] < major || (release[0] === major && release[1] < minor);
}

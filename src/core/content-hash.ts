import { createHash } from 'crypto';

/**
 * `<base>-<first 8 hex of sha256(parts joined by NUL)>`: the name of an object whose content is
 * immutable once created (a Job's pod template), so that changed content yields a new object
 * instead of a rejected update, and unchanged content keeps its name across synths.
 */
export function contentHashedName(base: string, ...parts: string[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\0');
    hash.update(part);
  });
  return `${base}-${hash.digest('hex').slice(0, 8)}`;
}

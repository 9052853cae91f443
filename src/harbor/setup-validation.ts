/**
 * Input checks of the Harbor setup (projects, robot accounts, rules). Internal: not part of the
 * jsii surface. Every name and pattern accepted here is safe to write unescaped into the setup
 * spec, into JSON request bodies and into Kubernetes object names derived from it.
 */
import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/**
 * Project and robot names as Harbor's API checks them: `^[a-z0-9]+(?:[._-][a-z0-9]+)*$`
 * (H src/pkg/project/manager.go `restrictedNameChars`, src/server/v2.0/handler/robot.go
 * `validateName`). Projects are 1-255 characters.
 */
export const HARBOR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** A project or robot name per Harbor's rules. */
export function requireHarborName(ctx: PropContext, value: string, what: 'project' | 'robot', maxLength = 255): string {
  if (typeof value !== 'string' || value.length > maxLength || !HARBOR_NAME.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: `a Harbor ${what} name: 1-${maxLength} lowercase letters and digits, in groups joined by single '.', '_' or '-'`,
      fix: `use a name such as "${what === 'project' ? 'ml-models' : 'puller'}"`,
    });
  }
  return value;
}

const TAG_PATTERN = /^[A-Za-z0-9._*?{},-]{1,255}$/;
const REPOSITORY_PATTERN = /^[A-Za-z0-9._*?{},/-]{1,255}$/;

function requirePattern(ctx: PropContext, value: string, pattern: RegExp, chars: string, example: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw propError({ ...ctx, value, allowed: `a doublestar pattern of 1-255 characters: ${chars}`, fix: `use a pattern such as "${example}" or "**"` });
  }
  return value;
}

/** A doublestar pattern over tags, e.g. `v*`. Brackets and quotes are left out on purpose. */
export function requireTagPattern(ctx: PropContext, value: string): string {
  return requirePattern(ctx, value, TAG_PATTERN, "letters, digits and '. _ - * ? { } ,'", 'v*');
}

/** A doublestar pattern over repository paths inside a project, e.g. `team-a/**`. */
export function requireRepositoryPattern(ctx: PropContext, value: string): string {
  return requirePattern(ctx, value, REPOSITORY_PATTERN, "letters, digits and '. _ - * ? { } , /'", 'tinyllama-*');
}

const CRON_FIELD = /^[A-Za-z0-9*/,?-]+$/;

/** Harbor's schedule format: 6 fields, seconds first and `0` (H src/common/utils ValidateCronString). */
export function requireHarborCron(ctx: PropContext, value: string): string {
  const fields = typeof value === 'string' ? value.split(' ') : [];
  if (fields.length !== 6 || fields[0] !== '0' || !fields.every((f) => CRON_FIELD.test(f))) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a 6-field cron expression separated by single spaces whose first field (seconds) is "0"',
      fix: 'pass e.g. "0 0 3 * * *" (03:00 daily) or "0 0 0 * * 0" (Sundays at midnight)',
    });
  }
  return value;
}

/** One of an enum's values (strings cast from other jsii languages reach this check unchecked). */
export function requireEnumValue<T extends string>(ctx: PropContext, value: T, values: readonly T[], example: string): T {
  if (!values.includes(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
      fix: `use the enum, e.g. ${example}`,
    });
  }
  return value;
}

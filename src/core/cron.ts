import { propError } from './errors';
import { parseGoDuration } from './go-duration';
import { PropContext } from './validate';

/*
 * A Velero Schedule's `spec.schedule` as Velero v1.18.1 parses it: robfig/cron v3.0.1
 * `cron.ParseStandard` on the string as given (vmware-tanzu/velero@v1.18.1:
 * pkg/controller/schedule_controller.go parseCronSchedule; robfig/cron@v3.0.1:parser.go):
 * - an optional `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix (the first space ends the zone; an empty
 *   zone is UTC, otherwise a name of the IANA time zone database, as Go's time.LoadLocation reads it);
 * - then a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
 *   `@hourly`, or `@every <Go duration>`), exactly, or five whitespace-separated fields
 *   `minute hour day-of-month month day-of-week`;
 * - each field a comma-separated list of `*`, `?`, `N`, `N-M`, each optionally `/STEP`; month and
 *   day-of-week also take the names JAN-DEC and SUN-SAT (any case); days of week are 0-6.
 *
 * Two things robfig accepts are refused here because the Schedule would then not back up as
 * written: `@every` with a duration below one second (robfig silently runs it every second) and a
 * list with an empty element (`1,,2`, or `,` which selects nothing, so the Schedule never runs).
 * Dates that never occur (`0 0 31 2 *`) parse, as in robfig, and are not refused.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const EVERY = '@every ';
/** Go's unicode.IsSpace, which strings.Fields and strings.TrimSpace split and trim on. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const GO_SPACE_EDGES = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const ONE_SECOND = 1_000_000_000n;

/**
 * Whether Go's time.LoadLocation finds `zone`: "" and "UTC" and "Local", or a name of the IANA time
 * zone database. Names are checked against the runtime's (ICU's) copy of that database; ICU ignores
 * case where Go's file lookup does not, so every path segment must also start with a capital letter
 * and a canonical name must be spelled exactly.
 */
export function isTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) return false;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone;
  } catch {
    return false;
  }
}

/** Why Velero (robfig/cron ParseStandard) would reject `spec`, or undefined when it accepts it. */
export function cronProblem(spec: string): string | undefined {
  if (typeof spec !== 'string') return 'not a string';
  if (spec.length === 0) return 'empty';
  let text = spec;
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    if (space < 0) return 'a time zone prefix must be followed by a space and the schedule';
    const zone = text.slice(text.indexOf('=') + 1, space);
    if (!isTimeZone(zone)) return `unknown time zone "${zone}" (use an IANA name such as "Europe/Berlin" or "UTC")`;
    text = text.slice(space).replace(GO_SPACE_EDGES, '');
  }
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    if (text.startsWith(EVERY)) {
      const duration = text.slice(EVERY.length);
      const nanos = parseGoDuration(duration);
      if (nanos === undefined) return `"@every" needs a Go duration such as "6h" or "90m", got "${duration}"`;
      if (nanos < ONE_SECOND) return `"@every ${duration}" is below one second (robfig/cron would run it every second)`;
      return undefined;
    }
    return `unknown descriptor "${text}"`;
  }
  const parts = text.split(GO_SPACE).filter((p) => p !== '');
  if (parts.length !== 5) return `expected exactly 5 fields, got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) return `${FIELDS[i].name} field "${parts[i]}": ${problem}`;
  }
  return undefined;
}

/** Throws a propError unless `spec` is a schedule Velero accepts: returns it unchanged. */
export function requireCron(ctx: PropContext, spec: string): string {
  const problem = cronProblem(spec);
  if (problem) {
    throw propError({
      ...ctx,
      value: spec,
      allowed: 'a standard 5-field cron expression "minute hour day-of-month month day-of-week" or @yearly, @monthly, @weekly, @daily, @hourly, '
        + `"@every <duration>", optionally after "CRON_TZ=<zone> " (${problem})`,
      fix: 'use e.g. "0 2 * * *" (02:00 every day), "CRON_TZ=Europe/Berlin 0 2 * * *" or "@daily"',
    });
  }
  return spec;
}

function fieldProblem(expr: string, field: Field): string | undefined {
  const parts = expr.split(',');
  if (parts.some((p) => p === '')) return 'empty list element (a stray ",")';
  for (const part of parts) {
    const problem = rangeProblem(part, field);
    if (problem) return problem;
  }
  return undefined;
}

/** One list element as robfig's getRange reads it: `*`, `?`, `N`, `N-M`, each optionally `/STEP`. */
function rangeProblem(part: string, field: Field): string | undefined {
  const rangeAndStep = part.split('/');
  if (rangeAndStep.length > 2) return `"${part}" has more than one "/"`;
  const bounds = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  if (bounds[0] === '*' || bounds[0] === '?') {
    // robfig ignores anything after "*-" here.
    start = field.min;
    end = field.max;
  } else {
    if (bounds.length > 2) return `"${rangeAndStep[0]}" has more than one "-"`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = valueOf(bound, field);
      if (value === undefined) return `"${bound}" is not a number${field.names ? ` or a name ${field.names[0].toUpperCase()}-${field.names[field.names.length - 1].toUpperCase()}` : ''}`;
      values.push(value);
    }
    start = values[0];
    end = values[values.length - 1];
  }
  if (rangeAndStep.length === 2) {
    const step = goAtoi(rangeAndStep[1]);
    if (step === undefined) return `step "${rangeAndStep[1]}" is not a number`;
    if (step === 0) return 'step must be positive';
    // "N/STEP" means "N-max/STEP".
    if (bounds.length === 1) end = field.max;
  }
  if (start < field.min) return `${start} is below the minimum ${field.min}`;
  if (end > field.max) return `${end} is above the maximum ${field.max}`;
  if (start > end) return `range start ${start} is after its end ${end}`;
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  return goAtoi(text);
}

/** A non-negative number as Go's strconv.Atoi reads it (optional "+", leading zeros allowed). */
function goAtoi(text: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

import { parseGoDuration } from './durations';
import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/**
 * Validation of a Schedule's `spec.schedule` as Velero parses it: robfig/cron v3
 * `cron.ParseStandard` (velero-io/velero@v1.18.1:pkg/controller/schedule_controller.go): five fields
 * `minute hour day-of-month month day-of-week`, or a descriptor (`@daily`, `@every 6h`, ...),
 * optionally after `CRON_TZ=<zone> ` / `TZ=<zone> `.
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

/** Why robfig's ParseStandard would reject `spec`, or undefined when it accepts it. */
export function cronProblem(spec: string): string | undefined {
  if (typeof spec !== 'string' || spec.trim() === '') return 'empty';
  let text = spec.trim();
  const tz = /^(CRON_TZ|TZ)=(\S*)\s+/.exec(text);
  if (tz) {
    if (!/^[A-Za-z0-9_+\-/]+$/.test(tz[2])) return `invalid time zone "${tz[2]}"`;
    text = text.slice(tz[0].length).trim();
  }
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) {
      const nanos = parseGoDuration(every[1]);
      return nanos !== undefined && nanos > 0n ? undefined : `"@every" needs a positive Go duration, got "${every[1]}"`;
    }
    return `unknown descriptor "${text}"`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `expected exactly 5 fields, got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) return `${FIELDS[i].name} field "${parts[i]}": ${problem}`;
  }
  return undefined;
}

/** Throws a propError unless `spec` is a schedule Velero accepts; returns it unchanged. */
export function requireCron(ctx: PropContext, spec: string): string {
  const problem = cronProblem(spec);
  if (problem) {
    throw propError({
      ...ctx,
      value: spec,
      allowed: `a standard 5-field cron expression "minute hour day-of-month month day-of-week" or @yearly, @monthly, @weekly, @daily, @hourly, "@every <duration>" (${problem})`,
      fix: 'use e.g. "0 2 * * *" (02:00 every day) or "@daily"',
    });
  }
  return spec;
}

function fieldProblem(expr: string, field: Field): string | undefined {
  for (const part of expr.split(',')) {
    const problem = rangeProblem(part, field);
    if (problem) return problem;
  }
  return undefined;
}

/** One list element: `*`, `?`, `N`, `N-M`, each optionally `/STEP`. */
function rangeProblem(part: string, field: Field): string | undefined {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined) return 'more than one "/"';
  if (step !== undefined && !/^[0-9]+$/.test(step)) return `step "${step}" is not a number`;
  if (step !== undefined && Number(step) === 0) return 'step must be positive';
  if (range === '*' || range === '?') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `"${range}" has more than one "-"`;
  const values: number[] = [];
  for (const bound of bounds) {
    const value = valueOf(bound, field);
    if (value === undefined) return `"${bound}" is not a ${field.name} (${field.min}-${field.max}${field.names ? ` or ${field.names[0].toUpperCase()}-${field.names[field.names.length - 1].toUpperCase()}` : ''})`;
    values.push(value);
  }
  if (values.length === 2 && values[0] > values[1]) return `range start ${values[0]} is after its end ${values[1]}`;
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}

import { propError } from './errors';
import { PropContext } from './validate';

/**
 * Velero durations are Go `time.Duration` strings (`metav1.Duration` in the CRDs, `time.Duration`
 * flags): a sequence of decimal numbers, each with a unit, e.g. `72h0m0s`, `720h`, `1h30m`, `90s`.
 */
const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const COMPONENT = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/gy;
/** Go rejects durations beyond int64 nanoseconds (about 292 years). */
const MAX_NANOS = 2n ** 63n - 1n;

/** Nanoseconds of a Go duration string, or undefined when Go's `time.ParseDuration` would reject it. */
export function parseGoDuration(text: string): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  COMPONENT.lastIndex = 0;
  let total = 0n;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while (consumed < rest.length && (match = COMPONENT.exec(rest)) !== null) {
    const [whole, number, unit] = match;
    if (number === '' || number === '.') return undefined;
    const [intPart, fracPart = ''] = number.split('.');
    const scale = UNIT_NANOS[unit];
    // Fractions are truncated to whole nanoseconds, as Go does.
    const frac = fracPart === '' ? 0n : (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length);
    total += BigInt(intPart === '' ? '0' : intPart) * scale + frac;
    consumed += whole.length;
  }
  if (consumed !== rest.length || total > MAX_NANOS) return undefined;
  return sign * total;
}

/** Validates a strictly positive Go duration: returns it unchanged (written to manifests as given). */
export function requirePositiveDuration(ctx: PropContext, value: string, example: string): string {
  const nanos = parseGoDuration(value);
  if (nanos === undefined || nanos <= 0n) {
    throw propError({
      ...ctx,
      value,
      allowed: `a positive Go duration such as "${example}" (numbers with units h, m, s, ms; e.g. "72h0m0s", "720h", "1h30m")`,
      fix: nanos !== undefined && nanos < 0n ? 'remove the minus sign: durations cannot be negative' : `write the duration as Velero does, e.g. "${example}"`,
    });
  }
  return value;
}

/**
 * Validates a Go duration of at least `minimum` (nanoseconds): returns it unchanged.
 *
 * @param reason why shorter durations are refused, shown in the error
 */
export function requireDurationAtLeast(ctx: PropContext, value: string, minimum: bigint, example: string, reason: string): string {
  requirePositiveDuration(ctx, value, example);
  if (parseGoDuration(value)! < minimum) {
    throw propError({
      ...ctx,
      value,
      allowed: `a Go duration of at least ${formatGoDuration(minimum)} (${reason})`,
      fix: `use e.g. "${example}"`,
    });
  }
  return value;
}

/** The duration as Go's `Duration.String()` prints it (what `velero install` writes into flags), e.g. `4h0m0s`. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  let n = negative ? -nanos : nanos;
  let text: string;
  if (n < 1_000_000_000n) {
    // Below one second Go picks the largest unit with a non-zero integer part.
    const [unit, scale] = n < 1_000n ? ['ns', 1n] : n < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    text = `${fraction(n, scale)}${unit}`;
  } else {
    const hours = n / 3_600_000_000_000n;
    n %= 3_600_000_000_000n;
    const minutes = n / 60_000_000_000n;
    n %= 60_000_000_000n;
    const seconds = `${fraction(n, 1_000_000_000n)}s`;
    text = hours > 0n ? `${hours}h${minutes}m${seconds}` : minutes > 0n ? `${minutes}m${seconds}` : seconds;
  }
  return negative ? `-${text}` : text;
}

function fraction(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const rest = value % scale;
  if (rest === 0n) return `${whole}`;
  const digits = scale.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

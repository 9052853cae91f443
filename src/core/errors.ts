/**
 * One shape for every construction-time error in the library, so users always learn the same five
 * things: which construct, which prop, what it received, what is allowed and how to fix it.
 */
export interface PropErrorDetails {
  /** Construct (or value type) that rejected the input, e.g. `SeaweedFSStorage`. */
  readonly construct: string;
  /** Prop path as the user wrote it, e.g. `volumeSize` or `buckets[1].name`. */
  readonly prop: string;
  /** The value received. */
  readonly value: unknown;
  /** What is allowed, phrased to follow "expected". */
  readonly allowed: string;
  /** What to change. */
  readonly fix: string;
}

/** Error thrown for invalid construct input. Not exported from the jsii surface; users see `Error`. */
export class PropValidationError extends Error {
  public readonly construct: string;
  public readonly prop: string;
  public readonly value: unknown;
  public readonly allowed: string;
  public readonly fix: string;

  constructor(details: PropErrorDetails) {
    super(`${details.construct} '${details.prop}': got ${describeValue(details.value)}, expected ${details.allowed}. Fix: ${details.fix}`);
    this.name = 'PropValidationError';
    this.construct = details.construct;
    this.prop = details.prop;
    this.value = details.value;
    this.allowed = details.allowed;
    this.fix = details.fix;
  }
}

/** Builds the error: `throw propError({...})` reads well at call sites. */
export function propError(details: PropErrorDetails): PropValidationError {
  return new PropValidationError(details);
}

/** Renders a received value for an error message: strings quoted, objects as JSON, long values cut. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) {
    text = 'undefined';
  } else if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Class instances are named by their class (their JSON would be long and unhelpful): plain values as they are. */
export function describeObject(value: unknown): unknown {
  const ctor = value !== null && typeof value === 'object' ? (value as object).constructor : undefined;
  return ctor !== undefined && ctor !== Object && ctor !== Array ? `a ${ctor.name}` : value;
}

import { PropValidationError } from '../src/core/errors';

/** The PropValidationError `fn` throws; fails when it throws nothing or something else. */
export function propErrorOf(fn: () => unknown): PropValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PropValidationError);
    return e as PropValidationError;
  }
  throw new Error('expected a PropValidationError, nothing was thrown');
}

/** The error names the construct, the prop and the received value, says what is allowed and the fix. */
export function expectPropError(error: PropValidationError, construct: string, prop: string, value: string): void {
  expect(error.construct).toBe(construct);
  expect(error.prop).toBe(prop);
  expect(error.message).toContain(`${construct} '${prop}': got ${value}`);
  expect(error.message).toContain('expected');
  expect(error.message).toContain('Fix:');
}

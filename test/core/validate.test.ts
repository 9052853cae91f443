import { describeValue, propError, PropValidationError } from '../../src/core/errors';
import { parseByteQuantity, parseCpuQuantity, requireDnsLabel, requireInteger, requireNonEmpty, requireOneOf } from '../../src/core/validate';

const ctx = { construct: 'Widget', prop: 'size' };

describe('propError', () => {
  test('names construct, prop, value, what is allowed and the fix', () => {
    const error = propError({ construct: 'LlamaInferenceService', prop: 'contextSize', value: -1, allowed: 'a positive integer', fix: 'pass e.g. 4096' });
    expect(error).toBeInstanceOf(PropValidationError);
    expect(error.message).toBe("LlamaInferenceService 'contextSize': got -1, expected a positive integer. Fix: pass e.g. 4096");
    expect(error).toMatchObject({ construct: 'LlamaInferenceService', prop: 'contextSize', value: -1 });
  });

  test('describes values readably and briefly', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue('y'.repeat(500))).toHaveLength(120);
  });
});

describe('validators', () => {
  test('byte quantities parse to bytes and reject non-positive values', () => {
    expect(parseByteQuantity(ctx, '10Gi')).toBe(10 * 2 ** 30);
    expect(parseByteQuantity(ctx, '500M')).toBe(500e6);
    expect(parseByteQuantity(ctx, '1.5Ti')).toBe(1.5 * 2 ** 40);
    for (const bad of ['-1Gi', '0', '0Gi', '10GB', '', 'ten']) {
      expect(() => parseByteQuantity(ctx, bad)).toThrow(/^Widget 'size': got ".*", expected a positive Kubernetes quantity/);
    }
  });

  test('cpu quantities parse to millicores', () => {
    expect(parseCpuQuantity(ctx, '250m')).toBe(250);
    expect(parseCpuQuantity(ctx, '1.5')).toBe(1500);
    expect(() => parseCpuQuantity(ctx, '-1')).toThrow(/expected a positive CPU quantity/);
  });

  test('DNS labels', () => {
    expect(requireDnsLabel(ctx, 'ai-inference')).toBe('ai-inference');
    expect(() => requireDnsLabel(ctx, 'AI_Inference')).toThrow(/Fix: use a name such as "ai-inference"/);
    expect(() => requireDnsLabel(ctx, 'a'.repeat(64))).toThrow(/1-63 lowercase/);
  });

  test('integers, choices and non-empty strings', () => {
    expect(requireInteger(ctx, 3, 1)).toBe(3);
    expect(() => requireInteger(ctx, 0, 1)).toThrow(/got 0, expected an integer >= 1/);
    expect(() => requireInteger(ctx, 1.5, 1, 5)).toThrow(/expected an integer from 1 to 5/);
    expect(requireOneOf(ctx, 'b', ['a', 'b'])).toBe('b');
    expect(() => requireOneOf(ctx, 'c', ['a', 'b'])).toThrow(/expected one of "a", "b"/);
    expect(() => requireNonEmpty(ctx, '  ', 'standard')).toThrow(/expected a non-empty string. Fix: pass a value such as "standard"/);
  });
});

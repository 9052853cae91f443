import { propError } from './errors';
import { PropContext } from './validate';

/*
 * Kubernetes' syntax of label and annotation keys, label values and tolerations, checked the way the
 * API server checks them (kubernetes/apimachinery@v0.33.0:pkg/util/validation/validation.go
 * IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain; kubernetes/kubernetes@v1.33.0:
 * pkg/apis/core/validation/validation.go validateTolerations), so a map the API server would refuse
 * is refused at construction instead of when the manifests are applied.
 */

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined when it is one. */
export function qualifiedNameProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  const parts = key.split('/');
  if (parts.length > 2) return 'more than one "/"';
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) return 'the prefix before "/" is empty';
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `the prefix "${prefix}" is not a DNS subdomain (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)`;
    }
  }
  if (name.length === 0) return 'the name part is empty';
  if (name.length > 63) return `the name part has ${name.length} characters (at most 63)`;
  if (!QUALIFIED_NAME.test(name)) return `the name part "${name}" must consist of letters, digits, "-", "_" or "." and start and end with a letter or digit`;
  return undefined;
}

/** Why `value` is not a label value, or undefined when it is one (the empty string is one). */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'not a string';
  if (value.length > 63) return `${value.length} characters (at most 63)`;
  if (!LABEL_VALUE.test(value)) return 'must be empty or consist of letters, digits, "-", "_" or "." and start and end with a letter or digit';
  return undefined;
}

const KEY_RULE = 'keys "[prefix/]name": an optional DNS subdomain prefix (at most 253 characters) and "/", then a name of 1-63 letters, digits, "-", "_" or "." starting and ending with a letter or digit';
const VALUE_RULE = 'values of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (or empty)';

function requirePlainMap(ctx: PropContext, map: unknown, what: string, example: string): Array<[string, unknown]> {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw propError({ ...ctx, value: map, allowed: `a map of ${what}`, fix: `pass an object such as ${example}` });
  }
  return Object.entries(map as Record<string, unknown>);
}

/**
 * A map of label keys to label values (metadata labels, selectors, node selectors), validated like
 * the API server's ValidateLabels. Returns a copy.
 *
 * @param nonEmpty refuse an empty map (a selector that would select everything)
 */
export function requireLabels(ctx: PropContext, labels: { [key: string]: string }, example: string, nonEmpty = false): Record<string, string> {
  const entries = requirePlainMap(ctx, labels, 'label keys to label values', example);
  if (nonEmpty && entries.length === 0) {
    throw propError({ ...ctx, value: labels, allowed: 'a non-empty map of label keys to label values', fix: `pass e.g. ${example}` });
  }
  for (const [key, value] of entries) {
    const at: PropContext = { construct: ctx.construct, prop: `${ctx.prop}.${key}` };
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) {
      throw propError({ ...at, value: key, allowed: `a label key (${keyProblem}); ${KEY_RULE}`, fix: `use a key such as ${example}` });
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) {
      throw propError({ ...at, value, allowed: `a label value (${valueProblem}); ${VALUE_RULE}`, fix: 'shorten the value or replace the other characters with "-"' });
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * A map of annotation keys to string values, validated like the API server's ValidateAnnotations:
 * keys are qualified names (checked in lower case, so the prefix may use capitals), values any string.
 * Returns a copy.
 */
export function requireAnnotations(ctx: PropContext, annotations: { [key: string]: string }, example: string): Record<string, string> {
  const entries = requirePlainMap(ctx, annotations, 'annotation keys to string values', example);
  for (const [key, value] of entries) {
    const at: PropContext = { construct: ctx.construct, prop: `${ctx.prop}.${key}` };
    const keyProblem = qualifiedNameProblem(key.toLowerCase());
    if (keyProblem) {
      throw propError({ ...at, value: key, allowed: `an annotation key (${keyProblem}); ${KEY_RULE}`, fix: `use a key such as ${example}` });
    }
    if (typeof value !== 'string') {
      throw propError({ ...at, value, allowed: 'a string value (annotations are strings)', fix: `quote the value, e.g. "${String(value)}"` });
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** A toleration as users write it (the fields of the Kubernetes Toleration). */
export interface TolerationInput {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

const TOLERATION_FIELDS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'];

/** Toleration effects the API server accepts (empty/absent tolerates every effect). */
export const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/**
 * A list of tolerations, validated like the API server's validateTolerations: the key a qualified
 * name (absent only with `Exists`), operator `Exists` (no value) or `Equal` (a label value), effect
 * one of `TOLERATION_EFFECTS` or absent, `tolerationSeconds` only with `NoExecute`.
 *
 * @param defaultOperator operator written when a toleration gives none
 */
export function requireTolerations(ctx: PropContext, tolerations: TolerationInput[], example: string, defaultOperator?: 'Equal'): TolerationInput[] {
  if (!Array.isArray(tolerations)) {
    throw propError({ ...ctx, value: tolerations, allowed: 'a list of tolerations', fix: `pass e.g. ${example}` });
  }
  return tolerations.map((t, i) => {
    const at = (field?: string): PropContext => ({ construct: ctx.construct, prop: `${ctx.prop}[${i}]${field ? `.${field}` : ''}` });
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      throw propError({ ...at(), value: t, allowed: 'a toleration object', fix: `pass e.g. ${example}` });
    }
    const unknown = Object.keys(t).filter((k) => !TOLERATION_FIELDS.includes(k));
    if (unknown.length > 0) {
      throw propError({ ...at(unknown[0]), value: t, allowed: `toleration fields ${TOLERATION_FIELDS.join(', ')}`, fix: `remove or correct "${unknown[0]}"` });
    }
    const operator = t.operator ?? defaultOperator;
    if (operator !== undefined && operator !== 'Exists' && operator !== 'Equal') {
      throw propError({ ...at('operator'), value: t.operator, allowed: '"Exists" or "Equal"', fix: 'use "Exists" to match any value of the key, "Equal" to match one value' });
    }
    if (t.key !== undefined) {
      const problem = qualifiedNameProblem(t.key);
      if (problem) throw propError({ ...at('key'), value: t.key, allowed: `a taint key (${problem}); ${KEY_RULE}`, fix: 'use the key of the nodes\' taint, e.g. "nvidia.com/gpu"' });
    }
    if ((t.key === undefined || t.key === '') && operator !== 'Exists') {
      throw propError({ ...at('key'), value: t.key, allowed: 'a taint key, unless the operator is "Exists" (which then tolerates every taint)', fix: 'add the taint key, or set operator "Exists" to tolerate every taint' });
    }
    if (operator === 'Exists' && t.value !== undefined && t.value !== '') {
      throw propError({ ...at('value'), value: t.value, allowed: 'no value with operator "Exists"', fix: 'remove the value or use operator "Equal"' });
    }
    if (t.value !== undefined) {
      const problem = labelValueProblem(t.value);
      if (problem) throw propError({ ...at('value'), value: t.value, allowed: `a taint value (${problem})`, fix: 'use the value of the nodes\' taint' });
    }
    if (t.effect !== undefined && t.effect !== '' && !(TOLERATION_EFFECTS as readonly string[]).includes(t.effect)) {
      throw propError({ ...at('effect'), value: t.effect, allowed: `one of ${TOLERATION_EFFECTS.map((e) => `"${e}"`).join(', ')}`, fix: 'use the effect of the nodes\' taint, or leave it out to tolerate every effect' });
    }
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== 'NoExecute') {
        throw propError({ ...at('tolerationSeconds'), value: t.tolerationSeconds, allowed: 'tolerationSeconds only with effect "NoExecute"', fix: 'set effect "NoExecute" or remove tolerationSeconds' });
      }
      if (typeof t.tolerationSeconds !== 'number' || !Number.isSafeInteger(t.tolerationSeconds)) {
        throw propError({ ...at('tolerationSeconds'), value: t.tolerationSeconds, allowed: 'a whole number of seconds (0 or less evicts at once)', fix: 'pass e.g. 300' });
      }
    }
    return {
      ...(t.key !== undefined ? { key: t.key } : {}),
      ...(operator !== undefined ? { operator } : {}),
      ...(t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect !== undefined ? { effect: t.effect } : {}),
      ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
    };
  });
}

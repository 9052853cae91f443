/**
 * CustomResourceDefinition schemas -> strict ajv validators.
 *
 * Mirrors what `kubeconform -strict` does with openapi2jsonschema output:
 * every object schema that lists `properties` rejects unknown keys, unless it
 * says `x-kubernetes-preserve-unknown-fields: true`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { formats as kubernetesModelsFormats } from '@kubernetes-models/validate';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, any>;

/** One served version of one CRD; `validate` is compiled on first use. */
interface CrdVersion {
  readonly source: string;
  readonly schema: Schema;
  validate?: ValidateFunction;
}

// Formats: the ajv-formats set re-exported by @kubernetes-models/validate
// (date-time, byte, int32, int64, ...), except `duration`: ajv-formats checks
// ISO 8601 ("P1D") but the apiserver's `duration` is a Go duration ("72h0m0s").
const GO_DURATION = /^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)([-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$|^0$/;
const FORMATS = { ...kubernetesModelsFormats, duration: GO_DURATION };

const ajv = new Ajv({
  allErrors: true,
  // Union types come from our own nullable / int-or-string rewrites; they are intended.
  strictTypes: false,
  strictTuples: false,
  formats: FORMATS,
});

/** The apiserver ignores formats it does not know; so do we (ajv would throw at compile time). */
function keepFormat(format: unknown): boolean {
  return typeof format === 'string' && Object.prototype.hasOwnProperty.call(FORMATS, format);
}

/** OpenAPI-only annotation keywords ajv (strict mode) does not know. */
const DROPPED_KEYWORDS = new Set(['nullable', 'example', 'externalDocs']);

/**
 * Rewrite one structural-schema node (recursively) into strict JSON Schema.
 * Handles `nullable`, `x-kubernetes-int-or-string`,
 * `x-kubernetes-preserve-unknown-fields`; drops the other `x-kubernetes-*`
 * keywords (list/map type, validations, embedded-resource...), which ajv does
 * not know.
 */
export function toStrictSchema(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || DROPPED_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toStrictSchema(v)]));
        break;
      case 'items':
      case 'not':
        out[key] = Array.isArray(value) ? value.map(toStrictSchema) : toStrictSchema(value);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'object' ? toStrictSchema(value) : value;
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as Schema[]).map(toStrictSchema);
        break;
      case 'format':
        if (keepFormat(value)) out.format = value;
        break;
      default:
        out[key] = value;
    }
  }

  // int-or-string: controller-gen also emits `anyOf: [{type: integer}, {type: string}]`;
  // only add a type when the node does not constrain it already.
  if (node['x-kubernetes-int-or-string'] === true && out.type === undefined && out.anyOf === undefined) {
    out.type = ['integer', 'string'];
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  // The strict part: a described object accepts only its described fields.
  if (out.properties !== undefined && out.additionalProperties === undefined
    && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** CRD documents parsed per file (a file is read once per test process). */
const fileCache = new Map<string, Map<string, CrdVersion>>();

/** Key for one custom resource type: `group/version/Kind`. */
export function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function loadCrdFile(file: string): Map<string, CrdVersion> {
  const cached = fileCache.get(file);
  if (cached) return cached;

  const found = new Map<string, CrdVersion>();
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names, versions } = crd.spec ?? {};
    for (const version of versions ?? []) {
      const openApi = version.schema?.openAPIV3Schema;
      if (!openApi) continue;
      const schema = toStrictSchema(openApi);
      // Root metadata: CRDs only say `type: object`; the caller validates it
      // with the core ObjectMeta model instead.
      schema.properties = { ...schema.properties, metadata: { type: 'object' } };
      found.set(gvkKey(`${group}/${version.name}`, names.kind), { source: `${file} (${version.name})`, schema });
    }
  }
  fileCache.set(file, found);
  return found;
}

function listYamlFiles(dir: string): string[] {
  return fs.readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .map(f => path.join(dir, f));
}

/** Index of every CRD version found in the given dirs/files, keyed by `gvkKey`. */
export class CrdRegistry {
  private readonly versions = new Map<string, CrdVersion>();

  constructor(dirs: readonly string[] = [], files: readonly string[] = []) {
    for (const file of [...dirs.flatMap(listYamlFiles), ...files]) {
      for (const [key, version] of loadCrdFile(path.resolve(file))) this.versions.set(key, version);
    }
  }

  /** The compiled validator for `apiVersion`/`kind`, or undefined if no CRD declares it. */
  public validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const version = this.versions.get(gvkKey(apiVersion, kind));
    if (!version) return undefined;
    if (!version.validate) {
      try {
        version.validate = ajv.compile(version.schema);
      } catch (e) {
        throw new Error(`cannot compile schema from ${version.source}: ${(e as Error).message}`);
      }
    }
    return version.validate;
  }
}

/**
 * Manifest validation for construct tests.
 *
 *   expectValidManifests(Testing.synth(chart), { crdSchemaDirs: [VELERO_CRD_DIR!] });
 *
 * Built-in kinds are checked against kubernetes-models 4.5.1 (plus a strict
 * unknown-field check, see unknown-fields.ts); custom resources against the
 * openAPIV3Schema of their CRD (see crd-schemas.ts).
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { CrdRegistry } from './crd-schemas';
import { pointerSegment, runTracked } from './unknown-fields';

export interface ValidationOptions {
  /** Directories whose `*.yaml`/`*.yml` files hold CustomResourceDefinitions. */
  readonly crdSchemaDirs?: string[];
  /** Individual CRD YAML files (multi-document files are fine). */
  readonly crdSchemaFiles?: string[];
}

export interface ValidationIssue {
  /** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
  readonly object: string;
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/image`; '' for the root. */
  readonly path: string;
  readonly message: string;
}

/** `../shared/schemas/velero` beside the repository (present in CI), or undefined. */
export const VELERO_CRD_DIR: string | undefined = (() => {
  // test/validation -> repo root is two levels up; ../shared is beside the repo.
  const dir = path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas', 'velero');
  return fs.existsSync(dir) ? dir : undefined;
})();

/**
 * `describe` a block that needs the Velero CRDs from ../shared. When they are
 * absent (a plain clone) the block is registered as skipped, with the reason
 * in its title and on one stderr line.
 */
export function describeWithVeleroCrds(title: string, body: (veleroCrdDir: string) => void): void {
  if (VELERO_CRD_DIR) {
    describe(title, () => body(VELERO_CRD_DIR!));
    return;
  }
  const reason = 'skipped: ../shared/schemas/velero not found beside the repository (CI provides it)';
  process.stderr.write(`[validation] "${title}" ${reason}\n`);
  describe.skip(`${title} (${reason})`, () => body(''));
}

// ---------------------------------------------------------------------------
// Built-in kinds: kubernetes-models

/** The part of a kubernetes-models class we use. */
interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: unknown): void };
}

// A module-local require: kubernetes-models is CommonJS and is looked up by a
// computed path (`kubernetes-models/apps/v1`).
const load = createRequire(__filename);
const modelCache = new Map<string, ModelClass | undefined>();

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model: ModelClass | undefined;
  try {
    // Core group: `v1` -> kubernetes-models/v1; `apps/v1` -> kubernetes-models/apps/v1.
    const candidate = load(`kubernetes-models/${apiVersion}`)[kind] as ModelClass | undefined;
    // Guard against sub-types such as `DeploymentSpec` which are exported too.
    if (candidate?.kind === kind && candidate?.apiVersion === apiVersion) model = candidate;
  } catch {
    model = undefined; // group/version not shipped by kubernetes-models
  }
  modelCache.set(key, model);
  return model;
}

/**
 * ObjectMeta's model, to validate custom resources' metadata. It lives in
 * @kubernetes-models/apimachinery, a dependency of kubernetes-models (not of
 * this project), so resolve it from there.
 */
const objectMeta: ModelClass = load(load.resolve('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta', {
  paths: [path.dirname(load.resolve('kubernetes-models'))],
})).ObjectMeta;

// ---------------------------------------------------------------------------
// Errors -> issues

/** The fields of an ajv error object we use (kubernetes-models throws these too). */
interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, any>;
}

function ajvIssue(object: string, error: AjvError, basePath = ''): ValidationIssue {
  const at = basePath + error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return { object, path: `${at}/${pointerSegment(error.params.additionalProperty)}`, message: 'unknown field' };
    case 'enum':
      return { object, path: at, message: `${error.message}: ${JSON.stringify(error.params.allowedValues)}` };
    default:
      return { object, path: at, message: error.message ?? error.keyword };
  }
}

/**
 * Real fields kubernetes-models' schemas do not declare: its generator strips
 * every `description` and `x-kubernetes-*` key from the OpenAPI document,
 * including properties that are literally so named. A scan of every model's
 * .d.ts against its compiled schema found only these (keyed by group/kind):
 * JSONSchemaProps, ExternalDocumentation and CustomResourceColumnDefinition
 * (all inside a CRD's spec) and PriorityClass. They are accepted unchecked.
 */
const FIELDS_MISSING_FROM_MODELS: Record<string, RegExp> = {
  'apiextensions.k8s.io/CustomResourceDefinition': /^\/spec\/.*\/(description|x-kubernetes-[a-z-]+)$/,
  'scheduling.k8s.io/PriorityClass': /^\/description$/,
};

/** Validate `data` with a kubernetes-models validate method, strictly. */
function validateWithModel(object: string, model: ModelClass, data: unknown, basePath = '', notInModel?: RegExp): ValidationIssue[] {
  const run = runTracked(data, proxied => model.prototype.validate.call(proxied), basePath);
  const issues = run.unknownFields
    .filter(p => !notInModel?.test(p))
    .map(p => ({ object, path: p, message: 'unknown field' }));
  if (run.error) {
    const errors: AjvError[] | undefined = (run.error as { errors?: AjvError[] }).errors;
    if (!errors) throw run.error; // not a validation error: a bug, let it surface
    issues.push(...errors.map(e => ajvIssue(object, e, basePath)));
  }
  return issues;
}

// ---------------------------------------------------------------------------
// Public API

const registryCache = new Map<string, CrdRegistry>();

function registryFor(options: ValidationOptions): CrdRegistry {
  const key = JSON.stringify([options.crdSchemaDirs ?? [], options.crdSchemaFiles ?? []]);
  let registry = registryCache.get(key);
  if (!registry) {
    registry = new CrdRegistry(options.crdSchemaDirs, options.crdSchemaFiles);
    registryCache.set(key, registry);
  }
  return registry;
}

function describeObject(obj: any): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '<no kind>';
  const name = typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '<no name>';
  const ns = obj?.metadata?.namespace;
  return typeof ns === 'string' ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

function validateOne(input: any, index: number, crds: CrdRegistry): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ object: `#${index}`, path: '', message: `expected an object, got ${JSON.stringify(input)}` }];
  }
  // Validate what would be written out (undefined values dropped), on a copy
  // the proxies may wrap even if the caller's object is frozen.
  const obj = JSON.parse(JSON.stringify(input));
  const object = describeObject(obj);
  const issues: ValidationIssue[] = [];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || apiVersion === '') issues.push({ object, path: '/apiVersion', message: 'apiVersion is required' });
  if (typeof kind !== 'string' || kind === '') issues.push({ object, path: '/kind', message: 'kind is required' });
  if (typeof obj.metadata?.name !== 'string' || obj.metadata.name === '') {
    issues.push({ object, path: '/metadata/name', message: 'metadata.name is required' });
  }
  if (issues.some(i => i.path !== '/metadata/name')) return issues; // no schema to pick

  const crdValidator = crds.validatorFor(apiVersion, kind);
  if (crdValidator) {
    if (!crdValidator(obj)) issues.push(...(crdValidator.errors ?? []).map(e => ajvIssue(object, e)));
    // The CRD schema only says `metadata: {type: object}`: check it as ObjectMeta.
    if (obj.metadata !== undefined) issues.push(...validateWithModel(object, objectMeta, obj.metadata, '/metadata'));
    return issues;
  }

  const model = modelFor(apiVersion, kind);
  if (model) {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return [...issues, ...validateWithModel(object, model, obj, '', FIELDS_MISSING_FROM_MODELS[`${group}/${kind}`])];
  }

  issues.push({
    object,
    path: '',
    message: `unknown kind ${apiVersion}/${kind}: no kubernetes-models class and no CRD schema (pass crdSchemaDirs/crdSchemaFiles)`,
  });
  return issues;
}

/**
 * One issue per object and path: ajv reports a failed oneOf/anyOf as one error
 * per branch plus one for the combinator, all at the same path.
 */
function mergeByPath(issues: ValidationIssue[]): ValidationIssue[] {
  const merged = new Map<string, { object: string; path: string; messages: string[] }>();
  for (const { object, path: at, message } of issues) {
    const key = JSON.stringify([object, at]);
    const entry = merged.get(key) ?? merged.set(key, { object, path: at, messages: [] }).get(key)!;
    if (!entry.messages.includes(message)) entry.messages.push(message);
  }
  return [...merged.values()].map(({ object, path: at, messages }) => ({ object, path: at, message: messages.join('; ') }));
}

/** Validate every object; returns all issues found (empty = valid). */
export function validateManifests(objects: any[], options: ValidationOptions = {}): ValidationIssue[] {
  const crds = registryFor(options);
  return objects.flatMap((obj, i) => mergeByPath(validateOne(obj, i, crds)));
}

/** Render issues one per line: `Kind/ns/name /json/pointer: message`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map(i => `  - ${i.object} ${i.path || '/'}: ${i.message}`).join('\n');
}

let announcedMissingCrds = false;

/**
 * Validates every object, the Velero custom resources against the Velero CRD schemas when they are
 * present; without them those objects are left out, and that is said once on stderr.
 */
export function validateWithVeleroCrds(objects: any[]): ValidationIssue[] {
  if (VELERO_CRD_DIR) return validateManifests(objects, { crdSchemaDirs: [VELERO_CRD_DIR] });
  const custom = objects.filter((o) => o.apiVersion === 'velero.io/v1');
  if (custom.length > 0 && !announcedMissingCrds) {
    announcedMissingCrds = true;
    process.stderr.write(`[validation] Velero custom resources not validated (${custom.length} here): the Velero CRD schemas were not found (CI provides them)\n`);
  }
  return validateManifests(objects.filter((o) => o.apiVersion !== 'velero.io/v1'));
}

/** Throw one Error listing every issue if any object is invalid. */
export function expectValidManifests(objects: any[], options: ValidationOptions = {}): void {
  const issues = validateManifests(objects, options);
  if (issues.length > 0) {
    throw new Error(`${issues.length} manifest validation issue(s) in ${objects.length} object(s):\n${formatIssues(issues)}`);
  }
}

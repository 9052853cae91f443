/**
 * The ModelPack config JSON schemas from ../shared/schemas/modelpack (read at test time, never
 * copied into the project), compiled with ajv.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/** `../shared/schemas/modelpack` beside the repository (present in CI), or undefined. */
export const MODELPACK_SCHEMA_DIR: string | undefined = (() => {
  const dir = path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas', 'modelpack');
  return fs.existsSync(path.join(dir, 'config-schema.v0.0.6.json')) ? dir : undefined;
})();

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A validator for `config-schema.<version>.json`. The files declare JSON Schema draft-04, which
 * ajv 8 does not load; the keywords they use (type, properties, required, enum, minItems,
 * minLength, additionalProperties, $ref into $defs) mean the same in draft-07, so the `$schema`
 * line is dropped. `date-time` is checked as RFC 3339, as the schema intends.
 */
export function modelPackValidator(dir: string, version: 'v0.0.6' | 'v0.0.7'): ValidateFunction {
  const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(path.join(dir, `config-schema.${version}.json`), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
  return ajv.compile(schema);
}

/**
 * `describe` a block that needs the ModelPack schemas from ../shared. When they are absent (a
 * plain clone) the block is registered as skipped, with the reason in its title and on one stderr line.
 */
export function describeWithModelPackSchemas(title: string, body: (dir: string) => void): void {
  if (MODELPACK_SCHEMA_DIR) {
    describe(title, () => body(MODELPACK_SCHEMA_DIR!));
    return;
  }
  const reason = 'skipped: ../shared/schemas/modelpack not found beside the repository (CI provides it)';
  process.stderr.write(`[modelpack] "${title}" ${reason}\n`);
  describe.skip(`${title} (${reason})`, () => body(''));
}

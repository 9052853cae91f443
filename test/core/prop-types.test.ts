/**
 * JavaScript callers get no type checks: every prop of every public construct, given null or a value
 * of the wrong type, is refused with a PropValidationError (never a TypeError or silently used).
 * The props are read from the source, so a new prop is covered without editing this table.
 */
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as ts from 'typescript';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { PropValidationError } from '../../src/core/errors';
import { ModelReference } from '../../src/core/model-reference';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService } from '../../src/inference/llama-inference-service';
import { ModelPlatform } from '../../src/platform/model-platform';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { bucketIn } from '../backup/helpers';

const program = ts.createProgram([path.join(__dirname, '../../src/index.ts')], { strict: true });
const checker = program.getTypeChecker();

/** Name and declared type of every prop of `interfaceName` (declared in `file`, inherited ones included). */
function propsOf(file: string, interfaceName: string): Array<[string, ts.Type]> {
  const source = program.getSourceFile(path.join(__dirname, '../../src', file))!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === interfaceName)!;
  const type = checker.getTypeAtLocation(decl);
  return checker.getPropertiesOfType(type).map((p) => [p.name, checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, decl))]);
}

/** A value of another type than `type`. */
function wrongValue(type: ts.Type): unknown {
  const text = checker.typeToString(type);
  if (text === 'string') return 42;
  if (text === 'number') return '8080';
  if (text === 'boolean') return 'yes';
  if (checker.isArrayType(type)) return { 0: 'x' };
  if (text.startsWith('{ [key: string]')) return 'key=value';
  return 'a string';
}

const MODEL = InferenceModel.fromReference(ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama:v1'), 'm.gguf', { sizeBytes: 1000, plainHttp: true });

const CONSTRUCTS: Array<[string, string, string, (props: any) => unknown, Record<string, unknown>]> = [
  ['SeaweedFSStorage', 'seaweedfs/seaweedfs-storage.ts', 'SeaweedFSStorageProps', (p) => new SeaweedFSStorage(Testing.chart(), 's', p), {}],
  ['HarborModelRegistry', 'harbor/harbor-model-registry.ts', 'HarborModelRegistryProps', (p) => new HarborModelRegistry(Testing.chart(), 'h', p), {}],
  ['VeleroKopiaBackup', 'backup/props.ts', 'VeleroKopiaBackupProps', (p) => new VeleroKopiaBackup(Testing.chart(), 'v', p), { bucket: bucketIn() }],
  ['LlamaInferenceService', 'inference/llama-inference-service.ts', 'LlamaInferenceServiceProps', (p) => new LlamaInferenceService(Testing.chart(), 'l', p),
    { model: MODEL, cache: { size: '2Gi' } }],
  ['ModelPlatform', 'platform/model-platform.ts', 'ModelPlatformProps', (p) => new ModelPlatform(Testing.app(), 'p', p), {}],
];

const cases = CONSTRUCTS.flatMap(([construct, file, iface, make, base]) =>
  propsOf(file, iface).flatMap(([prop, type]) => [
    [construct, prop, null, make, base] as const,
    [construct, prop, wrongValue(type), make, base] as const,
  ]));

test.each(cases)('%s %s = %j is refused with our error', (construct, prop, value, make, base) => {
  let thrown: unknown;
  try {
    make({ ...base, [prop]: value });
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(PropValidationError);
  const error = thrown as PropValidationError;
  expect(error.message).toContain('Fix:');
  expect(error.prop.startsWith(prop) || error.construct !== construct).toBe(true);
});

/**
 * The platform the end-to-end tier drives: the demo (examples/platform.ts) with the test model,
 * SmolLM2-135M-Instruct Q4_1 from the tool cache, in place of TinyLlama. Everything else is the
 * demo's, so the scripts, args and env under test are what `npm run synth` writes.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { tool } from './harness';
import { examplePlatformProps } from '../examples/platform';
import { ExistingModelOptions, ModelFormat, ModelPlatform, ModelSource, PlatformModel, Quantization, SecretKeyReference } from '../src';

/** A Hugging Face-like location for the test model; the model source server plays the Hub. */
export const TEST_MODEL = {
  repository: 'e2e-models/SmolLM2-135M-Instruct-GGUF',
  revision: '0123456789abcdef0123456789abcdef01234567',
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  harborRepository: 'smollm2',
  tag: 'v1-q4_1',
};

let facts: { sha256: string; sizeBytes: number } | undefined;

/** sha256 and size of the test model file (hashed once per process). */
export function testModelFacts(): { sha256: string; sizeBytes: number } {
  if (!facts) {
    const file = tool('model');
    facts = { sha256: sha256Hex(fs.readFileSync(file)), sizeBytes: fs.statSync(file).size };
  }
  return facts;
}

/** A second file of the artifact (a model card), served by the Hub stand-in beside the weights. */
export interface ExtraFile {
  readonly name: string;
  readonly content: Buffer;
}

export interface E2ePlatformOptions {
  /** Harbor tag of the model (default TEST_MODEL.tag). */
  readonly tag?: string;
  /** Serve with an API key from this Secret. */
  readonly apiKey?: boolean;
  /** A second file of the artifact (its own layer). */
  readonly extraFile?: ExtraFile;
  /**
   * Serve the tag as a model already in Harbor (`PlatformModel.existing` with these options; `{}`
   * is tag only: every start asks the registry what the tag names). Default: the imported model
   * (tag + layer digests).
   */
  readonly existing?: ExistingModelOptions;
  /** Import from a gated repository: the model files need the token in Secret `hf-token` (the Job's curl init container downloads them). */
  readonly hubToken?: boolean;
}

/** The Secret key of the Hub token when `hubToken` is set. */
export const HUB_TOKEN = SecretKeyReference.fromSecret('hf-token', 'token');

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every object of the e2e platform, as synthesized. */
export function synthesizeE2ePlatform(options: E2ePlatformOptions = {}): any[] {
  const demo = examplePlatformProps();
  const { sha256, sizeBytes } = testModelFacts();
  const tag = options.tag ?? TEST_MODEL.tag;
  const hubFile = (file: string, digest: { sha256: string; sizeBytes: number }) =>
    ModelSource.fromHuggingFace(TEST_MODEL.repository, file, {
      revision: TEST_MODEL.revision, ...digest, ...(options.hubToken ? { token: HUB_TOKEN } : {}),
    });
  const extra = options.extraFile;
  const model = PlatformModel.imported({
    repository: TEST_MODEL.harborRepository,
    tag,
    source: hubFile(TEST_MODEL.file, { sha256, sizeBytes }),
    ...(extra ? { extraFiles: [hubFile(extra.name, { sha256: sha256Hex(extra.content), sizeBytes: extra.content.length })] } : {}),
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '135M',
    quantization: Quantization.Q4_1,
    family: 'smollm2',
    description: 'SmolLM2 135M Instruct, Q4_1 GGUF',
  });
  const served = options.existing ? PlatformModel.existing(TEST_MODEL.harborRepository, tag, TEST_MODEL.file, options.existing) : model;
  const app = new App();
  new ModelPlatform(app, 'platform', {
    ...demo,
    models: [served],
    services: demo.services!.map((s) => ({
      ...s,
      model: served.key,
      ...(options.apiKey ? { apiKey: SecretKeyReference.fromSecret('llama-api-key', 'key') } : {}),
    })),
  });
  return app.charts.flatMap((c) => c.toJson());
}

export function findObject(objects: any[], kind: string, predicate: (o: any) => boolean = () => true): any {
  const found = objects.filter((o) => o.kind === kind && predicate(o));
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}: ${found.map((o) => o.metadata.name).join(', ')}`);
  return found[0];
}

/** The container's env as a plain map (Secret-backed values are left out; the test supplies them). */
export function plainEnv(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, String(e.value)]));
}

/** Writes a ConfigMap's data into `dir` (one file per key, as a volume mount shows them). */
export function writeConfigMap(configMap: any, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries<string>(configMap.data ?? {})) fs.writeFileSync(path.join(dir, key), value);
}

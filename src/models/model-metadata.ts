import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/**
 * File format of the model weights, as the ModelPack config's `config.format` spells it
 * (modelpack/model-spec@v0.0.7:docs/config.md: onnx, safetensors, gguf, pt).
 */
export enum ModelFormat {
  /** llama.cpp's GGUF (`.gguf`). */
  GGUF = 'gguf',
  /** Hugging Face safetensors (`.safetensors`). */
  SAFETENSORS = 'safetensors',
  /** ONNX (`.onnx`). */
  ONNX = 'onnx',
  /** PyTorch checkpoints (`.pt`, `.pth`, `.bin`): the spec's value is `pt`. */
  PYTORCH = 'pt',
}

/**
 * Which ModelPack identifiers the artifact uses. Every released Harbor (2.13 to 2.15) recognises a
 * model only by the legacy `vnd.cnai` manifest artifactType; model-spec v0.0.7 and Harbor's main
 * branch renamed everything to `vnd.cncf`.
 */
export enum ModelMediaTypes {
  /**
   * `application/vnd.cnai.model.*`, layer key `org.cnai.model.filepath`, config `modelfs.diff_ids`
   * (model-spec v0.0.6): what Harbor 2.13-2.15 understand.
   */
  CNAI = 'cnai',
  /**
   * `application/vnd.cncf.model.*`, layer key `org.cncf.model.filepath`, config `modelfs.diffIds`
   * (model-spec v0.0.7+): for registries built from Harbor's main branch and newer tools.
   */
  CNCF = 'cncf',
}

/**
 * The kind of layer a file becomes, i.e. the `<kind>` in `application/vnd.cnai.model.<kind>.v1.raw`.
 */
export enum ModelLayerType {
  /** Model weights (`...model.weight.v1.raw`). */
  WEIGHT = 'weight',
  /** Weight configuration such as `config.json` or `tokenizer.json` (`...model.weight.config.v1.raw`). */
  WEIGHT_CONFIG = 'weight.config',
  /** Documentation such as `README.md` or `LICENSE` (`...model.doc.v1.raw`): Harbor 2.14+ shows them. */
  DOC = 'doc',
  /** Code, e.g. a custom modelling `*.py` (`...model.code.v1.raw`). */
  CODE = 'code',
  /** Data sets (`...model.dataset.v1.raw`). */
  DATASET = 'dataset',
}

/**
 * A quantization scheme, written into the config's `config.quantization` and the
 * `org.cnai.model.quantization` manifest annotation. Common GGUF and GPU schemes are provided;
 * `Quantization.custom` takes any other name.
 */
export class Quantization {
  /** GGUF 4-bit, legacy. */
  public static readonly Q4_0 = new Quantization('Q4_0');
  /** GGUF 4-bit with a per-block offset, legacy (e.g. SmolLM2-135M-Instruct Q4_1). */
  public static readonly Q4_1 = new Quantization('Q4_1');
  /** GGUF 5-bit, legacy. */
  public static readonly Q5_0 = new Quantization('Q5_0');
  /** GGUF 5-bit with a per-block offset, legacy. */
  public static readonly Q5_1 = new Quantization('Q5_1');
  /** GGUF k-quant 2-bit. */
  public static readonly Q2_K = new Quantization('Q2_K');
  /** GGUF k-quant 3-bit, medium. */
  public static readonly Q3_K_M = new Quantization('Q3_K_M');
  /** GGUF k-quant 4-bit, small. */
  public static readonly Q4_K_S = new Quantization('Q4_K_S');
  /** GGUF k-quant 4-bit, medium (the demo's TinyLlama). */
  public static readonly Q4_K_M = new Quantization('Q4_K_M');
  /** GGUF k-quant 5-bit, small. */
  public static readonly Q5_K_S = new Quantization('Q5_K_S');
  /** GGUF k-quant 5-bit, medium. */
  public static readonly Q5_K_M = new Quantization('Q5_K_M');
  /** GGUF k-quant 6-bit. */
  public static readonly Q6_K = new Quantization('Q6_K');
  /** GGUF 8-bit. */
  public static readonly Q8_0 = new Quantization('Q8_0');
  /** GGUF i-quant 4-bit, extra small. */
  public static readonly IQ4_XS = new Quantization('IQ4_XS');
  /** Unquantized 16-bit floats. */
  public static readonly F16 = new Quantization('F16');
  /** Unquantized bfloat16. */
  public static readonly BF16 = new Quantization('BF16');
  /** Unquantized 32-bit floats. */
  public static readonly F32 = new Quantization('F32');
  /** Activation-aware weight quantization. */
  public static readonly AWQ = new Quantization('awq');
  /** GPTQ post-training quantization. */
  public static readonly GPTQ = new Quantization('gptq');

  /**
   * Any other scheme name: 1-64 letters, digits and any of `._+-`, starting with a letter or digit.
   *
   * @param name e.g. `IQ3_XXS` or `fp8`
   */
  public static custom(name: string): Quantization {
    if (typeof name !== 'string' || !QUANTIZATION_NAME.test(name)) {
      throw propError({
        construct: 'Quantization',
        prop: 'custom.name',
        value: name,
        allowed: "1-64 letters, digits and '. _ + -', starting with a letter or digit",
        fix: 'pass a scheme name such as "IQ3_XXS", or use a constant such as Quantization.Q4_K_M',
      });
    }
    return new Quantization(name);
  }

  /** The scheme's name as written into the config and annotations, e.g. `Q4_K_M`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }
}

const QUANTIZATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** `<count><Q|T|B|M|K>` with at most one decimal, as model-spec defines `paramSize` (e.g. `1.1B`, `70B`, `500M`). */
const PARAM_SIZE = /^(0|[1-9][0-9]{0,5})(\.[0-9])?[QTBMK]$/;
/** `architecture`, `family`: a short identifier such as `llama` or `transformer`. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
/** `precision`: one or a comma list of types, e.g. `float16` or `bfloat16,int8`. */
const PRECISION = /^[A-Za-z0-9_.+-]{1,32}(,[A-Za-z0-9_.+-]{1,32}){0,7}$/;
/** RFC 3339 date-time (seconds required, optional fraction, `Z` or an offset). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A parameter count such as `1.1B`: `0B`, `0.0M` and other zero counts are refused.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireParamSize(ctx: PropContext, value: string): string {
  const match = typeof value === 'string' ? PARAM_SIZE.exec(value) : null;
  if (!match || Number(`${match[1]}${match[2] ?? ''}`) === 0) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a positive count with at most one decimal followed by Q, T, B, M or K (model-spec paramSize)',
      fix: 'write the size as e.g. "1.1B", "70B" or "500M"',
    });
  }
  return value;
}

/**
 * A short identifier (architecture, family).
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireIdentifier(ctx: PropContext, value: string, example: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: "1-128 letters, digits and '. _ + -', starting with a letter or digit",
      fix: `pass e.g. "${example}"`,
    });
  }
  return value;
}

/**
 * A precision or comma list of precisions.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requirePrecision(ctx: PropContext, value: string): string {
  if (typeof value !== 'string' || !PRECISION.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: 'a data type such as "float16", or a comma list of up to 8 without spaces',
      fix: 'pass e.g. "float16", "bfloat16" or "bfloat16,int8"',
    });
  }
  return value;
}

/**
 * Free text for descriptions: at most `max` characters, no control characters except newline and tab.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireText(ctx: PropContext, value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
    throw propError({
      ...ctx,
      value,
      allowed: `non-empty text of at most ${max} characters without control characters`,
      fix: 'shorten the text or leave the prop out',
    });
  }
  return value;
}

/**
 * An RFC 3339 timestamp with a valid calendar date and time.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireTimestamp(ctx: PropContext, value: string): string {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  const valid = m !== null && (() => {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
      hour <= 23 && minute <= 59 && second <= 59;
  })();
  if (!valid) {
    throw propError({
      ...ctx,
      value,
      allowed: 'an RFC 3339 timestamp such as "2025-01-01T00:00:00Z"',
      fix: 'pass a fixed timestamp (never the current time: the same file must always give the same manifest digest)',
    });
  }
  return value;
}

/**
 * Whether `value` is a member of the string enum `enumObject`.
 *
 * @jsii ignore (internal: not part of the jsii surface)
 */
export function requireEnumMember<T extends string>(ctx: PropContext, value: T, enumObject: Record<string, T>, example: string): T {
  const members = Object.values(enumObject);
  if (!members.includes(value)) {
    throw propError({ ...ctx, value, allowed: `one of ${members.map((m) => JSON.stringify(m)).join(', ')}`, fix: `pass a member such as ${example}` });
  }
  return value;
}

import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/*
 * llama-server command line (../shared/reference/llama-cpp-server.md §2-§3). Only the version-stable
 * spellings are written: `--host`, `--port`, `--model`, `--ctx-size`, `--threads`, `--parallel`,
 * `--metrics`, `--n-gpu-layers`. The image's ENTRYPOINT is `/app/llama-server`, so these are `args`.
 */

/** Options of {@link serverArgs}. */
export interface ServerArgsOptions {
  readonly port: number;
  /** Path of the GGUF file inside the container. */
  readonly modelPath: string;
  readonly contextSize: number;
  /** `--threads`; left to llama.cpp (auto) when undefined. */
  readonly threads?: number;
  readonly parallel: number;
  /** `--n-gpu-layers`; only with GPUs. */
  readonly gpuLayers?: number;
  /** Validated with {@link validateExtraArgs}. */
  readonly extraArgs: string[];
}

/**
 * The flags the construct sets itself, each with the prop to use instead. Short and long spellings
 * of every release are listed; `--flag=value` forms are recognised too.
 */
export const MANAGED_FLAGS: Readonly<Record<string, string>> = {
  // Always `--host 0.0.0.0 --port <port>`: the binary defaults to 127.0.0.1, and the default port is
  // moving from 8080 to 9931 upstream (PR ggml-org/llama.cpp#26508), which would break the probes
  // and the Service of an image bump.
  '--host': 'port (the server always listens on 0.0.0.0)',
  '--port': 'port',
  '-m': 'model',
  '--model': 'model',
  // Download sources: the model comes from the cache, never from the server itself.
  '-mu': 'model',
  '--model-url': 'model',
  '-hf': 'model',
  '-hfr': 'model',
  '--hf-repo': 'model',
  '-hff': 'model',
  '--hf-file': 'model',
  '-dr': 'model',
  '--docker-repo': 'model',
  '-c': 'contextSize',
  '--ctx-size': 'contextSize',
  '-t': 'threads',
  '--threads': 'threads',
  '-np': 'parallel',
  '--parallel': 'parallel',
  '--metrics': 'nothing (metrics are always enabled)',
  '--no-metrics': 'nothing (metrics are always enabled)',
  '--api-key': 'apiKey',
  '--api-key-file': 'apiKey',
  '-ngl': 'gpu.layers',
  '--gpu-layers': 'gpu.layers',
  '--n-gpu-layers': 'gpu.layers',
};

/** Checks `extraArgs`: strings, none of them a {@link MANAGED_FLAGS} flag. */
export function validateExtraArgs(ctx: PropContext, extraArgs: string[] | undefined): string[] {
  if (extraArgs === undefined) return [];
  if (!Array.isArray(extraArgs)) {
    throw propError({ ...ctx, value: extraArgs, allowed: 'a list of llama-server arguments', fix: "pass e.g. ['--chat-template', 'zephyr']" });
  }
  extraArgs.forEach((arg, i) => {
    const at: PropContext = { construct: ctx.construct, prop: `${ctx.prop}[${i}]` };
    if (typeof arg !== 'string' || arg.length === 0) {
      throw propError({ ...at, value: arg, allowed: 'a non-empty string', fix: 'remove the entry' });
    }
    const flag = arg.startsWith('-') ? arg.split('=')[0] : undefined;
    if (flag !== undefined && Object.prototype.hasOwnProperty.call(MANAGED_FLAGS, flag)) {
      throw propError({
        ...at,
        value: arg,
        allowed: `an argument the construct does not manage (it sets ${Object.keys(MANAGED_FLAGS).filter((f) => f.startsWith('--')).join(', ')} itself)`,
        fix: `remove "${flag}" from extraArgs and use the prop ${MANAGED_FLAGS[flag]}`,
      });
    }
  });
  return [...extraArgs];
}

/** The container `args`, in a fixed order. */
export function serverArgs(options: ServerArgsOptions): string[] {
  return [
    '--host', '0.0.0.0',
    '--port', String(options.port),
    '--model', options.modelPath,
    '--ctx-size', String(options.contextSize),
    ...(options.threads !== undefined ? ['--threads', String(options.threads)] : []),
    '--parallel', String(options.parallel),
    '--metrics',
    ...(options.gpuLayers !== undefined ? ['--n-gpu-layers', String(options.gpuLayers)] : []),
    ...options.extraArgs,
  ];
}

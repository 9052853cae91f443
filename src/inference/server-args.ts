import { propError } from '../core/errors';
import { PropContext } from '../core/validate';

/*
 * llama-server command line. The version-stable spellings are written: `--host`, `--port`,
 * `--model`, `--ctx-size`, `--threads`, `--parallel`, `--metrics`, `--n-gpu-layers`, plus
 * `--cache-ram`, which exists since ggml-org/llama.cpp#16391 (October 2025; the pinned b8840 build
 * has it). The image's ENTRYPOINT is `/app/llama-server`, so these are `args`.
 */

/** Options of `serverArgs`. */
export interface ServerArgsOptions {
  readonly port: number;
  /** Path of the GGUF file inside the container. */
  readonly modelPath: string;
  readonly contextSize: number;
  /** `--threads`. */
  readonly threads: number;
  readonly parallel: number;
  /** `--cache-ram` in MiB (0 = off). */
  readonly promptCacheMib: number;
  /** `--n-gpu-layers`: only with GPUs. */
  readonly gpuLayers?: number;
  /** Validated with `validateExtraArgs`. */
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
  '-cram': 'promptCacheMib',
  '--cache-ram': 'promptCacheMib',
  '--metrics': 'nothing (metrics are always enabled)',
  '--no-metrics': 'nothing (metrics are always enabled)',
  '--api-key': 'apiKey',
  '--api-key-file': 'apiKey',
  '-ngl': 'gpu.layers',
  '--gpu-layers': 'gpu.layers',
  '--n-gpu-layers': 'gpu.layers',
};

/** The variable llama-server reads its API key from (the apiKey prop sets it from a Secret). */
export const API_KEY_ENV = 'LLAMA_API_KEY';

/** Environment variables of the server container whose values come from Secrets. */
export const SECRET_ENV = [API_KEY_ENV];

/**
 * The variables `arg` references as `$(NAME)`, as the kubelet expands container args: `$$` is a
 * literal `$`, and a reference to a variable the container defines is replaced by its value.
 */
export function referencedVariables(arg: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] !== '$') continue;
    if (arg[i + 1] === '$') {
      i++;
    } else if (arg[i + 1] === '(') {
      const end = arg.indexOf(')', i + 2);
      if (end < 0) break;
      names.push(arg.slice(i + 2, end));
      i = end;
    }
  }
  return names;
}

/**
 * Checks `extraArgs`: strings, none of them a `MANAGED_FLAGS` flag, none referencing a
 * Secret-backed variable (the kubelet would put the secret into the process arguments, which
 * `ps` and logs show).
 */
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
    const secret = referencedVariables(arg).find((name) => SECRET_ENV.includes(name));
    if (secret !== undefined) {
      throw propError({
        ...at,
        value: arg,
        allowed: `an argument without $(${secret}): the kubelet would expand it to the Secret's value in the process arguments`,
        fix: secret === API_KEY_ENV ? 'remove it: with the apiKey prop llama-server reads the key from LLAMA_API_KEY itself' : `remove $(${secret}) (write $$(${secret}) for the literal text)`,
      });
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
    '--threads', String(options.threads),
    '--parallel', String(options.parallel),
    '--cache-ram', String(options.promptCacheMib),
    '--metrics',
    ...(options.gpuLayers !== undefined ? ['--n-gpu-layers', String(options.gpuLayers)] : []),
    ...options.extraArgs,
  ];
}

/**
 * Default `--threads`: the CPU limit, else the CPU request, in whole cores (at least 1). llama.cpp's
 * own default (`-1`) counts the host's cores, not the container's CPU quota: on a large node that
 * starts dozens of threads, which a CPU limit throttles to a crawl
 * (ggml-org/llama.cpp@b8840:common/common.cpp `postprocess_cpu_params` → `cpu_get_num_math`).
 */
export function defaultThreads(cpuRequestMillis: number, cpuLimitMillis: number | undefined): number {
  return Math.max(1, Math.floor((cpuLimitMillis ?? cpuRequestMillis) / 1000));
}

/** Memory kept free of the prompt cache besides the model file: KV cache, compute buffers, runtime. */
export const PROMPT_CACHE_RESERVE_MIB = 512;
/** Below this a prompt cache holds too few entries to help: the default turns it off instead. */
export const MIN_PROMPT_CACHE_MIB = 64;

/**
 * Default `--cache-ram`. llama-server keeps finished prompts' KV state in a host-RAM cache of up
 * to 8192 MiB by default (`-cram, --cache-ram N`, -1 no limit, 0 off;
 * ggml-org/llama.cpp@b8840:common/arg.cpp, common/common.h `cache_ram_mib`),
 * anonymous memory that counts against the container limit. The default here is half of what the
 * memory limit leaves after the model file (mmap'd: page cache counts too) and
 * `PROMPT_CACHE_RESERVE_MIB`, in whole MiB; 0 when that is under `MIN_PROMPT_CACHE_MIB`.
 */
export function defaultPromptCacheMib(memoryLimitBytes: number, modelBytes: number | undefined): number {
  const mib = 2 ** 20;
  const free = (memoryLimitBytes - (modelBytes ?? 0)) / mib - PROMPT_CACHE_RESERVE_MIB;
  const half = Math.floor(free / 2);
  return half >= MIN_PROMPT_CACHE_MIB ? half : 0;
}

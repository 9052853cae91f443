/** A toleration of the GPU nodes' taints. */
export interface GpuToleration {
  /**
   * Taint key to tolerate.
   * @default - every key (only with operator `Exists`)
   */
  readonly key?: string;

  /**
   * `Exists` (any value) or `Equal` (the given value).
   * @default 'Equal'
   */
  readonly operator?: string;

  /**
   * Taint value, with operator `Equal`.
   * @default - none
   */
  readonly value?: string;

  /**
   * Taint effect to tolerate: `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
   * @default - every effect
   */
  readonly effect?: string;
}

/** GPUs for a `LlamaInferenceService`. */
export interface GpuOptions {
  /**
   * GPUs per pod, requested as the extended resource `resourceName`. 0 runs on CPU.
   */
  readonly count: number;

  /**
   * Layers to offload (`--n-gpu-layers`): any number above the model's layer count offloads all.
   * @default 999 (all layers)
   */
  readonly layers?: number;

  /**
   * Extended resource the device plugin advertises.
   * @default 'nvidia.com/gpu'
   */
  readonly resourceName?: string;

  /**
   * Tolerations for tainted GPU nodes.
   * @default - tolerate `<resourceName>` taints of any value with effect NoSchedule (the NVIDIA GPU operator's convention)
   */
  readonly tolerations?: GpuToleration[];

  /**
   * Node labels the pod must match, e.g. `{ 'nvidia.com/gpu.present': 'true' }`.
   * @default - none (the extended resource request alone places the pod)
   */
  readonly nodeSelector?: { [key: string]: string };

  /**
   * RuntimeClass that exposes the GPUs to containers, e.g. `nvidia`, where the NVIDIA runtime is
   * not the nodes' default.
   * @default - the cluster's default runtime
   */
  readonly runtimeClassName?: string;
}

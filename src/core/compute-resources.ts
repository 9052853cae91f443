/**
 * CPU and memory for one container, as Kubernetes quantity strings.
 *
 * Every field left out takes the component's default. CPU limits are off by default on purpose
 * (a CPU limit throttles a container even when the node is idle); memory always has a limit.
 */
export interface ComputeResources {
  /**
   * CPU the scheduler reserves, in cores (`"0.5"`) or millicores (`"500m"`).
   * @default - the component's default request
   */
  readonly cpuRequest?: string;
  /**
   * CPU ceiling, in cores or millicores.
   * @default - the component's default (usually no CPU limit)
   */
  readonly cpuLimit?: string;
  /**
   * Memory the scheduler reserves, e.g. `"128Mi"`.
   * @default - the component's default request
   */
  readonly memoryRequest?: string;
  /**
   * Memory ceiling: the container is OOM-killed above it, e.g. `"512Mi"`.
   * @default - the component's default limit
   */
  readonly memoryLimit?: string;
}

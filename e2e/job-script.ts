/**
 * A Job whose container runs a platform script from its ConfigMap (`/bin/sh <script> [<file>...]`),
 * run as a local process against the control plane: the ConfigMap written where the volume mount
 * would show it, only the image's executables on PATH (test/jail.ts), the container's env, and a
 * token of the Job's ServiceAccount for kube-api.py.
 */
import * as path from 'path';
import { ControlPlane } from './control-plane';
import { ScriptRun, runProgram, tempDir } from './harness';
import { plainEnv, writeConfigMap } from './platform';
import { scriptJail } from '../test/jail';

export class JobScript {
  public readonly namespace: string;
  public readonly serviceAccount: string;
  public readonly container: any;
  /** The ConfigMap that holds the script and its input files. */
  public readonly configMap: any;
  /** The container's command after the shell, with the ConfigMap's mount paths mapped to a local folder. */
  public readonly args: string[];
  private readonly script: string;

  constructor(objects: any[], public readonly job: any) {
    const pod = job.spec.template.spec;
    this.namespace = job.metadata.namespace;
    this.serviceAccount = pod.serviceAccountName;
    this.container = pod.containers[0];
    const configMapName = pod.volumes.find((v: any) => v.configMap).configMap.name;
    this.configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === this.namespace && o.metadata.name === configMapName);
    const [shell, script, ...files] = this.container.command as string[];
    if (shell !== '/bin/sh') throw new Error(`${job.metadata.name} runs ${shell}, not /bin/sh`);
    const dir = tempDir('job-script');
    writeConfigMap(this.configMap, dir);
    this.script = path.basename(script);
    this.args = [script, ...files].map((file) => path.join(dir, path.basename(file)));
  }

  /** A file of the ConfigMap by its path in the container (e.g. the script's spec). */
  public configMapFile(containerPath: string): string {
    return this.configMap.data[path.basename(containerPath)];
  }

  /** Runs the command once as the Job's ServiceAccount; `env` adds to or remaps the container's env. */
  public async run(plane: ControlPlane, env: Record<string, string> = {}): Promise<ScriptRun> {
    const { jail, skipReason } = scriptJail(this.script);
    if (!jail) throw new Error(`cannot run ${this.script} with its image's executables here: ${skipReason}`);
    return runProgram(jail.shell, this.args, {
      env: { ...plainEnv(this.container), ...await plane.scriptApiEnv(this.namespace, this.serviceAccount), ...env, PATH: jail.dir },
      timeoutMs: 300_000,
    });
  }
}

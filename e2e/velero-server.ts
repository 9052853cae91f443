/**
 * Velero's server as the synthesized Deployment runs it, as a local process against the control
 * plane: the real velero v1.18.1 with the container's args and env, authenticated as the Deployment's
 * ServiceAccount, with the real velero-plugin-for-aws v1.14.2 in its plugin folder (where the
 * plugin's init container copies it).
 *
 * Remapped, nothing else: mount paths (plugins, scratch, the cloud-credentials Secret, written from
 * the Secret the bootstrap created), the API server (a kubeconfig instead of the in-cluster one),
 * the BackupStorageLocation's s3Url (the gateway's cluster address → its local one, patched in the
 * API server) and the metrics and profiler listen addresses (free ports on 127.0.0.1).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane } from './control-plane';
import { Started, freePort, start, tempDir, tool, waitUntil } from './harness';
import { findObject, plainEnv } from './platform';
import { remapValue } from './storage';

export const VELERO_NAMESPACE = 'velero';

export class VeleroServer {
  /**
   * Starts the server of the synthesized Deployment once its BackupStorageLocation points at
   * `s3Endpoint`; resolves when the location is Available.
   */
  public static async start(plane: ControlPlane, objects: any[], s3Endpoint: string): Promise<VeleroServer> {
    const deployment = findObject(objects, 'Deployment', (o) => o.metadata.namespace === VELERO_NAMESPACE && o.metadata.name === 'velero');
    const pod = deployment.spec.template.spec;
    const container = pod.containers.find((c: any) => c.name === 'velero');
    if (JSON.stringify(container.command) !== JSON.stringify(['/velero']) || container.args[0] !== 'server') {
      throw new Error(`the velero container runs ${container.command} ${container.args}, not /velero server`);
    }
    const root = tempDir('velero');
    const mounts: Record<string, string> = {};
    for (const mount of container.volumeMounts) {
      mounts[mount.mountPath] = path.join(root, mount.name);
      fs.mkdirSync(mounts[mount.mountPath], { recursive: true });
    }
    // The plugin's init container copies its binary into the shared plugins folder.
    const plugin = pod.initContainers.find((c: any) => c.image.includes('velero-plugin-for-aws'));
    fs.symlinkSync(tool('velero-plugin-for-aws'), path.join(root, plugin.volumeMounts[0].name, 'velero-plugin-for-aws'));
    // The kubelet's part: the Secret volumes, from the Secrets in the API server.
    for (const volume of pod.volumes.filter((v: any) => v.secret)) {
      const mount = container.volumeMounts.find((m: any) => m.name === volume.name);
      const secret = await plane.getJson(['secret', volume.secret.secretName, '-n', VELERO_NAMESPACE]);
      for (const [key, value] of Object.entries<string>(secret.data)) {
        fs.writeFileSync(path.join(mounts[mount.mountPath], key), Buffer.from(value, 'base64'), { mode: 0o400 });
      }
    }

    const location = findObject(objects, 'BackupStorageLocation');
    await plane.kubectlOk(['patch', 'backupstoragelocation', location.metadata.name, '-n', VELERO_NAMESPACE, '--type=merge',
      '-p', JSON.stringify({ spec: { config: { s3Url: s3Endpoint } } })]);

    const remap = { ports: {}, mounts, hosts: {} };
    const env: Record<string, string> = { PATH: process.env.PATH!, HOME: root };
    for (const [name, value] of Object.entries(plainEnv(container))) env[name] = remapValue(value, remap);
    env.VELERO_NAMESPACE = VELERO_NAMESPACE; // the Downward API's metadata.namespace
    env.KUBECONFIG = (await plane.serviceAccount(VELERO_NAMESPACE, pod.serviceAccountName)).kubeconfig;
    const args = [...container.args,
      `--plugin-dir=${mounts['/plugins']}`,
      `--metrics-address=127.0.0.1:${await freePort()}`,
      `--profiler-address=127.0.0.1:${await freePort()}`];
    const server = new VeleroServer(plane, start('velero server', tool('velero'), args, env), location.metadata.name);
    server.availableMs = await waitUntil('the BackupStorageLocation to become Available', async () => {
      if (!server.process.running) throw new Error(`velero server exited:\n${server.process.tail()}`);
      return (await server.locationPhase()) === 'Available';
    }, 180_000, 500);
    return server;
  }

  /** How long the location took to become Available after the server started. */
  public availableMs = 0;

  private constructor(private readonly plane: ControlPlane, public readonly process: Started, public readonly location: string) {}

  public async locationPhase(): Promise<string | undefined> {
    return (await this.plane.getJson(['backupstoragelocation', this.location, '-n', VELERO_NAMESPACE])).status?.phase;
  }

  /** Runs the velero CLI as the cluster admin (what a user types); must succeed. */
  public async cli(args: string[]): Promise<string> {
    const run = await this.plane.velero(args);
    if (run.status !== 0) throw new Error(`velero ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}\n${this.process.tail()}`);
    return run.stdout;
  }
}

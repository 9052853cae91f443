/**
 * Starts test/core/fixtures/fake-kube-api.js (a stand-in API server over a temp-directory "cluster")
 * as a child process, so tests can run scripts synchronously against it. TLS uses a test CA
 * (test-pki.ts), and the scripts verify it as they would the ServiceAccount's ca.crt.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { testPki } from './test-pki';

const SERVER = path.join(__dirname, 'core', 'fixtures', 'fake-kube-api.js');
/** The ServiceAccount token the fake accepts. */
export const FAKE_TOKEN = 'fake-service-account-token';

/** A running fake API server whose state lives in `dir`. */
export class FakeKubeApi {
  /** Starts the server on a free port of 127.0.0.1. */
  public static async start(dir: string): Promise<FakeKubeApi> {
    const { caCrt, key, crt } = testPki();
    fs.copyFileSync(key, path.join(dir, 'tls.key'));
    fs.copyFileSync(crt, path.join(dir, 'tls.crt'));
    fs.writeFileSync(path.join(dir, 'token'), `${FAKE_TOKEN}\n`);
    const child = spawn(process.execPath, [SERVER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`fake API server exited with ${code}`)));
    });
    return new FakeKubeApi(dir, child, port, caCrt);
  }

  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    public readonly port: number,
    private readonly caFile: string,
  ) {}

  /** Environment that points kube-api.py at this server. */
  public env(): Record<string, string> {
    return {
      KUBE_API_URL: `https://127.0.0.1:${this.port}`,
      KUBE_TOKEN_FILE: path.join(this.dir, 'token'),
      KUBE_CA_FILE: this.caFile,
      KUBE_API_TIMEOUT_SECONDS: '10',
    };
  }

  /** [method, path] of every request since the last `resetCalls`. */
  public calls(): string[][] {
    const log = path.join(this.dir, 'calls.log');
    if (!fs.existsSync(log)) return [];
    return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as string[]);
  }

  public resetCalls(): void {
    fs.rmSync(path.join(this.dir, 'calls.log'), { force: true });
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

let python3: string | undefined;

/** The host's python3 interpreter itself (not a version manager's shim, which needs its own PATH). */
export function realPython3(): string {
  if (python3) return python3;
  const result = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (result.status !== 0 || !result.stdout.trim()) throw new Error(`python3 not found: ${result.error ?? result.stderr}`);
  python3 = result.stdout.trim();
  return python3;
}

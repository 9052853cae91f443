/**
 * A distribution registry on loopback and a counting proxy in front of it (request and byte
 * counts, refused connections, held connections).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { Started, atStop, freePort, start, tempDir, tool, waitUntil } from './harness';

/** A distribution registry (v3.0.0) on loopback with filesystem storage and htpasswd auth. */
export interface Registry {
  readonly host: string;
  readonly root: string;
  readonly process: Started;
}

export async function startRegistry(options: { htpasswdLine: string; name?: string }): Promise<Registry> {
  const dir = tempDir('registry');
  const port = await freePort();
  const htpasswd = path.join(dir, 'htpasswd');
  fs.writeFileSync(htpasswd, `${options.htpasswdLine}\n`);
  const root = path.join(dir, 'storage');
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, [
    'version: 0.1',
    'log: { level: info, accesslog: { disabled: false } }',
    `storage: { filesystem: { rootdirectory: ${root} }, delete: { enabled: true } }`,
    `http: { addr: 127.0.0.1:${port}, secret: e2e-secret }`,
    `auth: { htpasswd: { realm: basic-realm, path: ${htpasswd} } }`,
    '',
  ].join('\n'));
  const process = start(options.name ?? 'registry', tool('registry'), ['serve', config]);
  const host = `127.0.0.1:${port}`;
  await waitUntil(`the registry on ${host}`, async () => {
    if (!process.running) throw new Error(`the registry exited\n${process.tail()}`);
    return fetch(`http://${host}/v2/`).then((r) => r.status === 401, () => false);
  }, 15_000);
  return { host, root, process };
}

/** Bcrypt htpasswd line from apache2-utils' htpasswd (the tool Harbor's prepare image uses). */
export function htpasswdLine(user: string, password: string): string {
  const out = spawnSync('htpasswd', ['-nbB', user, password], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`htpasswd failed (apt-get install apache2-utils): ${out.stderr}`);
  return out.stdout.trim();
}

export type ProxyMode = 'forward' | 'refuse' | 'hold';

/**
 * An HTTP proxy on loopback in front of a registry: counts requests and response body bytes, and
 * can refuse connections (its port closed) or hold them (accepted, never answered, as when the
 * registry's packets are dropped after the handshake).
 */
export class CountingProxy {
  public static async start(target: string): Promise<CountingProxy> {
    const proxy = new CountingProxy(target, await freePort());
    atStop(() => proxy.close());
    await proxy.setMode('forward');
    return proxy;
  }

  /** Every request as `METHOD path`. */
  public requests: string[] = [];
  /** Response status and body bytes per request, in the order of `requests`. */
  public responses: { status: number; bytes: number }[] = [];
  /** When set, response bodies are sent at about this many bytes per second. */
  public throttleBytesPerSecond?: number;
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private mode: ProxyMode = 'refuse';

  private constructor(private readonly target: string, public readonly port: number) {}

  public get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  public reset(): void {
    this.requests = [];
    this.responses = [];
  }

  /** Body bytes of successful blob downloads (GET .../blobs/sha256:...): what was pulled. */
  public blobBytes(): number {
    const pulled = (r: string, i: number) => /^GET \S*\/blobs\/sha256:/.test(r) && this.responses[i].status < 300;
    return this.requests.reduce((sum, r, i) => sum + (pulled(r, i) ? this.responses[i].bytes : 0), 0);
  }

  public async setMode(mode: ProxyMode): Promise<void> {
    if (mode === this.mode) return;
    await this.close();
    this.mode = mode;
    if (mode === 'refuse') return;
    const server = mode === 'forward' ? http.createServer((req, res) => this.forward(req, res)) : net.createServer(() => undefined);
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.server = server;
  }

  public async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const index = this.requests.push(`${req.method} ${req.url}`) - 1;
    const response = (this.responses[index] = { status: 0, bytes: 0 });
    const [hostname, port] = this.target.split(':');
    // The Host header goes through unchanged: the registry builds upload URLs from it.
    const upstream = http.request({ hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (up) => {
      response.status = up.statusCode ?? 502;
      res.writeHead(response.status, up.headers);
      up.on('data', (chunk: Buffer) => {
        response.bytes += chunk.length;
        res.write(chunk);
        if (this.throttleBytesPerSecond) {
          up.pause();
          setTimeout(() => up.resume(), (chunk.length / this.throttleBytesPerSecond) * 1000);
        }
      });
      up.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

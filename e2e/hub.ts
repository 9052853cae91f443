/**
 * A local stand-in for the Hugging Face Hub's download path, the part the import Job meets:
 * `GET|HEAD /<repo>/resolve/<revision>/<file>` answers 302 with `X-Linked-Size` and a Location on a
 * CDN path (as the Hub does for LFS files), and the CDN path serves the bytes with Content-Length,
 * `Accept-Ranges: bytes` and 206 answers to `Range`. Counts requests and bytes sent.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import { atStop } from './harness';

export class ModelHub {
  public static async start(): Promise<ModelHub> {
    const hub = new ModelHub();
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', () => resolve()));
    // Closed by stopAll too, so a failing run does not keep the process alive.
    atStop(() => hub.close());
    return hub;
  }

  /** Every request as `METHOD path [range]`. */
  public requests: string[] = [];
  public bytesSent = 0;
  /** When set, the CDN serves this file instead of the real one (a corrupted download). */
  public corruptWith?: string;
  private readonly files = new Map<string, string>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  private constructor() {}

  public get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Serves `localFile` at `/<repository>/resolve/<revision>/<file>`. */
  public add(repository: string, revision: string, file: string, localFile: string): void {
    this.files.set(`/${repository}/resolve/${revision}/${file}`, localFile);
  }

  public reset(): void {
    this.requests = [];
    this.bytesSent = 0;
  }

  public close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    this.requests.push(`${req.method} ${url}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const resolved = this.files.get(url);
    if (resolved) {
      const size = fs.statSync(resolved).size;
      const cdn = `/cdn${url.replace('/resolve/', '/blobs/')}?expires=4102444800&signature=e2e`;
      res.writeHead(302, { 'Location': `${this.origin}${cdn}`, 'X-Linked-Size': String(size), 'Content-Length': '0' });
      res.end();
      return;
    }
    const original = this.files.get(url.replace(/^\/cdn/, '').replace(/\?.*$/, '').replace('/blobs/', '/resolve/'));
    if (!url.startsWith('/cdn/') || !original) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    const file = this.corruptWith ?? original;
    const size = fs.statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const first = range ? Number(range[1]) : 0;
    const last = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (range && first >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(last - first + 1),
      'Accept-Ranges': 'bytes',
      ...(range ? { 'Content-Range': `bytes ${first}-${last}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(file, { start: first, end: last });
    stream.on('data', (chunk) => (this.bytesSent += chunk.length));
    stream.pipe(res);
  }
}

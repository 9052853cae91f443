/**
 * A throwaway CA and a server certificate signed by it, made with the real openssl, for test
 * servers on loopback addresses that real clients (python's ssl, curl) verify as they would a
 * cluster's CA.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Files of a test PKI. */
export interface TestPki {
  readonly caCrt: string;
  readonly key: string;
  readonly crt: string;
}

const made = new Map<string, TestPki>();

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.error ?? result.stderr}`);
}

/** A CA and a serving certificate for `ips` (subject alternative names), made once per process and address list. */
export function testPki(ips: string[] = ['127.0.0.1']): TestPki {
  const id = ips.join(',');
  const known = made.get(id);
  if (known) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-pki-'));
  const f = (name: string) => path.join(dir, name);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=test-ca']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', `/CN=${ips[0]}`]);
  fs.writeFileSync(f('ext'), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext'), '-out', f('tls.crt')]);
  const pki = { caCrt: f('ca.crt'), key: f('tls.key'), crt: f('tls.crt') };
  made.set(id, pki);
  return pki;
}

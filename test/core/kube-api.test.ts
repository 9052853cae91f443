/**
 * src/core/scripts/kube-api.py, the Kubernetes API client of the Job scripts, against the stand-in
 * API server (fixtures/fake-kube-api.js) over real TLS.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeKubeApi, realPython3 } from '../fake-kube-api';

jest.setTimeout(60_000);

const CLIENT = path.resolve(__dirname, '..', '..', 'src', 'core', 'scripts', 'kube-api.py');

let dir: string;
let api: FakeKubeApi;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-api-'));
  fs.mkdirSync(path.join(dir, 'ns', 'apps'), { recursive: true });
  api = await FakeKubeApi.start(dir);
});
afterEach(async () => {
  await api.stop();
});

function client(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(realPython3(), ['-I', CLIENT, ...args], { encoding: 'utf8', env: { ...api.env(), ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function store(name: string, data: Record<string, string>): void {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  fs.writeFileSync(path.join(dir, 'ns', 'apps', `${name}.json`), JSON.stringify({ metadata: { name, namespace: 'apps' }, data: encoded }));
}

describe('kube-api.py', () => {
  test('reads secret state, keys and decoded values', () => {
    store('s', { b: 'two', a: 'one\n', empty: '' });
    expect(client(['secret-state', 'apps', 's']).stdout).toBe('present\n');
    expect(client(['secret-state', 'apps', 'missing']).stdout).toBe('absent\n');
    expect(client(['secret-keys', 'apps', 's']).stdout).toBe(' a b empty');
    expect(client(['secret-keys', 'apps', 's', '--non-empty']).stdout).toBe(' a b');
    expect(client(['secret-value', 'apps', 's', 'a']).stdout).toBe('one\n');
    expect(client(['secret-value', 'apps', 's', 'nope'])).toMatchObject({ status: 0, stdout: '' });
  });

  test('creates a labelled Secret from files, and reports an existing one without touching it', () => {
    const value = path.join(dir, 'value');
    fs.writeFileSync(value, 'p\u00e4ss\n');
    const create = ['create-secret', 'apps', 'new', '--type', 'kubernetes.io/tls', '--label', 'a=b', '--from-file', `k=${value}`];
    expect(client(create)).toMatchObject({ status: 0, stdout: 'created\n' });
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'ns', 'apps', 'new.json'), 'utf8'));
    expect(stored).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'new', namespace: 'apps', labels: { a: 'b' } } });
    expect(Buffer.from(stored.data.k, 'base64').toString('utf8')).toBe('p\u00e4ss\n');
    fs.writeFileSync(value, 'other');
    expect(client(create)).toMatchObject({ status: 0, stdout: 'exists\n' });
    expect(Buffer.from(JSON.parse(fs.readFileSync(path.join(dir, 'ns', 'apps', 'new.json'), 'utf8')).data.k, 'base64').toString()).toBe('p\u00e4ss\n');
  });

  test('gets and creates any object by API path', () => {
    const obj = { apiVersion: 'velero.io/v1', kind: 'Backup', metadata: { name: 'b1', namespace: 'velero' } };
    const file = path.join(dir, 'backup.json');
    fs.writeFileSync(file, JSON.stringify(obj));
    const collection = '/apis/velero.io/v1/namespaces/velero/backups';
    expect(client(['create', collection, file]).stdout).toBe('created\n');
    expect(client(['create', collection, file]).stdout).toBe('exists\n');
    expect(JSON.parse(client(['get', `${collection}/b1`]).stdout)).toEqual(obj);
    expect(client(['get', `${collection}/b2`])).toMatchObject({ status: 4, stderr: expect.stringContaining('HTTP 404 NotFound') });
  });

  test('exit 3 on Forbidden (namespace or Role not there yet), 4 on NotFound, with the Status message', () => {
    expect(client(['secret-state', 'other', 's'])).toMatchObject({ status: 3, stderr: expect.stringContaining('HTTP 403 Forbidden: secrets "s" is forbidden') });
    expect(client(['secret-keys', 'apps', 'missing'])).toMatchObject({ status: 4, stderr: expect.stringContaining('secrets "missing" not found') });
  });

  test('verifies the API server certificate against the CA file', () => {
    const result = client(['secret-state', 'apps', 's'], { KUBE_CA_FILE: '/etc/ssl/certs/ca-certificates.crt' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the API server at https:\/\/127\.0\.0\.1:\d+: .*CERTIFICATE_VERIFY_FAILED/);
  });

  test('re-reads the token for every request (the kubelet rotates it) and reports 401', () => {
    expect(client(['secret-state', 'apps', 's']).status).toBe(0);
    const token = path.join(dir, 'client-token');
    fs.writeFileSync(token, 'stale-token\n');
    expect(client(['secret-state', 'apps', 's'], { KUBE_TOKEN_FILE: token })).toMatchObject({ status: 1, stderr: expect.stringContaining('HTTP 401 Unauthorized') });
  });

  test('defaults to the in-cluster Service address, brackets an IPv6 host, and does not guess outside a Pod', () => {
    const env = { KUBE_API_URL: '', KUBERNETES_SERVICE_HOST: '::1', KUBERNETES_SERVICE_PORT: String(api.port + 1) };
    const result = client(['secret-state', 'apps', 's'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot reach the API server at https://[::1]:${api.port + 1}`);
    const outside = client(['secret-state', 'apps', 's'], { KUBE_API_URL: '', KUBERNETES_SERVICE_HOST: '' });
    expect(outside).toMatchObject({ status: 2, stderr: expect.stringContaining('not running in a Pod?') });
  });

  test('usage errors exit 2 before any request', () => {
    api.resetCalls();
    expect(client(['frobnicate']).status).toBe(2);
    expect(client(['secret-state', 'apps']).status).toBe(2);
    expect(client(['create-secret', 'apps', 'x', '--from-file', 'k=/nonexistent']).status).toBe(2);
    expect(client(['create-secret', 'apps', 'x', '--bogus', 'v']).status).toBe(2);
    expect(api.calls()).toEqual([]);
  });
});

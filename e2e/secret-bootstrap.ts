/**
 * The secret bootstrap Jobs against a real API server (each run as a `JobScript`: as its
 * ServiceAccount, with the goharbor/prepare image's executables). What its spec declares is read
 * back as the cluster admin and every value checked against its generator.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane } from './control-plane';
import { tempDir } from './harness';
import { JobScript } from './job-script';

/** One `key` line of a spec: the generator and its arguments. */
export interface DeclaredKey {
  readonly key: string;
  readonly generator: string;
  readonly args: string[];
}

/** A `secret` line with its keys and the namespaces it is copied to. */
export interface DeclaredSecret {
  readonly name: string;
  readonly type: string;
  readonly keys: DeclaredKey[];
  readonly copies: string[];
}

/** The Secrets a secret bootstrap spec declares (format 1, see bootstrap-secrets.sh). */
export function parseSecretSpec(spec: string): DeclaredSecret[] {
  const secrets: { name: string; type: string; keys: DeclaredKey[]; copies: string[] }[] = [];
  for (const line of spec.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [word, ...rest] = line.split(/\s+/);
    const current = secrets[secrets.length - 1];
    if (word === 'secret') secrets.push({ name: rest[0], type: rest[1], keys: [], copies: [] });
    else if (word === 'key') current.keys.push({ key: rest[0], generator: rest[1], args: rest.slice(2) });
    else if (word === 'copy') current.copies.push(rest[0]);
    else throw new Error(`unexpected secret spec line: ${line}`);
  }
  return secrets;
}

export interface BootstrapJob {
  readonly script: JobScript;
  readonly declared: DeclaredSecret[];
  /** Runs the Job's command once; returns its exit status and output. */
  run(): Promise<{ status: number | null; output: string }>;
}

/** The secret bootstrap Jobs of the synthesized objects, in apply order. */
export function secretBootstrapJobs(plane: ControlPlane, objects: any[]): BootstrapJob[] {
  return objects.filter((o) => o.kind === 'Job' && o.metadata.name.includes('secret-bootstrap')).map((job) => {
    const script = new JobScript(objects, job);
    return {
      script,
      declared: parseSecretSpec(script.configMapFile(script.container.command[2])),
      run: async () => {
        const work = tempDir('secret-bootstrap-work');
        const run = await script.run(plane, { BOOTSTRAP_WORK_DIR: work, TMPDIR: work, BOOTSTRAP_POLL_SECONDS: '1' });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
      },
    };
  });
}

/** A Secret's data, decoded. */
export function secretData(secret: any): Record<string, string> {
  return Object.fromEntries(Object.entries<string>(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * Checks one generated value against its generator; returns what is wrong, or undefined.
 * `data` holds the Secret's other keys, `source` a Secret an `awscreds` key derives from.
 */
export function checkGeneratedValue(declared: DeclaredKey, data: Record<string, string>, source?: Record<string, string>): string | undefined {
  const value = data[declared.key];
  if (value === undefined) return 'missing';
  const [a1, a2, a3] = declared.args;
  switch (declared.generator) {
    case 'random':
      return new RegExp(`^[A-Za-z0-9]{${a1}}$`).test(value) ? undefined : `not ${a1} characters of [A-Za-z0-9]`;
    case 'password':
      return new RegExp(`^[A-Za-z0-9]{${a1}}$`).test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value)
        ? undefined : `not ${a1} characters of [A-Za-z0-9] with each of A-Z, a-z and 0-9`;
    case 'htpasswd': {
      if (!value.startsWith(`${a1}:$2y$`)) return `not a bcrypt htpasswd line for ${a1}`;
      return succeeds(['htpasswd', '-vb', writeTemp(value), a1, data[a2]]) ? undefined : `does not verify the password of key ${a2}`;
    }
    case 'rsa':
      if (!value.startsWith('-----BEGIN RSA PRIVATE KEY-----')) return 'not a PKCS#1 PEM RSA key';
      return succeeds(['openssl', 'rsa', '-in', writeTemp(value), '-check', '-noout']) && opensslText(['rsa', '-in', writeTemp(value), '-noout', '-text']).includes(`(${a1} bit`)
        ? undefined : `not a valid ${a1}-bit RSA key`;
    case 'cert': {
      const subject = opensslText(['x509', '-in', writeTemp(value), '-noout', '-subject']);
      if (!subject.includes(`CN = ${a2}`) && !subject.includes(`CN=${a2}`)) return `subject is ${subject.trim()}, not CN ${a2}`;
      const certKey = opensslText(['x509', '-in', writeTemp(value), '-noout', '-pubkey']);
      const ownKey = opensslText(['rsa', '-in', writeTemp(data[a1]), '-pubout']);
      if (certKey !== ownKey) return `not the certificate of key ${a1}`;
      return succeeds(['openssl', 'x509', '-in', writeTemp(value), '-noout', '-checkend', String((Number(a3) - 1) * 86400)]) ? undefined : `expires before ${a3} days`;
    }
    case 'awscreds':
      return source && value === `[default]\naws_access_key_id=${source[a2]}\naws_secret_access_key=${source[a3]}\n`
        ? undefined : `not the shared-credentials file of ${a1}'s ${a2} and ${a3}`;
    default:
      return `unknown generator ${declared.generator}`;
  }
}

function writeTemp(content: string): string {
  const file = path.join(tempDir('value'), 'v');
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** Whether a command (openssl, htpasswd) accepts the value. */
function succeeds(command: string[]): boolean {
  return spawnSync(command[0], command.slice(1), { encoding: 'utf8' }).status === 0;
}

function opensslText(args: string[]): string {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

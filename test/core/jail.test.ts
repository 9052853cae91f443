/**
 * The PATH jail of test/jail.ts: it holds exactly an image's declared executables, each backed by
 * the right kind of host tool, and a script calling anything else fails with "not found".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlatformImage } from '../../src';
import { CONTAINER_SCRIPT_IMAGES, Jail, commandName, imageJail } from '../jail';

const SCRIPTS_ROOT = path.join(__dirname, '..', '..', 'src');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jail-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function script(name: string, lines: string[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const prepare = imageJail(PlatformImage.HARBOR_PREPARE);
const seaweedfs = imageJail(PlatformImage.SEAWEEDFS, {
  omit: ['awk'],
  standIns: { weed: path.join(__dirname, '..', 'seaweedfs', 'fixtures', 'bin', 'weed') },
});
afterAll(() => {
  prepare.jail?.remove();
  seaweedfs.jail?.remove();
});

const skipped = (reason?: string) => (reason ? ` (skipped: ${reason})` : '');

(prepare.jail ? describe : describe.skip)(`a jail of goharbor/prepare${skipped(prepare.skipReason)}`, () => {
  const jail = prepare.jail as Jail;

  test('holds exactly the declared executables', () => {
    expect(jail.commands).toEqual(PlatformImage.HARBOR_PREPARE.contents.executables.map(commandName).sort());
    expect(jail.commands).toEqual(expect.arrayContaining(['sh', 'python3', 'curl', 'openssl', 'htpasswd', 'tr', 'base64', 'grep']));
    expect(jail.commands).not.toContain('sed');
  });

  test('each executable is the kind of tool the image has: bash as sh, python3 stdlib, GNU coreutils, toybox grep', () => {
    const result = jail.run(script('prepare-tools.sh', [
      'set -eu',
      'echo "sh: bash $BASH_VERSION posix=$(shopt -o posix | tr -s "\\t " " ")"',
      'python3 -c "import base64, json, ssl, urllib.request; print(\'python3:\', json.dumps(base64.b64encode(b\'ok\').decode()))"',
      'echo "curl: $(curl --version | head -n 1)"',
      'echo "openssl: $(openssl version)"',
      "htpasswd -nbB user secret | grep -qF 'user:$2y$' && echo 'htpasswd: bcrypt'",
      'for t in tr base64 head wc mktemp date cat mkdir rm sleep; do $t --version | head -n 1 | grep -q "GNU coreutils" || { echo "$t is not GNU" >&2; exit 1; }; done',
      'echo "coreutils: $(printf abc | tr a-c A-C) $(printf hi | base64) $(date -u -d @0 +%Y) $(printf xyz | wc -c)"',
      'echo "toybox: $(grep --version 2>&1 | head -n 1)"',
    ]));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^sh: bash 5\.\S+ posix=posix on$/m);
    expect(result.stdout).toContain('python3: "b2s="');
    expect(result.stdout).toMatch(/^curl: curl \d/m);
    expect(result.stdout).toMatch(/^openssl: OpenSSL \d/m);
    expect(result.stdout).toContain('htpasswd: bcrypt');
    expect(result.stdout).toContain('coreutils: ABC aGk= 1970 3');
    expect(result.stdout).toMatch(/^toybox: toybox 0\.8\.9$/m);
  });

  test('a script calling a tool the image does not declare fails with "not found"', () => {
    const result = jail.run(script('uses-awk.sh', ['set -eu', "echo a b | awk '{ print $2 }'", 'echo unreachable']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/awk: (command )?not found/);
    expect(result.stdout).not.toContain('unreachable');
    for (const tool of ['awk', 'kubectl', 'jq', 'env']) {
      expect(jail.run(script(`has-${tool}.sh`, [`command -v ${tool}`])).status).not.toBe(0);
    }
  });
});

(seaweedfs.jail ? describe : describe.skip)(`a jail of the seaweedfs image without awk${skipped(seaweedfs.skipReason)}`, () => {
  test('create-buckets.sh fails with "awk: not found" instead of running with a host awk', () => {
    const state = fs.mkdtempSync(path.join(work, 'weed-'));
    const result = (seaweedfs.jail as Jail).run(path.join(SCRIPTS_ROOT, 'seaweedfs', 'scripts', 'create-buckets.sh'), [], {
      env: { FAKE_WEED_STATE: state, SEAWEEDFS_MASTER: 'm:9333', SEAWEEDFS_FILER: 'f:8888', BUCKETS: 'velero', TMPDIR: work },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/awk: not found/);
    expect(result.stdout).not.toContain('done:');
  });
});

describe('jail construction', () => {
  test('a stand-in may only replace an executable the image declares', () => {
    expect(() => Jail.create(PlatformImage.ORAS, { standIns: { jq: '/bin/true' } }))
      .toThrow("jail: the oras image does not declare 'jq'");
    expect(() => Jail.create(PlatformImage.ORAS, { omit: ['kubectl'] })).toThrow("does not declare 'kubectl'");
  });

  test('an image without sh runs no script', () => {
    const { jail } = imageJail(PlatformImage.VELERO_PLUGIN_AWS, { standIns: { 'cp-plugin': '/bin/true' } });
    try {
      expect(jail!.commands).toEqual(['cp-plugin']);
      expect(() => jail!.shell).toThrow('the velero-plugin-for-aws image declares no sh, so no script can run in it');
    } finally {
      jail?.remove();
    }
  });

  describe('a missing host tool', () => {
    const saved = process.env.CI;
    afterEach(() => {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    });
    const noHostTools = { hostDirs: [work] };

    test('skips with the reason on a developer machine', () => {
      delete process.env.CI;
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const result = imageJail(PlatformImage.SEAWEEDFS, noHostTools);
        expect(result.jail).toBeUndefined();
        expect(result.skipReason).toBe("the seaweedfs image's sh: busybox is not installed (apt-get install busybox)");
        expect(stderr).toHaveBeenCalledWith(expect.stringContaining('[jail] skipped:'));
      } finally {
        stderr.mockRestore();
      }
    });

    test('fails with CI=true', () => {
      process.env.CI = 'true';
      expect(() => imageJail(PlatformImage.HARBOR_PREPARE, noHostTools)).toThrow(/^CI=true and the harbor-prepare image's sh: bash is not installed/);
    });
  });
});

test('every container script has its image recorded', () => {
  const scripts = fs.readdirSync(SCRIPTS_ROOT, { recursive: true }).map(String).filter((f) => /(^|\/)scripts\/[^/]+\.sh$/.test(f)).map((f) => path.basename(f));
  expect(Object.keys(CONTAINER_SCRIPT_IMAGES).sort()).toEqual(scripts.sort());
  for (const image of Object.values(CONTAINER_SCRIPT_IMAGES)) expect(image.executable('sh')).toBeDefined();
});

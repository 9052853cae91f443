/**
 * Free text a user can type is checked the way the consuming program parses it: CIDRs and addresses
 * like Go's net package, label/annotation keys, label values and tolerations like the API server,
 * image references like distribution/reference, schedules like Velero's robfig/cron, TTLs like Go's
 * time.ParseDuration. Each bad value here was accepted before.
 */
import { Testing } from 'cdk8s';
import { cronProblem, isTimeZone } from '../../src/core/cron';
import { PropValidationError } from '../../src/core/errors';
import { parseImageReference, requireRegistryPrefix } from '../../src/core/image-reference';
import { ImageCatalog, PlatformImage } from '../../src/core/images';
import { isCidr, isIpAddress } from '../../src/core/ip-address';
import { labelValueProblem, qualifiedNameProblem, requireAnnotations, requireLabels, requireTolerations } from '../../src/core/kube-syntax';
import { requireCidr, requireIpAddress, requirePort } from '../../src/core/validate';
import { HarborExposure } from '../../src/harbor/exposure';
import { HarborModelRegistry } from '../../src/harbor/harbor-model-registry';
import { SeaweedFSStorage } from '../../src/seaweedfs/seaweedfs-storage';
import { build } from '../backup/helpers';
import { propErrorOf } from '../prop-errors';

const at = { construct: 'Test', prop: 'p' };

describe('CIDRs and IP addresses as Go net.ParseCIDR / net.ParseIP read them', () => {
  test.each(['10.0.0.0/8', '0.0.0.0/0', '169.254.20.10/32', '::/0', '::1/128', 'fd00::/8', 'FD00::AB/64', '::ffff:10.0.0.1/128',
    '1:2:3:4:5:6:7:8/64', '1::8/64', '1:2:3:4:5:6:1.2.3.4/96', '10.0.0.0/08'])('accepts %s', (cidr) => {
    expect(isCidr(cidr)).toBe(true);
    expect(requireCidr(at, cidr, 'fix')).toBe(cidr);
  });

  test.each([
    '010.0.0.0/8', // leading zero: octal in old parsers, refused by Go >= 1.17
    '10.0.0.01/32',
    '256.0.0.0/8',
    '10.0.0/8',
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/+8',
    '10.0.0.0',
    '1:2:3:4:5:6:7:8:9/64', // nine groups
    '::1::/64', // two "::"
    '1:2:3:4:5:6:7::8/64', // "::" standing for no group
    '12345::/16', // five hex digits
    '1.2.3.4::/64', // IPv4 not at the end
    '::ffff:01.2.3.4/128',
    'fe80::1%eth0/64', // zone
    ':1::/64',
    '::/129',
    'g::/64',
  ])('refuses %s', (cidr) => {
    expect(isCidr(cidr)).toBe(false);
    const error = propErrorOf(() => requireCidr(at, cidr, 'fix'));
    expect(error.message).toContain(`got ${JSON.stringify(cidr)}`);
  });

  test('addresses: same grammar, no prefix length', () => {
    for (const ok of ['169.254.20.10', '::1', 'fd00::10', '::ffff:1.2.3.4']) expect(isIpAddress(ok)).toBe(true);
    for (const bad of ['169.254.020.10', '10.0.0.0/8', '1::2::3', 'fe80::1%eth0', '']) {
      expect(isIpAddress(bad)).toBe(false);
      propErrorOf(() => requireIpAddress(at, bad, 'fix'));
    }
  });

  test('ports are integers 1-65535', () => {
    expect(requirePort(at, 1)).toBe(1);
    expect(requirePort(at, 65535)).toBe(65535);
    for (const bad of [0, 65536, -1, 80.5, NaN, '8080', null]) propErrorOf(() => requirePort(at, bad as any));
  });
});

describe('label and annotation keys, label values, tolerations as the API server validates them', () => {
  test.each(['app', 'app.kubernetes.io/name', 'nvidia.com/gpu.present', 'A_b.c-D', 'x'.repeat(63), `${'a'.repeat(253)}/n`])('key %s is a qualified name', (key) => {
    expect(qualifiedNameProblem(key)).toBeUndefined();
  });

  test.each([
    ['-bad', 'start and end with a letter or digit'],
    ['bad-', 'start and end with a letter or digit'],
    ['x'.repeat(64), '64 characters'],
    ['a/b/c', 'more than one "/"'],
    ['/name', 'prefix before "/" is empty'],
    ['Example.com/name', 'not a DNS subdomain'],
    [`${'a'.repeat(254)}/n`, 'not a DNS subdomain'],
    ['example.com/', 'name part is empty'],
    ['bad key', 'letters, digits'],
    ['', 'name part is empty'],
  ])('key %p is refused (%s)', (key, problem) => {
    expect(qualifiedNameProblem(key)).toContain(problem);
    const error = propErrorOf(() => requireLabels(at, { [key]: 'v' }, "{ app: 'x' }"));
    expect(error.prop).toBe(`p.${key}`);
  });

  test('label values: at most 63 characters of the label charset, empty allowed', () => {
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('v1.0_rc-2')).toBeUndefined();
    expect(labelValueProblem('x'.repeat(63))).toBeUndefined();
    expect(labelValueProblem('x'.repeat(64))).toContain('64 characters');
    expect(labelValueProblem('-x')).toBeDefined();
    expect(labelValueProblem('a b')).toBeDefined();
    expect(labelValueProblem(1 as any)).toBe('not a string');
    expect(propErrorOf(() => requireLabels(at, { app: 'x'.repeat(64) }, '{}')).prop).toBe('p.app');
    expect(propErrorOf(() => requireLabels(at, null as any, '{}')).prop).toBe('p');
    expect(propErrorOf(() => requireLabels(at, {}, '{}', true)).prop).toBe('p');
  });

  test('annotation keys are qualified names checked in lower case; values are strings', () => {
    expect(requireAnnotations(at, { 'Nginx.Ingress.Kubernetes.IO/proxy-body-size': '0' }, '{}')).toEqual({ 'Nginx.Ingress.Kubernetes.IO/proxy-body-size': '0' });
    expect(propErrorOf(() => requireAnnotations(at, { 'nginx.ingress.kubernetes.io/': '0' }, '{}')).prop).toBe('p.nginx.ingress.kubernetes.io/');
    expect(propErrorOf(() => requireAnnotations(at, { 'a b': '0' }, '{}')).prop).toBe('p.a b');
    expect(propErrorOf(() => requireAnnotations(at, { timeout: 1800 as any }, '{}')).prop).toBe('p.timeout');
  });

  test('tolerations: operator, value, effect and tolerationSeconds rules', () => {
    expect(requireTolerations(at, [{ operator: 'Exists' }], '[]')).toEqual([{ operator: 'Exists' }]);
    expect(requireTolerations(at, [{ key: 'gpu', effect: 'NoExecute', tolerationSeconds: 300 }], '[]', 'Equal'))
      .toEqual([{ key: 'gpu', operator: 'Equal', effect: 'NoExecute', tolerationSeconds: 300 }]);
    const cases: Array<[any, string]> = [
      [{ key: 'gpu', operator: 'In' }, 'p[0].operator'],
      [{ key: 'gpu', operator: 'Exists', value: 'x' }, 'p[0].value'],
      [{ key: 'gpu', operator: 'Equal', value: 'x'.repeat(64) }, 'p[0].value'],
      [{ key: '-gpu', operator: 'Exists' }, 'p[0].key'],
      [{ operator: 'Equal', value: 'x' }, 'p[0].key'],
      [{ key: 'gpu', operator: 'Exists', effect: 'NoRun' }, 'p[0].effect'],
      [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 }, 'p[0].tolerationSeconds'],
      [{ key: 'gpu', operator: 'Exists', efect: 'NoSchedule' }, 'p[0].efect'],
      [null, 'p[0]'],
    ];
    for (const [toleration, prop] of cases) expect(propErrorOf(() => requireTolerations(at, [toleration], '[]')).prop).toBe(prop);
    expect(propErrorOf(() => requireTolerations(at, {} as any, '[]')).prop).toBe('p');
  });
});

describe('image references, tags and the registry prefix as distribution/reference parses them', () => {
  test.each([
    'docker.io/chrislusf/seaweedfs:3.73',
    'registry.local:5000/sw:3.73_large_disk',
    'localhost/a/b:1',
    '[fd00::1]:5000/velero/velero:v1.18.2',
    `registry.local/sw@sha256:${'a'.repeat(64)}`,
    `registry.local/sw:3.73@sha256:${'a'.repeat(64)}`,
    'velero/velero:v1.18.2',
    'reg.io/a__b/c-d--e.f:1',
  ])('accepts %s', (reference) => {
    expect(typeof parseImageReference(reference)).toBe('object');
  });

  test.each([
    ['reg.io/Upper:1', 'path component'],
    ['reg.io/a..b:1', 'path component'],
    ['reg.io/a___b:1', 'path component'],
    ['reg.io/-a:1', 'path component'],
    ['reg.io/a:-1', 'tag'],
    ['reg.io/a:.1', 'tag'],
    [`reg.io/a:${'x'.repeat(129)}`, 'tag'],
    ['reg.io/a:1:2', 'tag'],
    [`reg.io/a@sha256:${'A'.repeat(64)}`, 'digest'],
    [`reg.io/a@sha256:${'a'.repeat(63)}`, 'digest'],
    [`reg.io/a@md5:${'a'.repeat(32)}`, 'digest'],
    ['-reg.io/a:1', 'host name'],
    ['reg.io:x/a:1', 'host[:port]'],
    ['reg.io//a:1', 'path component'],
    [`reg.io/${'a'.repeat(256)}:1`, 'at most 255'],
  ])('refuses %s (%s)', (reference, problem) => {
    expect(parseImageReference(reference)).toContain(problem);
  });

  test('overrides must parse and be pinned', () => {
    const error = propErrorOf(() => new ImageCatalog({ overrides: { seaweedfs: 'registry.local/SeaweedFS:3.73' } }));
    expect(error.prop).toBe('overrides.seaweedfs');
    expect(error.allowed).toContain('path component "SeaweedFS"');
    expect(propErrorOf(() => new ImageCatalog({ overrides: 'x' as any })).prop).toBe('overrides');
  });

  test('a registry prefix without a registry host (Docker Hub) is refused with the fix', () => {
    const error = propErrorOf(() => new ImageCatalog({ registryPrefix: 'mirror/library' }));
    expect(error.prop).toBe('registryPrefix');
    expect(error.allowed).toContain('images would be pulled from Docker Hub');
    expect(error.fix).toContain('"registry.example.com/mirror/library"');
    for (const bad of ['mirror', 'registry.local/Mirror', 'registry.local/mi..rror', 'https://registry.local', 'registry.local:port', '']) {
      propErrorOf(() => requireRegistryPrefix(at, bad));
    }
    expect(requireRegistryPrefix(at, 'localhost:5000/')).toBe('localhost:5000');
    expect(new ImageCatalog({ registryPrefix: 'registry.example.com/mirror' }).resolve(PlatformImage.ORAS))
      .toBe('registry.example.com/mirror/oras-project/oras:v1.3.3');
  });

  test('SeaweedFS version is an image tag and a release', () => {
    for (const bad of ['3.73 ', '3.73;rm', '.3.73', `3.73_${'x'.repeat(130)}`, '']) {
      const error = propErrorOf(() => new SeaweedFSStorage(Testing.chart(), 's', { version: bad }));
      expect([error.construct, error.prop]).toEqual(['SeaweedFSStorage', 'version']);
    }
    expect(new SeaweedFSStorage(Testing.chart(), 's', { version: '3.73_large_disk' }).image).toBe('docker.io/chrislusf/seaweedfs:3.73_large_disk');
  });

  test('Harbor version is a 2.14 patch release, as the README says', () => {
    for (const bad of ['v2.13.1', 'v2.15.0', '2.14.4', 'v2.14', 'v2.14.04', 'v2.14.4-rc1', 'latest']) {
      const error = propErrorOf(() => new HarborModelRegistry(Testing.chart(), 'h', { version: bad }));
      expect([error.construct, error.prop]).toEqual(['HarborModelRegistry', 'version']);
      expect(error.fix).toContain('"v2.14.4"');
    }
    expect(new HarborModelRegistry(Testing.chart(), 'h', { version: 'v2.14.5' }).version).toBe('v2.14.5');
  });

  test('Ingress annotation keys are checked', () => {
    const error = propErrorOf(() => new HarborModelRegistry(Testing.chart(), 'h', {
      exposure: HarborExposure.ingress({ host: 'harbor.example.com', annotations: { 'nginx.ingress.kubernetes.io/proxy body size': '0' } }),
      externalURL: 'https://harbor.example.com',
    }));
    expect(error.prop).toBe('exposure.annotations.nginx.ingress.kubernetes.io/proxy body size');
  });
});

describe('Velero schedules as robfig/cron v3 ParseStandard reads them', () => {
  test.each([
    '0 0 31 2 *', // never happens, but parses
    '*/15 * * * *', '0 2 * * MON-FRI', '0 2 ? * sun', '0 0 1 jan,Jul *', '5/10 * * * *', '*-5 * * * *', '+5 05 * * *',
    '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@every 6h', '@every 1h30m', '@every 1s',
    'CRON_TZ=Europe/Berlin 0 2 * * *', 'TZ=UTC @daily', 'TZ= 0 2 * * *', 'TZ=US/Eastern 0 3 * * *', 'TZ=UTC   0 3 * * *',
    ' 0 2 * * *', '0\t2 * * *',
  ])('accepts %p', (spec) => {
    expect(cronProblem(spec)).toBeUndefined();
  });

  test.each([
    ['61 * * * *', '61 is above the maximum 59'],
    ['0 24 * * *', '24 is above the maximum 23'],
    ['0 0 0 * *', '0 is below the minimum 1'],
    ['0 0 * 13 *', '13 is above the maximum 12'],
    ['0 0 * * 7', '7 is above the maximum 6'],
    ['0 0 * * FRI-MON', 'range start 5 is after its end 1'],
    ['*/0 * * * *', 'step must be positive'],
    ['1/2/3 * * * *', 'more than one "/"'],
    ['1-2-3 * * * *', 'more than one "-"'],
    ['1,,2 * * * *', 'empty list element'],
    [', * * * *', 'empty list element'],
    ['0 * * *', 'expected exactly 5 fields, got 4'],
    ['0 0 * * * *', 'expected exactly 5 fields, got 6'],
    ['@every 90x', '"@every" needs a Go duration'],
    ['@every 500ms', 'below one second'],
    ['@every -1h', 'below one second'],
    ['@every  1h', '"@every" needs a Go duration'],
    ['@daily ', 'unknown descriptor'],
    ['@Daily', 'unknown descriptor'],
    ['TZ=Mars/Base 0 * * * *', 'unknown time zone "Mars/Base"'],
    ['CRON_TZ=europe/berlin 0 2 * * *', 'unknown time zone'],
    ['TZ=UTC', 'followed by a space'],
    ['', 'empty'],
  ])('refuses %p (%s)', (spec, problem) => {
    expect(cronProblem(spec)).toContain(problem);
  });

  test('time zones as Go LoadLocation finds them', () => {
    for (const zone of ['', 'UTC', 'Local', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Asia/Kolkata']) expect(isTimeZone(zone)).toBe(true);
    for (const zone of ['Mars/Base', 'europe/berlin', 'Europe/BERLIN', '../etc/passwd', '/etc/localtime', 'UTC ']) expect(isTimeZone(zone)).toBe(false);
  });

  test('scheduleNamespace and backupNamespace refuse bad cron and TTLs with the Velero prop', () => {
    const { velero } = build();
    expect(propErrorOf(() => velero.scheduleNamespace('ai', { cron: 'TZ=Mars/Base 0 * * * *' })).allowed).toContain('unknown time zone');
    for (const ttl of ['0s', '-1h', '30m', '59m59s', '1 hour', '90x']) {
      const error = propErrorOf(() => velero.scheduleNamespace('ai', { cron: '@daily', ttl, name: `s${Math.random().toString(36).slice(2, 8)}` }));
      expect(error.prop).toBe('scheduleNamespace.ttl');
    }
    expect(propErrorOf(() => velero.backupNamespace('ai', { ttl: '10m' })).allowed).toContain('at least 1h0m0s');
    velero.scheduleNamespace('ai', { cron: 'CRON_TZ=Europe/Berlin 0 2 * * *', ttl: '1h' });
  });
});

test('errors are PropValidationErrors', () => {
  expect(propErrorOf(() => requirePort(at, 0))).toBeInstanceOf(PropValidationError);
});

import * as fc from 'fast-check';
import { ModelReference } from '../../src';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('ModelReference', () => {
  test('parses registry, repository, tag and digest', () => {
    const ref = ModelReference.parse(`harbor-core.harbor:80/ml-models/tinyllama-oras:v1.0.0-gguf@${DIGEST}`);
    expect(ref.registry).toBe('harbor-core.harbor:80');
    expect(ref.repository).toBe('ml-models/tinyllama-oras');
    expect(ref.tag).toBe('v1.0.0-gguf');
    expect(ref.digest).toBe(DIGEST);
    expect(ref.isDigestPinned).toBe(true);
    expect(ref.repositoryReference).toBe('harbor-core.harbor:80/ml-models/tinyllama-oras');
  });

  test('accepts tag-only and digest-only references', () => {
    expect(ModelReference.parse('harbor.example.com/ml-models/m:v1').digest).toBeUndefined();
    const digestOnly = ModelReference.parse(`harbor.example.com/ml-models/m@${DIGEST}`);
    expect(digestOnly.tag).toBeUndefined();
    expect(digestOnly.toString()).toBe(`harbor.example.com/ml-models/m@${DIGEST}`);
  });

  test('withDigest and withLayerDigests keep the other parts', () => {
    const ref = ModelReference.parse('harbor.example.com/ml-models/m:v1').withDigest(DIGEST).withLayerDigests([DIGEST]);
    expect(ref.toString()).toBe(`harbor.example.com/ml-models/m:v1@${DIGEST}`);
    expect(ref.layerDigests).toEqual([DIGEST]);
  });

  test.each([
    ['', /expected a reference/],
    ['tinyllama:v1', /expected a registry host before the first "\/"/],
    ['harbor.example.com/ML-Models/m:v1', /ModelReference 'repository': got "ML-Models\/m"/],
    ['harbor.example.com/ml-models/m', /ModelReference 'tag': got undefined, expected a tag, a digest, or both/],
    ['harbor.example.com/ml-models/m:-bad', /ModelReference 'tag': got "-bad"/],
    ['harbor.example.com/ml-models/m@sha256:1234', /ModelReference 'digest': got "sha256:1234", expected a digest "sha256:" followed by 64 lowercase hex/],
    ['harbor_example/ml-models/m:v1', /ModelReference 'registry': got "harbor_example"/],
  ])('rejects %j', (text, message) => {
    expect(() => ModelReference.parse(text)).toThrow(message);
  });

  test('rejects malformed layer digests', () => {
    expect(() => ModelReference.of({ registry: 'r.local', repository: 'a/b', tag: 'v1', layerDigests: ['sha256:XYZ'] }))
      .toThrow(/ModelReference 'layerDigests\[0\]': got "sha256:XYZ"/);
  });

  test('format and parse round-trip for any valid parts', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8})?$/);
    const parts = fc.record({
      registry: fc.tuple(component, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
        .map(([host, port]) => `${host}.example.com${port ? `:${port}` : ''}`),
      repository: fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join('/')),
      tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined }),
      digest: fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`), { nil: undefined }),
    }).filter((p) => p.tag !== undefined || p.digest !== undefined);
    fc.assert(fc.property(parts, (p) => {
      const text = ModelReference.of(p).toString();
      const parsed = ModelReference.parse(text);
      expect({ registry: parsed.registry, repository: parsed.repository, tag: parsed.tag, digest: parsed.digest }).toEqual(p);
      expect(parsed.toString()).toBe(text);
    }));
  });
});

import { Testing } from 'cdk8s';
import { TINYLLAMA, expectNames, platform, propErrorOf, seedProps } from './helpers';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { RobotPermission } from '../../src/harbor/robot-account';
import { ModelArtifact, ModelArtifactProps } from '../../src/models/model-artifact';
import { ModelFormat, ModelLayerType, Quantization } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';

const OPTIONS = { revision: TINYLLAMA.revision, sha256: TINYLLAMA.sha256, sizeBytes: TINYLLAMA.sizeBytes };

/** Constructs the seed artifact with `extra` over its props. */
function build(extra: Partial<ModelArtifactProps> = {}): ModelArtifact {
  const p = platform();
  return new ModelArtifact(p.chart, 'tinyllama', seedProps(p, extra));
}

describe('ModelArtifact rejects bad input, naming construct, prop and value', () => {
  test('malformed repository', () => {
    const error = propErrorOf(() => build({ repository: 'TinyLlama Oras' }));
    expectNames(error, 'ModelArtifact', 'repository', '"TinyLlama Oras"');
    expect(error.allowed).toContain('lowercase repository path');
  });

  test('malformed tag', () => {
    expectNames(propErrorOf(() => build({ tag: '-v1' })), 'ModelArtifact', 'tag', '"-v1"');
    expectNames(propErrorOf(() => build({ tag: 'v1:latest' })), 'ModelArtifact', 'tag', '"v1:latest"');
  });

  test('malformed sha256', () => {
    const error = propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, { ...OPTIONS, sha256: `sha256:${TINYLLAMA.sha256}` }));
    expectNames(error, 'ModelSource', 'fromHuggingFace.sha256', `"sha256:${TINYLLAMA.sha256}"`);
    expect(error.allowed).toContain('64 hex characters');
    expectNames(propErrorOf(() => ModelSource.fromUrl('https://x.example.com/m.gguf', { sha256: 'abc', sizeBytes: 1 })), 'ModelSource', 'fromUrl.sha256', '"abc"');
  });

  test('param size 1.1X', () => {
    const error = propErrorOf(() => build({ paramSize: '1.1X' }));
    expectNames(error, 'ModelArtifact', 'paramSize', '"1.1X"');
    expect(error.fix).toContain('"1.1B"');
    for (const bad of ['1.15B', '0B', '1,1B', 'B', '1.1b']) expectNames(propErrorOf(() => build({ paramSize: bad })), 'ModelArtifact', 'paramSize', JSON.stringify(bad));
  });

  test('negative size', () => {
    const error = propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, { ...OPTIONS, sizeBytes: -1 }));
    expectNames(error, 'ModelSource', 'fromHuggingFace.sizeBytes', '-1');
    expectNames(propErrorOf(() => ModelSource.fromUrl('https://x.example.com/m.gguf', { sha256: 'a'.repeat(64), sizeBytes: 1.5 })), 'ModelSource', 'fromUrl.sizeBytes', '1.5');
  });

  test('robot without PUSH', () => {
    const p = platform();
    const error = propErrorOf(() => new ModelArtifact(p.chart, 'a', seedProps(p, { pushRobot: p.puller, namespace: 'ai-inference' })));
    expectNames(error, 'ModelArtifact', 'pushRobot', '"robot$ml-models+puller with permissions [pull]"');
    expect(error.allowed).toContain('RobotPermission.PUSH');
  });

  test('robot not listing the Job namespace', () => {
    const error = propErrorOf(() => build({ namespace: 'ml-jobs' }));
    expectNames(error, 'ModelArtifact', 'pushRobot', '"robot$ml-models+pusher with namespaces [model-import]"');
    expect(error.allowed).toContain('"ml-jobs"');
    expect(error.fix).toContain('add "ml-jobs" to the robot\'s namespaces');
  });

  test('robot of another project', () => {
    const p = platform();
    const other = p.harbor.addProject('scratch').addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] });
    const error = propErrorOf(() => new ModelArtifact(p.chart, 'a', seedProps(p, { pushRobot: other })));
    expectNames(error, 'ModelArtifact', 'pushRobot', '"robot$scratch+pusher"');
  });

  test('createdAt that is not an RFC 3339 timestamp', () => {
    for (const bad of ['2025-01-01', '2025-02-30T00:00:00Z', '2025-01-01 00:00:00Z', 'now']) {
      expectNames(propErrorOf(() => build({ createdAt: bad })), 'ModelArtifact', 'createdAt', JSON.stringify(bad));
    }
  });

  test('other props', () => {
    const cases: Array<[Partial<ModelArtifactProps>, string, string]> = [
      [{ architecture: 'llama 2' }, 'architecture', '"llama 2"'],
      [{ precision: 'float 16' }, 'precision', '"float 16"'],
      [{ family: '' }, 'family', '""'],
      [{ description: 'x'.repeat(1025) }, 'description', `"${'x'.repeat(116)}...`],
      [{ modelName: 'Tiny Llama' }, 'modelName', '"Tiny Llama"'],
      [{ namespace: 'Model-Import' }, 'namespace', '"Model-Import"'],
      [{ storageClassName: 'Fast SSD' }, 'storageClassName', '"Fast SSD"'],
      [{ allowedDownloadCidr: '0.0.0.0' }, 'allowedDownloadCidr', '"0.0.0.0"'],
      [{ allowedDownloadCidr: '10.0.0.0/33' }, 'allowedDownloadCidr', '"10.0.0.0/33"'],
      [{ resources: { memoryLimit: '-1Gi' } }, 'resources.memoryLimit', '"-1Gi"'],
      [{ format: 'pytorch' as ModelFormat }, 'format', '"pytorch"'],
      [{ quantization: 'Q4_K_M' as unknown as Quantization }, 'quantization', '"Q4_K_M"'],
      [{ source: 'https://x.example.com/m.gguf' as unknown as ModelSource }, 'source', '"https://x.example.com/m.gguf"'],
      [{ project: 'ml-models' as any }, 'project', '"ml-models"'],
      [{ extraFiles: [{} as ModelSource] }, 'extraFiles[0]', '{}'],
      [{ pushRobot: Testing.chart() as any }, 'pushRobot', '"a Chart"'],
    ];
    for (const [props, prop, value] of cases) expectNames(propErrorOf(() => build(props)), 'ModelArtifact', prop, value);
  });

  test('two files with one name', () => {
    const readme = (url: string) => ModelSource.fromUrl(url, { sha256: 'a'.repeat(64), sizeBytes: 10 });
    const error = propErrorOf(() => build({ extraFiles: [readme('https://a.example.com/README.md'), readme('https://b.example.com/README.md')] }));
    expectNames(error, 'ModelArtifact', 'extraFiles[1]', '"README.md"');
    expect(error.allowed).toContain('extraFiles[0] has it');
  });

  test('a source declared as another layer type than weights', () => {
    const doc = ModelSource.fromUrl('https://x.example.com/m.gguf', { sha256: 'a'.repeat(64), sizeBytes: 10, layerType: ModelLayerType.DOC });
    expectNames(propErrorOf(() => build({ source: doc })), 'ModelArtifact', 'source.layerType', '"doc"');
  });

  test('the same repository and tag imported twice into one namespace', () => {
    const p = platform();
    new ModelArtifact(p.chart, 'one', seedProps(p));
    const error = propErrorOf(() => new ModelArtifact(p.chart, 'two', seedProps(p)));
    expectNames(error, 'ModelArtifact', 'tag', '"harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf"');
  });
});

describe('ModelSource rejects bad input', () => {
  test('tokens: a SecretKeyReference, and never over http; the credential-in-URL fix points at the token option', () => {
    const options = { sha256: 'a'.repeat(64), sizeBytes: 10 };
    const token = SecretKeyReference.fromSecret('model-server-token', 'token');
    const overHttp = propErrorOf(() => ModelSource.fromUrl('http://models.example.com/m.gguf', { ...options, allowHttp: true, token }));
    expectNames(overHttp, 'ModelSource', 'fromUrl.token', '"Secret model-server-token key token with the http URL http://models.example.com/m.gguf"');
    expect(overHttp.fix).toBe('serve the file over https, or leave the token out');
    expect(ModelSource.fromUrl('https://models.example.com/m.gguf', { ...options, allowHttp: true, token }).token).toBe(token);
    const plainString = propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, { ...OPTIONS, token: 'hf_abc' as any }));
    expectNames(plainString, 'ModelSource', 'fromHuggingFace.token', '"hf_abc"');
    expect(plainString.fix).toContain("SecretKeyReference.fromSecret('hf-token', 'token')");
    const tokenInQuery = propErrorOf(() => ModelSource.fromUrl('https://models.example.com/m.gguf?token=abc', options));
    expect(tokenInQuery.fix).toContain("options.token = SecretKeyReference.fromSecret('model-server-token', 'token')");
    const hubUrl = propErrorOf(() => ModelSource.fromUrl('https://huggingface.co/org/m/resolve/main/m.gguf?token=abc', options));
    expect(hubUrl.fix).toContain("ModelSource.fromHuggingFace for files of the Hub, with options.token = SecretKeyReference.fromSecret('hf-token', 'token')");
  });

  test('Hugging Face repository, file and revision', () => {
    expectNames(propErrorOf(() => ModelSource.fromHuggingFace('TinyLlama', TINYLLAMA.file, OPTIONS)), 'ModelSource', 'fromHuggingFace.repository', '"TinyLlama"');
    expectNames(propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, '../secrets.txt', OPTIONS)), 'ModelSource', 'fromHuggingFace.file', '"../secrets.txt"');
    expectNames(propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, { ...OPTIONS, revision: 'refs/pr/1' })),
      'ModelSource', 'fromHuggingFace.revision', '"refs/pr/1"');
    expectNames(propErrorOf(() => ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, { ...OPTIONS, endpoint: 'http://hf-mirror.local' })),
      'ModelSource', 'fromHuggingFace.endpoint', '"http://hf-mirror.local"');
  });

  test('URLs: https only unless allowed, no credentials, a usable file name', () => {
    const options = { sha256: 'a'.repeat(64), sizeBytes: 10 };
    const http = propErrorOf(() => ModelSource.fromUrl('http://models.example.com/m.gguf', options));
    expectNames(http, 'ModelSource', 'fromUrl.url', '"http://models.example.com/m.gguf"');
    expect(http.fix).toContain('allowHttp');
    expect(ModelSource.fromUrl('http://models.example.com/m.gguf', { ...options, allowHttp: true }).url).toBe('http://models.example.com/m.gguf');
    const withPassword = propErrorOf(() => ModelSource.fromUrl('https://user:s3cret@models.example.com/m.gguf', options));
    expect(withPassword.message).not.toContain('s3cret');
    expectNames(withPassword, 'ModelSource', 'fromUrl.url', '"https://***@models.example.com/m.gguf"');
    expectNames(propErrorOf(() => ModelSource.fromUrl('https://models.example.com/.hidden', options)), 'ModelSource', 'fromUrl.fileName', '".hidden"');
    expectNames(propErrorOf(() => ModelSource.fromUrl('https://models.example.com/', options)), 'ModelSource', 'fromUrl.fileName', '""');
    expectNames(propErrorOf(() => ModelSource.fromUrl('https://models.example.com/m.gguf', { ...options, fileName: 'a:b' })), 'ModelSource', 'fromUrl.fileName', '"a:b"');
    expectNames(propErrorOf(() => ModelSource.fromUrl('ftp://models.example.com/m.gguf', options)), 'ModelSource', 'fromUrl.url', '"ftp://models.example.com/m.gguf"');
  });

  test('a file name from the URL, decoded; or given', () => {
    const options = { sha256: 'A'.repeat(64), sizeBytes: 10 };
    const source = ModelSource.fromUrl('https://models.example.com/files/tiny%2Dmodel.gguf?download=true', options);
    expect(source.fileName).toBe('tiny-model.gguf');
    expect(source.sha256).toBe('a'.repeat(64));
    expect(source.digest).toBe(`sha256:${'a'.repeat(64)}`);
    expect(ModelSource.fromUrl('https://models.example.com/download?id=7', { ...options, fileName: 'model.gguf' }).fileName).toBe('model.gguf');
  });

  test('Hugging Face URL with a mirror endpoint and a file in a folder', () => {
    const source = ModelSource.fromHuggingFace('org/model', 'onnx/model.onnx', { ...OPTIONS, endpoint: 'https://hf-mirror.example.com/' });
    expect(source.url).toBe(`https://hf-mirror.example.com/org/model/resolve/${TINYLLAMA.revision}/onnx/model.onnx`);
    expect(source.fileName).toBe('model.onnx');
    expect(source.huggingFaceRepository).toBe('org/model');
    expect(source.revision).toBe(TINYLLAMA.revision);
  });

  test('Quantization.custom', () => {
    expectNames(propErrorOf(() => Quantization.custom('q 4')), 'Quantization', 'custom.name', '"q 4"');
  });
});

test('a failed construction creates no objects and claims no names', () => {
  const p = platform();
  expect(() => new ModelArtifact(p.chart, 'bad', seedProps(p, { paramSize: '1.1X' }))).toThrow();
  expect(p.chart.node.findChild('bad').node.children).toEqual([]);
  expect(() => new ModelArtifact(p.chart, 'good', seedProps(p))).not.toThrow();
});

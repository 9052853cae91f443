import { Testing } from 'cdk8s';
import { VeleroKopiaBackup } from '../../src/backup/velero-kopia-backup';
import { ModelReference } from '../../src/core/model-reference';
import { S3Bucket, S3Credentials } from '../../src/core/s3-bucket';
import { SecretKeyReference } from '../../src/core/secret-reference';
import { credentialsInUrl } from '../../src/core/url';
import { InferenceModel } from '../../src/inference/inference-model';
import { LlamaInferenceService } from '../../src/inference/llama-inference-service';
import { referencedVariables } from '../../src/inference/server-args';
import { ModelSource } from '../../src/models/model-source';
import { bucketIn } from '../backup/helpers';
import { propErrorOf } from '../prop-errors';

const FILE = { sha256: 'a'.repeat(64), sizeBytes: 1000 };
const MODEL = InferenceModel.fromReference(
  ModelReference.parse('harbor.harbor.svc/ml-models/tinyllama-oras:v1.0.0-gguf'), 'tinyllama.gguf', { sizeBytes: 668788096, plainHttp: true });

describe('URLs that carry credentials are refused, and the error does not repeat them', () => {
  test.each([
    ['a password without a user', 'https://:s3cr3t@models.example.com/m.gguf', 'a password'],
    ['user and password', 'https://me:s3cr3t@models.example.com/m.gguf', 'a user name, a password'],
    ['a pre-signed S3 URL', 'https://bucket.s3.amazonaws.com/m.gguf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261203&X-Amz-Signature=s3cr3t', 'query parameter X-Amz-Credential, query parameter X-Amz-Signature'],
    ['a token parameter', 'https://models.example.com/m.gguf?token=s3cr3t', 'query parameter token'],
    ['an Azure SAS', 'https://acct.blob.core.windows.net/c/m.gguf?sv=2024-01-01&sig=s3cr3t', 'query parameter sig'],
  ])('ModelSource.fromUrl with %s', (_, url, what) => {
    const error = propErrorOf(() => ModelSource.fromUrl(url, FILE));
    expect(error.prop).toBe('fromUrl.url');
    expect(error.message).toContain(`it carries ${what}`);
    expect(error.message).not.toContain('s3cr3t');
    expect(error.fix).toMatch(/without credentials/);
  });

  test('a harmless query is kept (?download=true)', () => {
    expect(ModelSource.fromUrl('https://models.example.com/m.gguf?download=true', FILE).url).toBe('https://models.example.com/m.gguf?download=true');
  });

  test.each([
    ['S3Bucket.fromAttributes', (endpoint: string) => S3Bucket.fromAttributes({ endpoint, bucket: 'velero', region: 'us-east-1', credentials: S3Credentials.fromSecret('velero', 'creds') })],
    ['S3Bucket.withEndpoint', (endpoint: string) => bucketIn('velero').withEndpoint(endpoint)],
    ['VeleroKopiaBackup publicUrl', (endpoint: string) => new VeleroKopiaBackup(Testing.chart(), 'velero', { bucket: bucketIn('velero'), publicUrl: endpoint })],
  ])('%s: an endpoint with a password and no user', (_, build) => {
    const error = propErrorOf(() => build('http://:s3cr3t@seaweedfs-s3.seaweedfs.svc:8333'));
    expect(error.message).toContain('it carries a password');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.fix).toMatch(/Secret/);
  });

  test('the Hub mirror endpoint with a token in the query', () => {
    const error = propErrorOf(() => ModelSource.fromHuggingFace('org/model', 'm.gguf', { ...FILE, revision: 'main', endpoint: 'https://hub.example.com?access_token=s3cr3t' }));
    expect(error.message).toContain('query parameter access_token');
    expect(error.message).not.toContain('s3cr3t');
  });

  test('credentialsInUrl reads names, not values', () => {
    expect(credentialsInUrl(new URL('https://h/p?Signature=x&Key-Pair-Id=y&Expires=1'))).toEqual(['query parameter Signature', 'query parameter Key-Pair-Id']);
    expect(credentialsInUrl(new URL('https://h/p?revision=main&tokenizer=llama'))).toEqual([]);
  });
});

describe('extraArgs never reference a Secret-backed variable', () => {
  test('kubelet expansion: $(VAR) references, $$ escapes', () => {
    expect(referencedVariables('--x=$(A)-$(B)')).toEqual(['A', 'B']);
    expect(referencedVariables('$$(A) $$$(B) $(C')).toEqual(['B']);
  });

  test('$(LLAMA_API_KEY) in extraArgs is refused, with or without the apiKey prop', () => {
    for (const apiKey of [undefined, SecretKeyReference.fromSecret('llama-api-key', 'key')]) {
      const error = propErrorOf(() => new LlamaInferenceService(Testing.chart(), 'llama', {
        model: MODEL, cache: { size: '2Gi' }, apiKey, extraArgs: ['--alias', 'chat', '--api-key-header=$(LLAMA_API_KEY)'],
      }));
      expect(error.prop).toBe('extraArgs[2]');
      expect(error.message).toContain('the kubelet would expand it');
      expect(error.fix).toContain('llama-server reads the key from LLAMA_API_KEY itself');
    }
  });

  test('the escaped $$(LLAMA_API_KEY) is literal text and accepted', () => {
    const chart = Testing.chart();
    new LlamaInferenceService(chart, 'llama', { model: MODEL, cache: { size: '2Gi' }, extraArgs: ['--alias', '$$(LLAMA_API_KEY)'] });
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].args.slice(-2)).toEqual(['--alias', '$$(LLAMA_API_KEY)']);
  });
});

import { App, Testing } from 'cdk8s';
import { ModelFormat, ModelPlatform, ModelPlatformProps, ModelSource, PlatformModel, Quantization } from '../../src';
import { formatIssues, validateWithVeleroCrds } from '../validation';

/** A platform in a fresh App, with every object of its charts in apply order. */
export function synthPlatform(props: ModelPlatformProps = {}): { app: App; platform: ModelPlatform; objects: any[] } {
  const app = Testing.app();
  const platform = new ModelPlatform(app, 'platform', props);
  const objects = platform.chartsInApplyOrder().flatMap((chart) => chart.toJson());
  return { app, platform, objects };
}

/**
 * Kubernetes schema + strict unknown-field check for every object; Velero custom resources against
 * the Velero CRD schemas when ../shared is present (they are skipped otherwise, like every CRD test).
 */
export function expectAllValid(objects: any[]): void {
  expect(objects.length).toBeGreaterThan(0);
  const issues = validateWithVeleroCrds(objects);
  if (issues.length > 0) throw new Error(`${issues.length} manifest validation issue(s) in ${objects.length} object(s):\n${formatIssues(issues)}`);
}

/** An imported GGUF model (made-up file facts; nothing is downloaded at synth). */
export function importedModel(repository: string, tag: string, sha256Digit = 'a'): PlatformModel {
  return PlatformModel.imported({
    repository,
    tag,
    source: ModelSource.fromUrl(`https://models.example.com/${repository}/${tag}/model.gguf`, {
      sha256: sha256Digit.repeat(64),
      sizeBytes: 100 * 1024 * 1024,
    }),
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '1.1B',
    quantization: Quantization.Q4_K_M,
  });
}

/** Every `<service>.<namespace>.svc` host named anywhere in the objects. */
export function serviceHostsIn(objects: any[]): Set<string> {
  const hosts = new Set<string>();
  const text = JSON.stringify(objects);
  for (const match of text.matchAll(/\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\b/g)) {
    hosts.add(`${match[1]}.${match[3]}`);
  }
  return hosts;
}

// The demo platform (the same props as `npm run synth` in examples/main.ts), deployed with Pulumi:
// one kubernetes:yaml/v2:ConfigGroup per cdk8s chart, in apply order. See README.md.
import { examplePlatformProps } from '../platform';
import { ModelPlatform } from 'cnai-model-platform/pulumi';

const platform = new ModelPlatform('platform', examplePlatformProps());

export const harborUrl = platform.harborUrl;
export const registryHost = platform.registryHost;
export const modelReferences = platform.modelReferences;
export const inferenceEndpoints = platform.inferenceEndpoints;
export const backupLocation = platform.backupLocation;
export const objectCount = platform.objectCount;

import { Chart, Testing } from 'cdk8s';
import { TINYLLAMA } from '../../examples/platform';
import { HarborModelRegistry, HarborModelRegistryProps } from '../../src/harbor/harbor-model-registry';
import { HarborProject } from '../../src/harbor/project';
import { HarborRobotAccount, RobotPermission } from '../../src/harbor/robot-account';
import { ModelArtifact, ModelArtifactProps } from '../../src/models/model-artifact';
import { ModelFormat, Quantization } from '../../src/models/model-metadata';
import { ModelSource } from '../../src/models/model-source';
import { expectValidManifests } from '../validation';

export { TINYLLAMA };
export { propErrorOf, expectPropError as expectNames } from '../prop-errors';


export function tinyLlamaSource(): ModelSource {
  return ModelSource.fromHuggingFace(TINYLLAMA.repository, TINYLLAMA.file, {
    revision: TINYLLAMA.revision,
    sha256: TINYLLAMA.sha256,
    sizeBytes: TINYLLAMA.sizeBytes,
  });
}

export interface Platform {
  readonly chart: Chart;
  readonly harbor: HarborModelRegistry;
  readonly project: HarborProject;
  readonly pusher: HarborRobotAccount;
  readonly puller: HarborRobotAccount;
}

/** Harbor with project ml-models, a push robot for model-import and a pull robot for ai-inference. */
export function platform(harborProps: HarborModelRegistryProps = {}, chart: Chart = Testing.chart()): Platform {
  const harbor = new HarborModelRegistry(chart, 'harbor', harborProps);
  const project = harbor.addProject('ml-models');
  const pusher = project.addRobotAccount('pusher', { permissions: [RobotPermission.PUSH], namespaces: ['model-import'] });
  const puller = project.addRobotAccount('puller', { permissions: [RobotPermission.PULL], namespaces: ['ai-inference'] });
  return { chart, harbor, project, pusher, puller };
}

/** The seed's artifact props. */
export function seedProps(p: Platform, extra: Partial<ModelArtifactProps> = {}): ModelArtifactProps {
  return {
    project: p.project,
    repository: 'tinyllama-oras',
    tag: 'v1.0.0-gguf',
    source: tinyLlamaSource(),
    format: ModelFormat.GGUF,
    architecture: 'llama',
    paramSize: '1.1B',
    quantization: Quantization.Q4_K_M,
    description: 'TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF',
    pushRobot: p.pusher,
    ...extra,
  };
}

export interface Synthesized {
  readonly artifact: ModelArtifact;
  readonly objects: any[];
  /** Only the objects of the import (namespace model-import or the given one). */
  readonly own: any[];
}

/** A ModelArtifact on a fresh platform, synthesized and validated. */
export function synthArtifact(extra: Partial<ModelArtifactProps> = {}, harborProps: HarborModelRegistryProps = {}): Synthesized {
  const p = platform(harborProps);
  const artifact = new ModelArtifact(p.chart, 'tinyllama', seedProps(p, extra));
  const objects = Testing.synth(p.chart);
  expectValidManifests(objects);
  return { artifact, objects, own: objects.filter((o) => o.metadata.namespace === artifact.namespace) };
}

/** The object of `kind` (and `name`, a RegExp for generated names) among `objects`; exactly one. */
export function find(objects: any[], kind: string, name?: string | RegExp): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name))));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}



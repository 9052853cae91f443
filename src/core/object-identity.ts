import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from './errors';

/**
 * Kinds without a namespace: two of them clash on group, kind and name alone
 * (https://kubernetes.io/docs/reference/kubernetes-api/, the cluster-scoped resources).
 */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'PriorityClass', 'RuntimeClass', 'IngressClass',
  'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
]);

/** The public constructs of the library: errors name the one that created an object. */
const LIBRARY_CONSTRUCTS = new Set([
  'SeaweedFSStorage', 'HarborModelRegistry', 'ModelArtifact', 'LlamaInferenceService', 'VeleroKopiaBackup', 'ModelPlatform',
]);

const CHECKED = new WeakSet<IConstruct>();

/**
 * Makes the App refuse, at synth, two objects with one identity (API group, kind, namespace and
 * name): the API server keeps only the last one applied, so one construct would silently replace
 * another's object (a service named `default-deny` and the namespace's default-deny policy, for
 * example). Registered once per App, whoever creates the first object; it checks every ApiObject of
 * the App, the user's own included.
 */
export function refuseDuplicateObjects(scope: IConstruct): void {
  const root = scope.node.root;
  if (CHECKED.has(root)) return;
  CHECKED.add(root);
  root.node.addValidation({ validate: () => duplicateObjectErrors(root) });
}

function duplicateObjectErrors(root: IConstruct): string[] {
  const first = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof ApiObject)) continue;
    const key = identity(construct);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, construct);
      continue;
    }
    const [before, after] = [creator(earlier), creator(construct)];
    errors.push(propError({
      construct: after.kind,
      prop: 'metadata.name',
      value: describe(construct),
      allowed: `an object identity (API group, kind, namespace, name) no other object has: ${before.text} (${earlier.node.path}) `
        + `and ${after.text} (${construct.node.path}) both create it, and the API server would keep only the one applied last`,
      fix: 'rename one of them (the name of a service, model, robot or bucket you chose) or move it to another namespace',
    }).message);
  }
  return errors;
}

/** Name and namespace as written (names may be Lazy: content-hashed Job names, for example). */
function nameOf(object: ApiObject): { name: string; namespace?: string } {
  const metadata = object.metadata.toJson();
  return { name: String(metadata.name), namespace: CLUSTER_SCOPED.has(object.kind) ? undefined : metadata.namespace };
}

function identity(object: ApiObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const { name, namespace } = nameOf(object);
  return [group, object.kind, namespace ?? '', name].join('\u0000');
}

function describe(object: ApiObject): string {
  const { name, namespace } = nameOf(object);
  const where = CLUSTER_SCOPED.has(object.kind) ? '' : `${namespace ?? '<default namespace>'}/`;
  return `${object.kind} ${where}${name} (${object.apiVersion})`;
}

/** The nearest library construct above the object, else its chart: its class and how errors name it. */
function creator(object: ApiObject): { kind: string; text: string } {
  for (let scope: IConstruct | undefined = object.node.scope; scope; scope = scope.node.scope) {
    if (LIBRARY_CONSTRUCTS.has(scope.constructor.name)) return { kind: scope.constructor.name, text: `${scope.constructor.name} '${scope.node.path}'` };
  }
  return { kind: 'Chart', text: `chart '${Chart.of(object).node.path}'` };
}

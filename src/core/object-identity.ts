import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

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
    errors.push(`two objects are ${describe(construct)}: one from ${creator(earlier)} (${earlier.node.path}), one from ${creator(construct)} `
      + `(${construct.node.path}); the API server would keep only the one applied last. Fix: rename one of them `
      + '(the name of a service, model, robot or bucket you chose) or move it to another namespace');
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

/** The nearest library construct above the object, else its chart. */
function creator(object: ApiObject): string {
  for (let scope: IConstruct | undefined = object.node.scope; scope; scope = scope.node.scope) {
    if (LIBRARY_CONSTRUCTS.has(scope.constructor.name)) return `${scope.constructor.name} '${scope.node.path}'`;
  }
  return `chart '${Chart.of(object).node.path}'`;
}

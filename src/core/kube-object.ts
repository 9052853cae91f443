import { ApiObject, GroupVersionKind } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { refuseDuplicateObjects } from './object-identity';

/*
 * Objects are written in Kubernetes' own JSON form ("wire form") as plain `ApiObject`s, typed from
 * cdk8s-plus-30's `k8s` classes. The typed `k8s.KubeX` classes would do the same after a conversion
 * pass over every resolved object at every synth (their `toJson` rebuilds each level with one object
 * spread per key); for this library's objects that pass cost about as much as resolving them, and
 * the output is the same: cdk8s sorts keys either way.
 */

/**
 * The props keys that cdk8s-plus-30's `k8s` module spells differently from the Kubernetes API (from
 * its `toJson_*`), except JsonSchemaProps' `ref`/`schema` (`$ref`/`$schema`): `schema` is a plain
 * key of CRD versions too, so CRD schemas are not written through `Wire` (the library writes none).
 */
interface RenamedKeys {
  readonly clusterIp: 'clusterIP';
  readonly datasetUuid: 'datasetUUID';
  readonly diskUri: 'diskURI';
  readonly externalId: 'externalID';
  readonly hostIp: 'hostIP';
  readonly hostIpc: 'hostIPC';
  readonly hostPid: 'hostPID';
  readonly insecureSkipTlsVerify: 'insecureSkipTLSVerify';
  readonly loadBalancerIp: 'loadBalancerIP';
  readonly nodeId: 'nodeID';
  readonly nonResourceUrLs: 'nonResourceURLs';
  readonly pdId: 'pdID';
  readonly podCidr: 'podCIDR';
  readonly podCidRs: 'podCIDRs';
  readonly providerId: 'providerID';
  readonly setHostnameAsFqdn: 'setHostnameAsFQDN';
  readonly storagePolicyId: 'storagePolicyID';
  readonly targetCpuUtilizationPercentage: 'targetCPUUtilizationPercentage';
  readonly targetWwNs: 'targetWWNs';
  readonly volumeId: 'volumeID';
  readonly xKubernetesEmbeddedResource: 'x-kubernetes-embedded-resource';
  readonly xKubernetesIntOrString: 'x-kubernetes-int-or-string';
  readonly xKubernetesListMapKeys: 'x-kubernetes-list-map-keys';
  readonly xKubernetesListType: 'x-kubernetes-list-type';
  readonly xKubernetesMapType: 'x-kubernetes-map-type';
  readonly xKubernetesPreserveUnknownFields: 'x-kubernetes-preserve-unknown-fields';
  readonly xKubernetesValidations: 'x-kubernetes-validations';
}

type Rename<K> = K extends keyof RenamedKeys ? RenamedKeys[K] : K;

/** `true` when `A` and `B` are the same type (a class such as Quantity is matched by shape otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `T`, a type of cdk8s-plus-30's `k8s` module, in wire form: Quantity and IntOrString as the string
 * or number they hold, dates as strings, renamed keys under their API names.
 */
export type Wire<T> = T extends unknown ? WireOf<T> : never;

type WireOf<T> =
  Same<T, k8s.Quantity> extends true ? string | number :
    Same<T, k8s.IntOrString> extends true ? string | number :
      T extends Date ? string :
        T extends readonly (infer E)[] ? Wire<E>[] :
          T extends object ? (
            string extends keyof T ? { [K in keyof T]: Wire<T[K]> } : // a map: labels, data, limits, ...
              'xKubernetesValidations' extends keyof T ? never : // JsonSchemaProps, see RenamedKeys
                { [K in keyof T as Rename<K>]: Wire<T[K]> }
          ) :
            T;

/** A typed class of cdk8s-plus-30's `k8s` module, used for its GVK and props type only. */
interface KubeClass<P> {
  readonly GVK: GroupVersionKind;
  new (scope: Construct, id: string, props: P): ApiObject;
}

/**
 * `new ApiObject(scope, id, …)` of `kind`'s group, version and kind, with `props` in wire form
 * (`{ metadata, spec }`, `{ metadata, data }`, …). Values may be cdk8s `Lazy`s.
 */
export function kube<P>(kind: KubeClass<P>, scope: Construct, id: string, props: Wire<NonNullable<P>>): ApiObject {
  refuseDuplicateObjects(scope);
  return new ApiObject(scope, id, { ...kind.GVK, ...(props as object) });
}

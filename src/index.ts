// The jsii public surface. Internal helpers (errors, validation, names) are not exported.
export * from './core/images';
export * from './core/model-reference';
export * from './core/s3-bucket';
export { SecretKeyReference } from './core/secret-reference';
export { GeneratedValue } from './core/generated-value';
export * from './core/secret-bootstrap';
export * from './core/compute-resources';
export * from './seaweedfs/seaweedfs-storage';
export * from './harbor/retention';
export * from './harbor/project';
export * from './harbor/robot-account';
export * from './harbor/setup-job';
export * from './harbor/harbor-model-registry';
export * from './harbor/exposure';
export * from './harbor/storage';
export * from './harbor/external-services';
export * from './harbor/components/resources';

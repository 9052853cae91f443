// Pulumi entry point (`cnai-model-platform/pulumi`). Compiled with plain tsc, not jsii:
// @pulumi/* cannot be dependencies of a jsii package, so users install them themselves.
export * from './chart-deployment';
export { DEPENDS_ON_ANNOTATION, JOB_AWAIT_MARGIN_SECONDS, TIMEOUT_ANNOTATION } from './chart-objects';
export * from './model-platform';

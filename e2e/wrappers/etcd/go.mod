// Builds etcd v3.6.6, the version Kubernetes 1.35 is tested with (kubernetes/kubernetes@v1.35.4:
// build/dependencies.yaml). etcd's server module points its sibling modules at ../ with replace
// directives, which `go install` refuses; this module requires the published ones instead.
module cnai-model-platform/e2e/etcd

go 1.24

require go.etcd.io/etcd/server/v3 v3.6.6

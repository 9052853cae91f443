// Builds the velero command v1.18.1 (the velero/velero:v1.18.1 image's /velero). Velero replaces kopia
// with its fork (vmware-tanzu/velero@v1.18.1:go.mod), and `go install` refuses a module with replace
// directives, so this module requires velero and repeats the replace.
//
// Two of velero's k8s.io modules are not served at the v0.33.11 its go.mod names (the module proxy
// answers 403): k8s.io/cli-runtime (newest served v0.33.10) and k8s.io/kube-aggregator (v0.33.7).
// They are pinned to those patch releases of the same minor; velero uses their printers,
// APIService types and autoregister helpers, which patch releases do not change.
module cnai-model-platform/e2e/velero

go 1.25.0

require github.com/vmware-tanzu/velero v1.18.1

replace (
	github.com/kopia/kopia => github.com/project-velero/kopia v0.0.0-20251230033609-d946b1e75197
	k8s.io/cli-runtime => k8s.io/cli-runtime v0.33.10
	k8s.io/kube-aggregator => k8s.io/kube-aggregator v0.33.7
)

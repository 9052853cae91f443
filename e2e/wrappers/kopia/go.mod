// Builds the kopia that velero v1.18.1 embeds: velero replaces kopia with its fork
// (vmware-tanzu/velero@v1.18.1:go.mod, the replace line for github.com/kopia/kopia).
module cnai-model-platform/e2e/kopia

go 1.25

require github.com/kopia/kopia v0.16.0

replace github.com/kopia/kopia => github.com/project-velero/kopia v0.0.0-20251230033609-d946b1e75197

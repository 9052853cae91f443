//go:build tools

// Package tools only names the command this wrapper module builds.
package tools

import _ "github.com/vmware-tanzu/velero/cmd/velero"

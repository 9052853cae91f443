//go:build tools

// Package tools only names the command this wrapper module builds.
package tools

import _ "go.etcd.io/etcd/server/v3"

//go:build tools

// Package tools only names the command this wrapper module builds.
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"

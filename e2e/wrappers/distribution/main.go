// Builds the registry of Harbor's registry-photon image, distribution v2.8.3 (Harbor builds it from
// goharbor/distribution@release/2.8, `v2.8.3-patch-redis`; upstream v2.8.3 is what the Go module
// proxy serves). Upstream v2.8.3 has no go.mod, so this module pins its dependencies: the proxy
// serves none of vendor.conf's commits, so go.mod holds the versions `go mod tidy` chose, except
// logrus-logstash-hook, held at v0.4.1 because v1 dropped the LogstashFormatter field registry.go sets.
//
// main mirrors docker/distribution@v2.8.3:cmd/registry/main.go without the azure, gcs, oss, swift and
// cloudfront drivers (their SDKs of 2018 do not build with today's modules; no configuration of
// ours uses them). rsc.io/letsencrypt is not served either: ./letsencrypt stands in for it.
package main

import (
	_ "net/http/pprof"

	"github.com/docker/distribution/registry"
	_ "github.com/docker/distribution/registry/auth/htpasswd"
	_ "github.com/docker/distribution/registry/auth/silly"
	_ "github.com/docker/distribution/registry/auth/token"
	_ "github.com/docker/distribution/registry/proxy"
	_ "github.com/docker/distribution/registry/storage/driver/filesystem"
	_ "github.com/docker/distribution/registry/storage/driver/inmemory"
	_ "github.com/docker/distribution/registry/storage/driver/middleware/redirect"
	_ "github.com/docker/distribution/registry/storage/driver/s3-aws"
)

func main() {
	registry.RootCmd.Execute()
}

// Builds SeaweedFS's weed command from the only SeaweedFS the Go module proxy serves (upstream 4.53,
// weed/util/version/constants.go). SeaweedFS's go.mod replaces go-bip39, and `go install` refuses a
// module with replace directives, so this module requires it and repeats the replace.
module cnai-model-platform/e2e/weed

go 1.26.6

require github.com/seaweedfs/seaweedfs v0.0.0-20261109003541-7506e5f91cd6

replace github.com/tyler-smith/go-bip39 => github.com/cosmos/go-bip39 v1.0.0

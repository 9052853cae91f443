// The demo platform in Go: the same objects as `npm run synth` (examples/platform.ts).
//
//	go run .    # writes dist/, or the folder in CDK8S_OUTDIR
package main

import (
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus30/v2/k8s"
	cnai "github.com/cnai-model-platform/cnai-model-platform-go/cnaimodelplatform"
)

func main() {
	outdir := os.Getenv("CDK8S_OUTDIR")
	if outdir == "" {
		outdir = "dist"
	}
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(outdir)})

	// TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF, pinned to a revision and checked against its sha256.
	tinyllama := cnai.PlatformModel_Imported(&cnai.ModelArtifactSpec{
		Repository: jsii.String("tinyllama-oras"),
		Tag:        jsii.String("v1.0.0-gguf"),
		Source: cnai.ModelSource_FromHuggingFace(
			jsii.String("TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF"),
			jsii.String("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"),
			&cnai.HuggingFaceSourceOptions{
				Revision:  jsii.String("52e7645ba7c309695bec7ac98f4f005b139cf465"),
				Sha256:    jsii.String("9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0"),
				SizeBytes: jsii.Number(668_788_096),
			}),
		Format:       cnai.ModelFormat_GGUF,
		Architecture: jsii.String("llama"),
		ParamSize:    jsii.String("1.1B"),
		Quantization: cnai.Quantization_Q4_K_M(),
		Family:       jsii.String("tinyllama"),
		Description:  jsii.String("TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF"),
	})

	platform := cnai.NewModelPlatform(app, jsii.String("platform"), &cnai.ModelPlatformProps{
		Storage: cnai.PlatformStorage_SeaweedFS(&cnai.PlatformSeaweedFSOptions{VolumeStorageSize: jsii.String("50Gi")}),
		Registry: cnai.PlatformRegistry_Harbor(&cnai.PlatformHarborOptions{
			RegistryStorageOnBucket: jsii.Bool(true),
			Project:                 &cnai.HarborProjectOptions{StorageQuota: jsii.String("200Gi"), AutoScan: jsii.Bool(true)},
		}),
		Models: &[]cnai.PlatformModel{tinyllama},
		Services: &[]*cnai.PlatformServiceOptions{{
			Name:  jsii.String("llama"),
			Model: tinyllama.Key(),
			Cache: &cnai.ModelCacheOptions{Size: jsii.String("5Gi")},
			// Pods in `inference-clients` may call the server; no one else (see the README).
			ClientNamespaces: jsii.Strings("inference-clients"),
		}},
		Backup: cnai.PlatformBackup_VeleroKopia(&cnai.PlatformBackupOptions{
			// The node-agent must run where inference pods run, GPU nodes included.
			NodeAgentTolerations: &[]*k8s.Toleration{{
				Key: jsii.String("nvidia.com/gpu"), Operator: jsii.String("Exists"), Effect: jsii.String("NoSchedule"),
			}},
			ScheduleCron:     jsii.String("0 2 * * *"),
			ScheduleTtl:      jsii.String("168h0m0s"),
			OneOffBackupName: jsii.String("ai-backup"),
		}),
	})

	app.Synth()
	architecture := []byte(*platform.ArchitectureMarkdown())
	if err := os.WriteFile(filepath.Join(outdir, "architecture.md"), architecture, 0o644); err != nil {
		panic(err)
	}
}

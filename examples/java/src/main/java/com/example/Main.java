package com.example;

import io.github.cnai_model_platform.HarborProjectOptions;
import io.github.cnai_model_platform.HuggingFaceSourceOptions;
import io.github.cnai_model_platform.ModelArtifactSpec;
import io.github.cnai_model_platform.ModelCacheOptions;
import io.github.cnai_model_platform.ModelFormat;
import io.github.cnai_model_platform.ModelPlatform;
import io.github.cnai_model_platform.ModelSource;
import io.github.cnai_model_platform.PlatformBackup;
import io.github.cnai_model_platform.PlatformBackupOptions;
import io.github.cnai_model_platform.PlatformHarborOptions;
import io.github.cnai_model_platform.PlatformModel;
import io.github.cnai_model_platform.PlatformRegistry;
import io.github.cnai_model_platform.PlatformSeaweedFSOptions;
import io.github.cnai_model_platform.PlatformServiceOptions;
import io.github.cnai_model_platform.PlatformStorage;
import io.github.cnai_model_platform.Quantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cdk8s.App;
import org.cdk8s.AppProps;
import org.cdk8s.plus30.k8s.Toleration;

/** The demo platform (examples/platform.ts): one manifest file per chart and architecture.md. */
public final class Main {
    public static void main(final String[] args) throws IOException {
        Path outdir = Path.of(System.getenv().getOrDefault("CDK8S_OUTDIR", "dist")).toAbsolutePath();
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());

        // TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF, imported into Harbor as a CNAI model artifact.
        PlatformModel model = PlatformModel.imported(ModelArtifactSpec.builder()
                .repository("tinyllama-oras")
                .tag("v1.0.0-gguf")
                .source(ModelSource.fromHuggingFace(
                        "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
                        "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf",
                        HuggingFaceSourceOptions.builder()
                                .revision("52e7645ba7c309695bec7ac98f4f005b139cf465")
                                .sha256("9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0")
                                .sizeBytes(668_788_096)
                                .build()))
                .format(ModelFormat.GGUF)
                .architecture("llama")
                .paramSize("1.1B")
                .quantization(Quantization.Q4_K_M)
                .family("tinyllama")
                .description("TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF")
                .build());

        ModelPlatform platform = ModelPlatform.Builder.create(app, "platform")
                .storage(PlatformStorage.seaweedFS(PlatformSeaweedFSOptions.builder()
                        .volumeStorageSize("50Gi")
                        .build()))
                .registry(PlatformRegistry.harbor(PlatformHarborOptions.builder()
                        .registryStorageOnBucket(true)
                        .project(HarborProjectOptions.builder().storageQuota("200Gi").autoScan(true).build())
                        .build()))
                .models(List.of(model))
                .services(List.of(PlatformServiceOptions.builder()
                        .name("llama")
                        .model(model.getKey())
                        .cache(ModelCacheOptions.builder().size("5Gi").build())
                        // The server admits no one by default: pods in this namespace may call it.
                        .clientNamespaces(List.of("inference-clients"))
                        .build()))
                .backup(PlatformBackup.veleroKopia(PlatformBackupOptions.builder()
                        // The node-agent must run where inference pods run, GPU nodes included.
                        .nodeAgentTolerations(List.of(Toleration.builder()
                                .key("nvidia.com/gpu").operator("Exists").effect("NoSchedule")
                                .build()))
                        .scheduleCron("0 2 * * *")
                        .scheduleTtl("168h0m0s")
                        .oneOffBackupName("ai-backup")
                        .build()))
                .build();

        app.synth();
        Files.writeString(outdir.resolve("architecture.md"), platform.architectureMarkdown());
    }
}

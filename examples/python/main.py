"""The demo platform in Python: the same objects as `npm run synth` (examples/platform.ts).

    pip install cnai-model-platform cdk8s cdk8s-plus-30
    python main.py            # writes dist/, or the folder in CDK8S_OUTDIR
"""
import os
from pathlib import Path

from cdk8s import App
from cdk8s_plus_30 import k8s
from cnai_model_platform import (
    HarborProjectOptions,
    ModelCacheOptions,
    ModelFormat,
    ModelPlatform,
    ModelSource,
    PlatformBackup,
    PlatformModel,
    PlatformRegistry,
    PlatformServiceOptions,
    PlatformStorage,
    Quantization,
)

outdir = Path(os.environ.get("CDK8S_OUTDIR", "dist"))
app = App(outdir=str(outdir))

# TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF, pinned to a revision and checked against its sha256.
tinyllama = PlatformModel.imported(
    repository="tinyllama-oras",
    tag="v1.0.0-gguf",
    source=ModelSource.from_hugging_face(
        "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
        "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf",
        revision="52e7645ba7c309695bec7ac98f4f005b139cf465",
        sha256="9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0",
        size_bytes=668_788_096,
    ),
    format=ModelFormat.GGUF,
    architecture="llama",
    param_size="1.1B",
    quantization=Quantization.Q4_K_M,
    family="tinyllama",
    description="TinyLlama 1.1B Chat v1.0, Q4_K_M GGUF",
)

platform = ModelPlatform(
    app,
    "platform",
    storage=PlatformStorage.seaweed_fs(volume_storage_size="50Gi"),
    registry=PlatformRegistry.harbor(
        registry_storage_on_bucket=True,
        project=HarborProjectOptions(storage_quota="200Gi", auto_scan=True),
    ),
    models=[tinyllama],
    services=[
        PlatformServiceOptions(
            name="llama",
            model=tinyllama.key,
            cache=ModelCacheOptions(size="5Gi"),
            # Pods in `inference-clients` may call the server; no one else (see the README).
            client_namespaces=["inference-clients"],
        ),
    ],
    backup=PlatformBackup.velero_kopia(
        # The node-agent must run where inference pods run, GPU nodes included.
        node_agent_tolerations=[k8s.Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
        schedule_cron="0 2 * * *",
        schedule_ttl="168h0m0s",
        one_off_backup_name="ai-backup",
    ),
)

app.synth()
(outdir / "architecture.md").write_text(platform.architecture_markdown())

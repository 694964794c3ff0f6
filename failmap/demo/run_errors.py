"""Run error messages: realistic families with variable parts, so error grouping has work to do.

Each family is one message template (one signature a good grouper should find) with ids,
numbers, paths and hosts that vary per run. `ERROR_FAMILIES` is machine-readable truth: every
`failure_reason` and `phase_errors` message the generator writes matches exactly one family's
`regex`, and its phase is one of the family's `phases`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from failmap.demo.text import cat, num, pick, random_hex, take

PHASES: tuple[str, ...] = ("load_model", "preprocess", "generate", "upscale", "encode", "upload")
# Where failed jobs fail. generate is the long, GPU-heavy phase.
FAILED_PHASE_WEIGHTS: tuple[float, ...] = (0.18, 0.12, 0.40, 0.12, 0.08, 0.10)


@dataclass(frozen=True)
class ErrorContext:
    """The jobs (one row each) that need a message of one family."""

    phase: np.ndarray  # phase names
    run_hex: pa.Array
    model: pa.Array
    model_version: pa.Array
    lora: pa.Array  # nullable
    character: pa.Array  # nullable
    project: pa.Array
    tenant: pa.Array
    worker: pa.Array
    position: np.ndarray  # segment being generated when it failed (>= 1)

    def __len__(self) -> int:
        return len(self.phase)


Builder = Callable[[np.random.Generator, ErrorContext], pa.Array]


@dataclass(frozen=True)
class ErrorFamily:
    """One error signature: what it is, which phases raise it, and a regex matching it exactly."""

    id: str
    category: str  # import, connection, timeout, oom, file_not_found, http, permission, ...
    error_code: str
    phases: tuple[str, ...]
    regex: str
    example: str
    build: Builder

    def matches(self, message: str) -> bool:
        """Whether `message` belongs to this family."""
        return re.fullmatch(self.regex, message) is not None


_HOST_REGIONS = ("eu-1", "eu-2", "us-1", "us-3", "ap-2")
_N = r"\d+"
_HEX = r"[0-9a-f]+"


def _asset_host(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    return cat("assets-", pick(rng, _HOST_REGIONS, len(ctx)), ".", ctx.tenant, ".internal")


def _ip(rng: np.random.Generator, n: int) -> pa.Array:
    octets = rng.integers(1, 255, size=(3, n))
    return cat("10.", num("%d", octets[0]), ".", num("%d", octets[1]), ".", num("%d", octets[2]))


def _or(values: pa.Array, fallback: str) -> pa.Array:
    return pc.fill_null(values, fallback)


def _module_not_found(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    modules = (
        "comfyui_controlnet_aux",
        "insightface",
        "onnxruntime",
        "xformers",
        "segment_anything",
        "facexlib",
        "kornia",
        "comfy_extras.nodes_ip_adapter",
        "videohelpersuite.utils",
        "sageattention",
    )
    return cat("ModuleNotFoundError: No module named '", pick(rng, modules, len(ctx)), "'")


_IMPORT_SOURCES = (
    ("comfy.samplers", "/opt/ComfyUI/comfy/samplers.py"),
    ("nodes", "/opt/ComfyUI/nodes.py"),
    ("comfy.model_management", "/opt/ComfyUI/comfy/model_management.py"),
    (
        "custom_nodes.ComfyUI_IPAdapter_plus.IPAdapterPlus",
        "/opt/ComfyUI/custom_nodes/ComfyUI_IPAdapter_plus/IPAdapterPlus.py",
    ),
)


def _import_error(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    names = (
        "IPAdapterApply",
        "ControlNetApplyAdvanced",
        "get_sigmas_karras",
        "load_torch_file",
        "VAEDecodeTiled",
        "unet_offload_device",
    )
    source = rng.integers(0, len(_IMPORT_SOURCES), size=len(ctx))
    module = take([m for m, _ in _IMPORT_SOURCES], source)
    path = take([p for _, p in _IMPORT_SOURCES], source)
    name = pick(rng, names, len(ctx))
    return cat("ImportError: cannot import name '", name, "' from '", module, "' (", path, ")")


def _connection_refused(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    port = pick(rng, ("6379", "5432", "8188", "9000", "8080"), len(ctx))
    ip = _ip(rng, len(ctx))
    return cat("ConnectionRefusedError: [Errno 111] Connect call failed ('", ip, "', ", port, ")")


def _connection_reset(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    sent = num("%d", rng.integers(4_096, 900_000_000, size=n))
    return cat(
        "ConnectionResetError: [Errno 104] Connection reset by peer (",
        _ip(rng, n),
        ":",
        pick(rng, ("443", "9000", "8188"), n),
        ", ",
        sent,
        " bytes sent)",
    )


def _s3_connection_closed(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    return cat(
        "botocore.exceptions.ConnectionClosedError: Connection was closed before we received a "
        'valid response from endpoint URL: "https://',
        ctx.tenant,
        "-renders.s3.eu-west-1.amazonaws.com/",
        ctx.project,
        "/run-",
        ctx.run_hex,
        "/seg_",
        num("%03d", ctx.position),
        ".mp4?uploadId=",
        random_hex(rng, n, 16),
        "&partNumber=",
        num("%d", rng.integers(1, 40, size=n)),
        '".',
    )


def _max_retries(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    model_path = cat("/models/", ctx.model, "/", ctx.model, "-", ctx.model_version, ".safetensors")
    lora = _or(ctx.lora, "l16")
    lora_path = cat("/loras/", lora, "/", lora, "_v", num("%d", rng.integers(1, 6, size=n)))
    lora_path = cat(lora_path, ".safetensors")
    path = pc.if_else(pa.array(rng.random(n) < 0.5), model_path, lora_path)
    return cat(
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='",
        _asset_host(rng, ctx),
        "', port=443): Max retries exceeded with url: ",
        path,
        " (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x",
        random_hex(rng, n, 12),
        ">: Failed to establish a new connection: [Errno 111] Connection refused'))",
    )


def _read_timeout(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    timeout = pick(rng, ("30", "60", "120", "300"), len(ctx))
    return cat(
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='",
        _asset_host(rng, ctx),
        "', port=443): Read timed out. (read timeout=",
        timeout,
        ")",
    )


def _step_timeout(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    node_class = pick(
        rng,
        ("KSamplerAdvanced", "VAEDecodeTiled", "ImageUpscaleWithModel", "VHS_VideoCombine"),
        n,
    )
    return cat(
        "TimeoutError: node ",
        num("%d", rng.integers(3, 90, size=n)),
        " (",
        node_class,
        ") did not finish within ",
        pick(rng, ("300", "600", "900", "1800"), n),
        " s on ",
        ctx.worker,
    )


def _cuda_oom(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    free_mib = rng.integers(120, 1_900, size=n)
    in_use = 79.15 - free_mib / 1024.0 - rng.uniform(0.0, 0.4, size=n)
    reserved_mib = rng.uniform(20.0, 2_000.0, size=n)
    allocated = in_use - reserved_mib / 1024.0 - 0.35
    return cat(
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ",
        num("%.2f", rng.choice([0.5, 1.0, 1.25, 2.0, 2.5, 3.75, 4.5, 6.0, 9.0], size=n)),
        " GiB. GPU ",
        num("%d", rng.integers(0, 8, size=n)),
        " has a total capacity of 79.15 GiB of which ",
        num("%d", free_mib),
        " MiB is free. Process ",
        num("%d", rng.integers(1_000, 99_999, size=n)),
        " has ",
        num("%.2f", in_use),
        " GiB memory in use. Of the allocated memory ",
        num("%.2f", allocated),
        " GiB is allocated by PyTorch, and ",
        num("%.2f", reserved_mib),
        " MiB is reserved by PyTorch but unallocated.",
    )


def _file_not_found(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    lora = _or(ctx.lora, "l16")
    lora_path = cat("/mnt/models/loras/", lora, "_v", num("%d", rng.integers(1, 6, size=n)))
    lora_path = cat(lora_path, ".safetensors")
    reference = cat(
        "/mnt/refs/",
        ctx.project,
        "/",
        _or(ctx.character, "env"),
        "/face_ref_",
        num("%02d", rng.integers(1, 13, size=n)),
        ".png",
    )
    frame = cat("/scratch/run-", ctx.run_hex, "/frames/", num("%06d", rng.integers(0, 2_880, n)))
    frame = cat(frame, ".png")
    phase = ctx.phase
    path = pc.if_else(pa.array(phase == "load_model"), lora_path, frame)
    path = pc.if_else(pa.array(phase == "preprocess"), reference, path)
    return cat("FileNotFoundError: [Errno 2] No such file or directory: '", path, "'")


def _http_404(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    kind = pick(rng, ("pose", "depth", "face_ref", "style_ref"), n)
    return cat(
        "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://assets.",
        ctx.tenant,
        ".internal/refs/",
        _or(ctx.character, "env"),
        "/",
        kind,
        "_",
        num("%03d", rng.integers(1, 400, size=n)),
        pick(rng, (".png", ".json", ".npz"), n),
    )


def _permission(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    return cat(
        "PermissionError: [Errno 13] Permission denied: '/mnt/output/",
        ctx.project,
        "/run-",
        ctx.run_hex,
        "/seg_",
        num("%03d", ctx.position),
        pick(rng, (".mp4", ".webm", ".json"), len(ctx)),
        "'",
    )


def _syntax_error(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    files = (
        "custom_nodes/ComfyUI-VideoHelperSuite/videohelpersuite/nodes.py",
        "custom_nodes/ComfyUI-AnimateDiff-Evolved/animatediff/sampling.py",
        "custom_nodes/studio_nodes/face_lock.py",
        "custom_nodes/studio_nodes/prompt_schedule.py",
    )
    line = num("%d", rng.integers(12, 1_400, size=len(ctx)))
    return cat("SyntaxError: invalid syntax (", pick(rng, files, len(ctx)), ", line ", line, ")")


def _type_error_operand(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    return cat(
        "TypeError: unsupported operand type(s) for ",
        pick(rng, ("*", "+", "/", "-"), n),
        ": 'NoneType' and '",
        pick(rng, ("float", "int", "Tensor"), n),
        "'",
    )


def _type_error_kwarg(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    method = pick(
        rng,
        (
            "KSamplerAdvanced.sample",
            "IPAdapterAdvanced.apply_ipadapter",
            "ADE_LoadAnimateDiff.load",
        ),
        n,
    )
    keyword = pick(rng, ("noise_seed", "weight_type", "context_options", "start_at", "cfg"), n)
    return cat("TypeError: ", method, "() got an unexpected keyword argument '", keyword, "'")


def _type_error_tensor(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    element = num("%d", rng.integers(0, 16, size=len(ctx)))
    return cat(
        "TypeError: expected Tensor as element ", element, " in argument 0, but got NoneType"
    )


def _nan_latent(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    step = num("%d", rng.integers(1, 40, size=len(ctx)))
    return cat("NaN detected in latent at step ", step, " of segment ", num("%d", ctx.position))


def _empty_batch(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    node = num("%d", rng.integers(3, 90, size=len(ctx)))
    return cat("KSampler returned empty batch (node ", node, ")")


def _ffmpeg_exit(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    width = rng.choice([1280, 1920, 1024, 768], size=n)
    height = rng.integers(300, 540, size=n) * 2 + 1  # odd: that is the error
    return cat(
        "ffmpeg exited with code ",
        pick(rng, ("1", "187", "234"), n),
        ": [libx264 @ 0x",
        random_hex(rng, n, 12),
        "] height not divisible by 2 (",
        num("%d", width),
        "x",
        num("%d", height),
        ")",
    )


def _checksum_mismatch(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    return cat(
        "sha256 mismatch for ",
        ctx.model,
        "-",
        ctx.model_version,
        ".safetensors: expected ",
        random_hex(rng, n, 12),
        ", got ",
        random_hex(rng, n, 12),
    )


def _heartbeat_lost(rng: np.random.Generator, ctx: ErrorContext) -> pa.Array:
    n = len(ctx)
    seconds = num("%d", rng.integers(60, 240, size=n))
    return cat(
        "worker ", ctx.worker, " heartbeat lost after ", seconds, " s; lease ",
        random_hex(rng, n, 8), " expired",
    )  # fmt: skip


_HOST_RE = r"assets-[a-z]{2}-\d\.[a-z]+\.internal"

ERROR_FAMILIES: tuple[ErrorFamily, ...] = (
    ErrorFamily(
        "module_not_found", "import", "E_IMPORT", ("load_model", "preprocess"),
        r"ModuleNotFoundError: No module named '[\w.]+'",
        "ModuleNotFoundError: No module named 'comfyui_controlnet_aux'",
        _module_not_found,
    ),
    ErrorFamily(
        "import_error", "import", "E_IMPORT", ("load_model",),
        r"ImportError: cannot import name '\w+' from '[\w.]+' \(/opt/ComfyUI/[\w./-]+\.py\)",
        "ImportError: cannot import name 'IPAdapterApply' from 'nodes' (/opt/ComfyUI/nodes.py)",
        _import_error,
    ),
    ErrorFamily(
        "connection_refused", "connection", "E_NETWORK", ("load_model", "upload"),
        r"ConnectionRefusedError: \[Errno 111\] Connect call failed "
        rf"\('10\.{_N}\.{_N}\.{_N}', {_N}\)",
        "ConnectionRefusedError: [Errno 111] Connect call failed ('10.4.17.203', 6379)",
        _connection_refused,
    ),
    ErrorFamily(
        "connection_reset", "connection", "E_NETWORK", ("preprocess", "upload"),
        rf"ConnectionResetError: \[Errno 104\] Connection reset by peer "
        rf"\(10\.{_N}\.{_N}\.{_N}:{_N}, {_N} bytes sent\)",
        "ConnectionResetError: [Errno 104] Connection reset by peer (10.8.1.77:443, "
        "5242880 bytes sent)",
        _connection_reset,
    ),
    ErrorFamily(
        "s3_connection_closed", "connection", "E_NETWORK", ("upload",),
        r"botocore\.exceptions\.ConnectionClosedError: Connection was closed before we received "
        r'a valid response from endpoint URL: "https://[a-z]+-renders\.s3\.eu-west-1\.amazonaws'
        rf'\.com/[a-z-]+/run-{_HEX}/seg_\d{{3}}\.mp4\?uploadId={_HEX}&partNumber={_N}"\.',
        "botocore.exceptions.ConnectionClosedError: Connection was closed before we received a "
        'valid response from endpoint URL: "https://northlight-renders.s3.eu-west-1.amazonaws'
        '.com/aurora/run-3f9a0c2d1e4b5a6c/seg_004.mp4?uploadId=9c1e77a0b2d4f6e8&partNumber=3".',
        _s3_connection_closed,
    ),
    ErrorFamily(
        "max_retries", "connection", "E_NETWORK", ("load_model", "upload"),
        rf"requests\.exceptions\.ConnectionError: HTTPSConnectionPool\(host='{_HOST_RE}', "
        r"port=443\): Max retries exceeded with url: /[\w./-]+\.safetensors \(Caused by "
        rf"NewConnectionError\('<urllib3\.connection\.HTTPSConnection object at 0x{_HEX}>: "
        r"Failed to establish a new connection: \[Errno 111\] Connection refused'\)\)",
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='assets-eu-1.northlight"
        ".internal', port=443): Max retries exceeded with url: /loras/l07/l07_v3.safetensors "
        "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at "
        "0x7f3a2c1b9e40>: Failed to establish a new connection: [Errno 111] Connection "
        "refused'))",
        _max_retries,
    ),
    ErrorFamily(
        "read_timeout", "timeout", "E_TIMEOUT", ("preprocess", "upload"),
        rf"requests\.exceptions\.ReadTimeout: HTTPSConnectionPool\(host='{_HOST_RE}', "
        rf"port=443\): Read timed out\. \(read timeout={_N}\)",
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='assets-us-3.kitefilms"
        ".internal', port=443): Read timed out. (read timeout=60)",
        _read_timeout,
    ),
    ErrorFamily(
        "step_timeout", "timeout", "E_TIMEOUT", ("generate", "upscale"),
        rf"TimeoutError: node {_N} \(\w+\) did not finish within {_N} s on gpu-node-\d\d",
        "TimeoutError: node 37 (KSamplerAdvanced) did not finish within 600 s on gpu-node-07",
        _step_timeout,
    ),
    ErrorFamily(
        "cuda_oom", "oom", "E_CUDA_OOM", ("load_model", "generate", "upscale"),
        r"torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate [\d.]+ GiB\. "
        r"GPU \d has a total capacity of 79\.15 GiB of which \d+ MiB is free\. Process \d+ has "
        r"[\d.]+ GiB memory in use\. Of the allocated memory [\d.]+ GiB is allocated by "
        r"PyTorch, and [\d.]+ MiB is reserved by PyTorch but unallocated\.",
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a "
        "total capacity of 79.15 GiB of which 812 MiB is free. Process 48211 has 78.20 GiB "
        "memory in use. Of the allocated memory 76.31 GiB is allocated by PyTorch, and "
        "1544.12 MiB is reserved by PyTorch but unallocated.",
        _cuda_oom,
    ),
    ErrorFamily(
        "file_not_found", "file_not_found", "E_IO",
        ("load_model", "preprocess", "upscale", "encode"),
        r"FileNotFoundError: \[Errno 2\] No such file or directory: '/[\w./-]+'",
        "FileNotFoundError: [Errno 2] No such file or directory: "
        "'/mnt/refs/aurora/c12/face_ref_03.png'",
        _file_not_found,
    ),
    ErrorFamily(
        "http_404", "http", "E_HTTP", ("load_model", "preprocess"),
        r"requests\.exceptions\.HTTPError: 404 Client Error: Not Found for url: "
        r"https://assets\.[a-z]+\.internal/refs/\w+/\w+_\d{3}\.(png|json|npz)",
        "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: "
        "https://assets.northlight.internal/refs/c12/pose_017.json",
        _http_404,
    ),
    ErrorFamily(
        "permission_denied", "permission", "E_IO", ("encode", "upload", "preprocess"),
        rf"PermissionError: \[Errno 13\] Permission denied: '/mnt/output/[a-z-]+/run-{_HEX}/"
        r"seg_\d{3}\.(mp4|webm|json)'",
        "PermissionError: [Errno 13] Permission denied: "
        "'/mnt/output/aurora/run-3f9a0c2d1e4b5a6c/seg_004.mp4'",
        _permission,
    ),
    ErrorFamily(
        "syntax_error", "syntax", "E_WORKFLOW_CODE", ("load_model",),
        r"SyntaxError: invalid syntax \(custom_nodes/[\w./-]+\.py, line \d+\)",
        "SyntaxError: invalid syntax (custom_nodes/studio_nodes/face_lock.py, line 412)",
        _syntax_error,
    ),
    ErrorFamily(
        "type_error_operand", "type", "E_WORKFLOW_CODE", ("preprocess", "generate"),
        r"TypeError: unsupported operand type\(s\) for [*+/-]: 'NoneType' and '\w+'",
        "TypeError: unsupported operand type(s) for *: 'NoneType' and 'float'",
        _type_error_operand,
    ),
    ErrorFamily(
        "type_error_kwarg", "type", "E_WORKFLOW_CODE", ("generate",),
        r"TypeError: \w+\.\w+\(\) got an unexpected keyword argument '\w+'",
        "TypeError: KSamplerAdvanced.sample() got an unexpected keyword argument 'noise_seed'",
        _type_error_kwarg,
    ),
    ErrorFamily(
        "type_error_tensor", "type", "E_WORKFLOW_CODE", ("generate",),
        r"TypeError: expected Tensor as element \d+ in argument 0, but got NoneType",
        "TypeError: expected Tensor as element 1 in argument 0, but got NoneType",
        _type_error_tensor,
    ),
    ErrorFamily(
        "nan_latent", "other", "E_GENERATE", ("generate",),
        r"NaN detected in latent at step \d+ of segment \d+",
        "NaN detected in latent at step 12 of segment 4",
        _nan_latent,
    ),
    ErrorFamily(
        "empty_batch", "other", "E_GENERATE", ("generate",),
        r"KSampler returned empty batch \(node \d+\)",
        "KSampler returned empty batch (node 37)",
        _empty_batch,
    ),
    ErrorFamily(
        "ffmpeg_exit", "other", "E_ENCODE", ("encode",),
        rf"ffmpeg exited with code \d+: \[libx264 @ 0x{_HEX}\] height not divisible by 2 "
        r"\(\d+x\d+\)",
        "ffmpeg exited with code 1: [libx264 @ 0x55d3c1a4b2c0] height not divisible by 2 "
        "(1920x1079)",
        _ffmpeg_exit,
    ),
    ErrorFamily(
        "checksum_mismatch", "other", "E_INTEGRITY", ("load_model",),
        rf"sha256 mismatch for m\d\d-[\d.]+\.safetensors: expected {_HEX}, got {_HEX}",
        "sha256 mismatch for m03-2.0.safetensors: expected 9f2c41ab07de, got 41ab9f2c07de",
        _checksum_mismatch,
    ),
    ErrorFamily(
        "heartbeat_lost", "other", "E_WORKER_LOST", ("generate", "upscale"),
        rf"worker gpu-node-\d\d heartbeat lost after \d+ s; lease {_HEX} expired",
        "worker gpu-node-11 heartbeat lost after 90 s; lease 5e0c2a17 expired",
        _heartbeat_lost,
    ),
)  # fmt: skip

FAMILY_INDEX: dict[str, int] = {family.id: i for i, family in enumerate(ERROR_FAMILIES)}

# Which family a failure in each phase has (before configuration-specific effects).
FAMILY_WEIGHTS_BY_PHASE: dict[str, dict[str, float]] = {
    "load_model": {
        "module_not_found": 0.16,
        "import_error": 0.10,
        "cuda_oom": 0.12,
        "file_not_found": 0.14,
        "max_retries": 0.12,
        "http_404": 0.06,
        "checksum_mismatch": 0.10,
        "syntax_error": 0.08,
        "connection_refused": 0.12,
    },
    "preprocess": {
        "file_not_found": 0.22,
        "http_404": 0.22,
        "type_error_operand": 0.15,
        "module_not_found": 0.11,
        "read_timeout": 0.12,
        "permission_denied": 0.06,
        "connection_reset": 0.12,
    },
    "generate": {
        "cuda_oom": 0.28,
        "nan_latent": 0.15,
        "empty_batch": 0.12,
        "type_error_kwarg": 0.09,
        "type_error_operand": 0.06,
        "type_error_tensor": 0.07,
        "step_timeout": 0.11,
        "heartbeat_lost": 0.12,
    },
    "upscale": {
        "cuda_oom": 0.40,
        "step_timeout": 0.25,
        "file_not_found": 0.15,
        "heartbeat_lost": 0.20,
    },
    "encode": {"ffmpeg_exit": 0.45, "permission_denied": 0.25, "file_not_found": 0.30},
    "upload": {
        "connection_reset": 0.20,
        "s3_connection_closed": 0.15,
        "max_retries": 0.20,
        "read_timeout": 0.20,
        "connection_refused": 0.13,
        "permission_denied": 0.12,
    },
}

# Transient errors that a retry fixed; they appear in phase_errors of jobs that went on.
TRANSIENT_FAMILIES_BY_PHASE: dict[str, tuple[str, ...]] = {
    "load_model": ("connection_refused", "max_retries"),
    "preprocess": ("read_timeout", "connection_reset"),
    "upload": ("connection_reset", "s3_connection_closed", "read_timeout"),
}
# Families a retry can plausibly fix (recovery_attempted is likelier for them).
RETRYABLE_CATEGORIES: frozenset[str] = frozenset({"connection", "timeout", "oom", "http"})


def family_matrix() -> np.ndarray:
    """Family probabilities per phase: rows PHASES, columns ERROR_FAMILIES."""
    matrix = np.zeros((len(PHASES), len(ERROR_FAMILIES)))
    for row, phase in enumerate(PHASES):
        for family, weight in FAMILY_WEIGHTS_BY_PHASE[phase].items():
            matrix[row, FAMILY_INDEX[family]] = weight
    return matrix / matrix.sum(axis=1, keepdims=True)


def build_messages(rng: np.random.Generator, family: np.ndarray, ctx: ErrorContext) -> pa.Array:
    """One message per job (null where `family` is -1); each builder runs once on its jobs."""
    messages = pa.nulls(len(ctx), pa.string())
    for index in np.unique(family[family >= 0]):
        rows = np.flatnonzero(family == index)
        sub = _subset(ctx, rows)
        built = ERROR_FAMILIES[index].build(rng, sub)
        messages = _scatter(messages, rows, built)
    return messages


def _subset(ctx: ErrorContext, rows: np.ndarray) -> ErrorContext:
    index = pa.array(rows)
    return ErrorContext(
        phase=ctx.phase[rows],
        run_hex=ctx.run_hex.take(index),
        model=ctx.model.take(index),
        model_version=ctx.model_version.take(index),
        lora=ctx.lora.take(index),
        character=ctx.character.take(index),
        project=ctx.project.take(index),
        tenant=ctx.tenant.take(index),
        worker=ctx.worker.take(index),
        position=ctx.position[rows],
    )


def _scatter(target: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """`target` with `values` placed at `rows` (Arrow has no in-place assignment)."""
    mask = np.zeros(len(target), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(target, pa.array(mask), values)

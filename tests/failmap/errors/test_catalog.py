"""The error catalog (dbt seed + macro) on pipeline errors as they are phrased in practice.

The catalog lives in dbt: `error_catalog_patterns.csv` and the macro `error_catalog_best_match`.
These tests run that very macro (rendered with Jinja, `ref()` pointing at a temporary copy of
the seed) in PostgreSQL, so what they check is what `dbt build` computes, message by message,
without building the marts (tests/dbt/test_error_catalog.py does that end to end).
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import jinja2
import psycopg
import pytest
from psycopg import sql

from tests.dbt.conftest import DBT_PROJECT

# (message, category): as Python, CUDA, ffmpeg, HTTP clients, object stores, shells and
# schedulers write them. Connection, timeout, import, out-of-memory and missing-resource
# phrasings must all be classified; `unknown` is for what no category describes.
CATALOG_CASES: tuple[tuple[str, str], ...] = (
    # connection_error
    ("Failed to connect to storage node sn-12 after 3 retries", "connection_error"),
    ("could not connect to render queue at 10.0.4.2:5672", "connection_error"),
    ("Unable to reach asset server assets.internal", "connection_error"),
    ("read tcp 10.0.3.14:51234->10.0.9.1:443: read: connection reset by peer",
     "connection_error"),
    ("dial tcp 10.0.3.14:9000: connect: no route to host", "connection_error"),
    ("OSError: [Errno 113] No route to host", "connection_error"),
    ("OSError: [Errno 101] Network is unreachable", "connection_error"),
    ("worker gpu-node-04 unreachable, rescheduling segment 7", "connection_error"),
    ("Host gpu-node-09 is unreachable", "connection_error"),
    ("curl: (7) Failed to connect to cdn.example.com port 443 after 2 ms: Couldn't connect to "
     "server", "connection_error"),
    ("curl: (6) Could not resolve host: assets.internal", "connection_error"),
    ("psycopg.OperationalError: connection failed: Connection refused", "connection_error"),
    ("redis.exceptions.ConnectionError: Error 111 connecting to 10.0.0.5:6379. Connection "
     "refused.", "connection_error"),
    ("botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: "
     "\"https://s3.eu-west-1.amazonaws.com/renders/seg_004.mp4\"", "connection_error"),
    ("[tcp @ 0x55d3c1a4b2c0] Connection to tcp://10.0.2.7:8554 failed: Connection refused",
     "connection_error"),
    ("BrokenPipeError: [Errno 32] Broken pipe", "connection_error"),
    ("http.client.RemoteDisconnected: Remote end closed connection without response",
     "connection_error"),
    ("socket.gaierror: [Errno -2] Name or service not known", "connection_error"),
    ("Traceback (most recent call last):\n  File \"/opt/worker/upload.py\", line 88, in put\n"
     "    sock.sendall(chunk)\nConnectionResetError: [Errno 104] Connection reset by peer",
     "connection_error"),
    # timeout_error
    ("Timeout after 30s waiting for worker gpu-3.render.internal:7000", "timeout_error"),
    ("upload of seg_004.mp4 timed out after 300 s", "timeout_error"),
    ("timeout: failed, no Total wall time in the output, timeout (180s expired)",
     "timeout_error"),
    ("subprocess.TimeoutExpired: Command '['ffmpeg', '-i', 'in.mp4']' timed out after 600 "
     "seconds", "timeout_error"),
    ("grpc._channel._InactiveRpcError: StatusCode.DEADLINE_EXCEEDED: Deadline Exceeded",
     "timeout_error"),
    ("requests.exceptions.HTTPError: 504 Server Error: Gateway Time-out for url: "
     "https://api.example.com/v1/upscale", "timeout_error"),
    ("job 4412 exceeded its time limit (DUE TO TIME LIMIT)", "timeout_error"),
    ("slurmstepd: error: *** JOB 4412 ON gpu-node-02 CANCELLED AT 2025-06-01T12:00:03 DUE TO "
     "TIME LIMIT ***", "timeout_error"),
    ("asyncio.exceptions.CancelledError after watchdog timeout", "timeout_error"),
    ("Connection to huggingface.co:443 timed out. (connect timeout=10)", "timeout_error"),
    ("NCCL watchdog thread terminated with exception: [Rank 3] Watchdog caught collective "
     "operation timeout: WorkNCCL(SeqNum=42, OpType=ALLREDUCE) ran for 600012 milliseconds "
     "before timing out.", "timeout_error"),
    # import_error
    ("ModuleNotFoundError: No module named 'insightface'", "import_error"),
    ("Traceback (most recent call last):\n  File \"/opt/ComfyUI/nodes.py\", line 1879, in "
     "load_custom_node\n    module_spec.loader.exec_module(module)\nImportError: cannot import "
     "name 'IPAdapterApply' from 'nodes'", "import_error"),
    ("OSError: libcudnn_cnn_infer.so.8: cannot open shared object file: No such file or "
     "directory", "import_error"),
    ("Could not load library libcudnn_ops_infer.so.8. Error: libcudnn_ops_infer.so.8: cannot "
     "open shared object file", "import_error"),
    ("Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0",
     "import_error"),
    ("error: failed, package not installed, ERROR: Unrecognized kspace style 'scafacos' is "
     "part of the SCAFACOS package which is not enabled in this LAMMPS binary.",
     "import_error"),
    # out_of_memory
    ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a "
     "total capacity of 79.15 GiB of which 812.00 MiB is free.", "out_of_memory"),
    ("RuntimeError: CUDA error: out of memory\nCUDA kernel errors might be asynchronously "
     "reported at some other API call", "out_of_memory"),
    ("torch.cuda.OutOfMemoryError: HIP out of memory. Tried to allocate 1.00 GiB",
     "out_of_memory"),
    ("RuntimeError: MPS backend out of memory (MPS allocated: 17.00 GB)", "out_of_memory"),
    ("terminate called after throwing an instance of 'std::bad_alloc'", "out_of_memory"),
    ("Container killed: OOMKilled (exit code 137)", "out_of_memory"),
    ("Memory cgroup out of memory: Killed process 4411 (python3)", "out_of_memory"),
    ("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 12.0 GiB for an array with "
     "shape (3, 1024, 1024, 1024)", "out_of_memory"),
    ("[libx264 @ 0x55d3c1a4b2c0] malloc of size 12441600 failed\nCannot allocate memory",
     "out_of_memory"),
    ("tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating "
     "tensor with shape[8,512,512]", "out_of_memory"),
    # missing_resource
    ("FileNotFoundError: [Errno 2] No such file or directory: '/mnt/refs/c12/face_03.png'",
     "missing_resource"),
    ("/mnt/renders/job_7/seg_4.mp4: No such file or directory", "missing_resource"),
    ("error: failed, no Total wall time in the output, /bin/sh: line 1: mpirun: command not "
     "found", "missing_resource"),
    ("botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the "
     "GetObject operation: The specified key does not exist.", "missing_resource"),
    ("google.api_core.exceptions.NotFound: 404 GET https://storage.googleapis.com/renders/x: "
     "No such object: renders/x", "missing_resource"),
    ("urllib.error.HTTPError: HTTP Error 404: Not Found", "missing_resource"),
    ("checkpoint m03-2.0.safetensors not found in /models", "missing_resource"),
    ("Could not find LoRA 'aurora_v2' in /models/loras", "missing_resource"),
    ("ValueError: reference image for character c12 is missing", "missing_resource"),
    # other categories
    ("PermissionError: [Errno 13] Permission denied: '/mnt/output/seg_004.mp4'",
     "permission_error"),
    ("botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the "
     "PutObject operation: The provided token has expired.", "permission_error"),
    ("botocore.exceptions.NoCredentialsError: Unable to locate credentials",
     "permission_error"),
    ("google.api_core.exceptions.Forbidden: 403 POST https://storage.googleapis.com/upload",
     "permission_error"),
    ("OSError: [Errno 28] No space left on device: '/scratch/frames/000412.png'", "disk_full"),
    ("botocore.exceptions.ClientError: An error occurred (SlowDown) when calling the PutObject "
     "operation (reached max retries: 4): Please reduce your request rate.", "rate_limited"),
    ("requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: "
     "https://api.example.com/v1/jobs/42", "server_error"),
    ("requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: "
     "https://assets.internal/refs/a.png", "server_error"),
    ("botocore.exceptions.ClientError: An error occurred (InternalError) when calling the "
     "UploadPart operation: We encountered an internal error. Please try again.",
     "server_error"),
    ("upstream returned 502 Bad Gateway", "server_error"),
    ("SyntaxError: invalid syntax (face_lock.py, line 412)", "syntax_error"),
    ("TypeError: 'NoneType' object is not subscriptable", "type_error"),
    # No category describes these: grouped by signature instead.
    ("NaN detected in latent at step 12 of segment 4", "unknown"),
    ("KSampler returned empty batch (node 37)", "unknown"),
    ("ffmpeg exited with code 1: [libx264 @ 0x55d3c1a4b2c0] height not divisible by 2 "
     "(1920x1079)", "unknown"),
    ("[h264 @ 0x55d3c1a4b2c0] Invalid data found when processing input", "unknown"),
    ("sha256 mismatch for m03-2.0.safetensors: expected 9f2c41ab07de, got 41ab9f2c07de",
     "unknown"),
    ("worker gpu-node-11 heartbeat lost after 90 s; lease 5e0c2a17 expired", "unknown"),
    ("Traceback (most recent call last):\n  File \"/opt/worker/sched.py\", line 12, in step\n"
     "    state = latents[key]\nKeyError: 'latents_4'", "unknown"),
    ("failed: completed, 3 abs diff and 3 rel diff checks failed", "unknown"),
    ("RuntimeError: CUDA error: device-side assert triggered", "unknown"),
)  # fmt: skip
CATEGORIES_THAT_MUST_BE_CLASSIFIED = (
    "connection_error",
    "timeout_error",
    "import_error",
    "out_of_memory",
    "missing_resource",
)
LAMMPS_SCORES = Path("shared", "datasets", "lammps", "quality_scores_lammps.csv.gz")
REPO_ROOT = Path(__file__).resolve().parents[3]


def best_match_sql() -> str:
    """The macro `error_catalog_best_match` over a table `messages`, as dbt renders it."""
    macro = (DBT_PROJECT / "macros" / "error_catalog_best_match.sql").read_text()
    environment = jinja2.Environment(autoescape=False)  # SQL, not HTML
    module = environment.from_string(macro, globals={"ref": lambda name: name}).module
    return str(module.error_catalog_best_match("messages", "message"))  # type: ignore[attr-defined]


def classify(conn: psycopg.Connection, messages: list[str]) -> dict[str, str]:
    """Category of each message: the catalog seed, matched by the dbt macro in PostgreSQL."""
    conn.execute(
        "create temporary table error_catalog_patterns (pattern_id text, category text, "
        "priority integer, confidence numeric(3, 2), pattern text, example text)"
    )
    conn.execute("create temporary table messages (message text)")
    seed = DBT_PROJECT / "seeds" / "error_catalog_patterns.csv"
    with seed.open(newline="") as file:
        rows = [tuple(row.values()) for row in csv.DictReader(file)]
    with conn.cursor() as cursor:
        cursor.executemany("insert into error_catalog_patterns values (%s, %s, %s, %s, %s, %s)",
                           rows)  # fmt: skip
        cursor.executemany("insert into messages values (%s)", [(m,) for m in set(messages)])
    # The macro is the repository's SQL, composed as such (no value goes into it).
    query = sql.SQL("select message, coalesce(category, 'unknown') from ({}) as matched")
    return dict(conn.execute(query.format(sql.SQL(best_match_sql()))).fetchall())  # type: ignore[arg-type]


@pytest.fixture
def classified(conn: psycopg.Connection) -> dict[str, str]:
    return classify(conn, [message for message, _ in CATALOG_CASES])


def test_the_cases_cover_every_category_that_must_be_classified() -> None:
    covered = {category for _, category in CATALOG_CASES}
    assert set(CATEGORIES_THAT_MUST_BE_CLASSIFIED) <= covered
    catalog = (DBT_PROJECT / "seeds" / "error_catalog.csv").read_text().splitlines()[1:]
    assert covered <= {line.split(",", 1)[0] for line in catalog}


def test_each_message_gets_its_category(classified: dict[str, str]) -> None:
    wrong = [
        f"{classified[message]!r} instead of {category!r}: {message!r}"
        for message, category in CATALOG_CASES
        if classified[message] != category
    ]
    assert not wrong, "\n".join(wrong)


def test_lammps_failure_reasons_about_time_outs_and_missing_programs_are_classified(
    conn: psycopg.Connection,
) -> None:
    # Real failure reasons of LAMMPS's test runs (see docs/error-grouping.md).
    found = [parent / LAMMPS_SCORES for parent in REPO_ROOT.parents[:2]]
    path = next((candidate for candidate in found if candidate.is_file()), None)
    if path is None:
        pytest.skip(f"LAMMPS test results not found (looked in {', '.join(map(str, found))})")
    with gzip.open(path, "rt", newline="") as file:
        reasons = {row["failure_reason"] for row in csv.DictReader(file)} - {""}
    categories = classify(conn, sorted(reasons))
    for reason, category in categories.items():
        if reason.startswith("timeout:"):
            assert category == "timeout_error", reason
        elif "command not found" in reason or "No such file or directory" in reason:
            assert category == "missing_resource", reason
        elif " diff checks failed" in reason:
            assert category == "unknown", reason  # a numeric difference: no category fits

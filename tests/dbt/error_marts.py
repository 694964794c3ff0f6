"""Databases with the error marts built, shared by the error analytics tests.

Building means: runs files loaded with failmap.ingest, raw.error_message_signatures refreshed,
then `dbt build --select @run_errors` in-process (every error model, their parents and their
tests; own target path). Each database is built once per test session (memoized by name).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from failmap import database
from failmap.errors.store import refresh_message_signatures
from failmap.ingest import load_files
from tests.dbt.conftest import new_database, run_dbt

# Demo data with a fixed start, so every count and planted effect is reproducible.
DEMO_START = dt.date(2026, 9, 1)
DEMO_DAYS = 60
DEMO_END = DEMO_START + dt.timedelta(days=DEMO_DAYS - 1)

_built: dict[str, str] = {}


def dbt_build(url: str, target_path: Path, select: str = "@run_errors") -> None:
    """`dbt build --select <select>` against `url`; fails with dbt's failures when any fails.
    Only the data tests whose parents it builds run (cautious indirect selection): the ledger
    (stg_raw__ingested_files) is a parent of the per-day run counts, and its relationship test
    from the quarantine view would otherwise run without that view."""
    run_dbt(url, ["build", "--select", select, "--indirect-selection", "cautious"], target_path)


def load_and_build(url: str, files: list[Path], target_path: Path) -> None:
    """Load landing files, refresh the signatures, build the error marts."""
    with database.connect(url) as conn:
        outcomes = load_files(conn, files)
        assert all(o.status == "loaded" for o in outcomes), [o.summary() for o in outcomes]
        refresh_message_signatures(conn)
    dbt_build(url, target_path)


def built_database(
    key: str, server_url: str, folder: Path, write: Callable[[Path], list[Path]]
) -> str:
    """The database named `key`, built once per session from the files `write(folder)` makes."""
    if key not in _built:
        url = new_database(server_url)
        load_and_build(url, write(folder), folder / "dbt_target")
        _built[key] = url
    return _built[key]


def write_demo_runs(inbox: Path) -> list[Path]:
    """The demo's runs files (60 days from DEMO_START, seed 1); quality scores are not needed."""
    from failmap.demo import write_demo_data

    summary = write_demo_data(inbox, days=DEMO_DAYS, segments_per_day=1000, seed=1,
                              start=DEMO_START)  # fmt: skip
    return [path for path in summary.files if path.name.startswith("runs")]


def demo_marts(server_url: str, folder: Path) -> str:
    """The database with the demo runs and every error mart built."""
    return built_database("demo", server_url, folder, write_demo_runs)


# One realistic message per line: (message, category the catalog must give it). None of them is
# an example of error_catalog_patterns.csv, so they test the patterns, not their examples.
CRAFTED_MESSAGES: tuple[tuple[str, str], ...] = (
    ("ModuleNotFoundError: No module named 'torchvision.transforms.functional_tensor'",
     "import_error"),
    # "No such file or directory" is also a missing_resource phrase: the import pattern wins.
    ("ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
     "import_error"),
    ("redis.exceptions.ConnectionError: Error 111 connecting to 10.0.0.5:6379. Connection "
     "refused.", "connection_error"),
    ("urllib3.exceptions.ProtocolError: ('Connection aborted.', RemoteDisconnected('Remote end "
     "closed connection without response'))", "connection_error"),
    ("Failed to connect to storage node sn-12 after 3 retries", "connection_error"),
    ("dial tcp 10.0.3.14:9000: connect: no route to host", "connection_error"),
    ("asyncio.exceptions.TimeoutError", "timeout_error"),
    ("Timeout after 30s waiting for worker gpu-3.render.internal:7000", "timeout_error"),
    ("httpx.ReadTimeout: The read operation timed out", "timeout_error"),
    ("IndentationError: unexpected indent (nodes.py, line 12)", "syntax_error"),
    ("TypeError: 'NoneType' object is not subscriptable", "type_error"),
    ("forward() takes 2 positional arguments but 3 were given", "type_error"),
    ("RuntimeError: CUDA error: out of memory", "out_of_memory"),
    ("worker process was OOM-killed by the kernel", "out_of_memory"),
    ("botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject "
     "operation: The specified key does not exist.", "missing_resource"),
    ("urllib.error.HTTPError: HTTP Error 404: Not Found", "missing_resource"),
    ("LoRA l21 not found in registry", "missing_resource"),
    ("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
     "PutObject operation: Access Denied", "permission_error"),
    ("OSError: [Errno 1] Operation not permitted: '/mnt/output'", "permission_error"),
    ("OSError: [Errno 28] No space left on device", "disk_full"),
    ("requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: "
     "https://api.example.com/v1/jobs/42", "server_error"),
    ("requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: "
     "https://api.example.com/v1/upscale", "rate_limited"),
    # Matching no pattern: unknown, grouped by signature.
    ("NaN detected in latent at step 4 of segment 2", "unknown"),
    ("VAE decode produced an all-black frame", "unknown"),
    ("Segment 3 rejected by the safety filter", "unknown"),
    ("", "unknown"),
)  # fmt: skip
CRAFTED_PHASE = "generate"
CRAFTED_SUCCEEDED_RUNS = 10
CRAFTED_DAY = dt.date(2026, 3, 2)


def write_crafted_runs(inbox: Path) -> list[Path]:
    """One failed run per crafted message (in phase `generate`), and a few succeeded runs."""
    from tests.failmap.ingest.conftest import run_row, write_csv

    started = f"{CRAFTED_DAY}T10:00:00+00:00"
    rows = [
        run_row(
            index,
            started_at=started,
            failure_reason=message,
            phase_errors=json.dumps({CRAFTED_PHASE: message}),
            recovery_attempted="false",
            recovery_succeeded="",
        )
        for index, (message, _) in enumerate(CRAFTED_MESSAGES)
    ]
    rows += [
        run_row(
            1000 + index,
            started_at=started,
            status="succeeded",
            error_code="",
            failure_reason="",
            phase_errors="",
            recovery_attempted="",
            recovery_succeeded="",
            step_index="",
        )
        for index in range(CRAFTED_SUCCEEDED_RUNS)
    ]
    return [write_csv(inbox / "runs_crafted.csv", rows)]


def crafted_marts(server_url: str, folder: Path) -> str:
    """The database with the crafted runs and every error mart built."""
    return built_database("crafted", server_url, folder, write_crafted_runs)


def empty_marts(server_url: str, folder: Path) -> str:
    """A database with no runs at all, and every error mart built (empty)."""
    return built_database("empty", server_url, folder, lambda _: [])

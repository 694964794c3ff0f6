"""The committed GX file context is the rendering of the suites, holds no secret, and running a
suite writes only under `uncommitted/` (results and Data Docs), pruned to the newest ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from failmap.quality.context import CONTEXT_ROOT, gx_connection_string, suite_names
from failmap.quality.scaffold import rendered_files
from failmap.quality.suites import SUITES
from failmap.quality.validation import (
    pending_pages,
    prune_results,
    run_suite,
    update_data_docs,
)
from tests.failmap.quality.conftest import execute

REPO_ROOT = CONTEXT_ROOT.parent


def _committed_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and "uncommitted" not in path.relative_to(root).parts
    }


def test_the_committed_context_is_the_rendering_of_the_suites() -> None:
    rendered = rendered_files()

    stale = [
        relative
        for relative, content in rendered.items()
        if not (CONTEXT_ROOT / relative).exists()
        or (CONTEXT_ROOT / relative).read_text(encoding="utf-8") != content
    ]
    assert stale == [], "run `uv run python -m failmap.quality.scaffold` and commit"
    assert set(_committed_files(CONTEXT_ROOT)) == set(rendered)
    assert suite_names() == sorted(suite.name for suite in SUITES)


def test_no_connection_string_is_committed() -> None:
    config = (CONTEXT_ROOT / "great_expectations.yml").read_text(encoding="utf-8")

    assert "connection_string: ${FAILMAP_GX_CONNECTION_STRING}" in config
    assert "analytics_enabled: false" in config
    for relative in _committed_files(CONTEXT_ROOT):
        text = (CONTEXT_ROOT / relative).read_text(encoding="utf-8")
        assert "postgresql://" not in text and "postgresql+" not in text, relative
    assert "expectations/uncommitted/" in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres:@/failmap?host=/tmp/pg",
            "postgresql+psycopg://postgres@localhost/failmap?host=/tmp/pg",
        ),
        (
            "postgresql://app:s3cret@db.internal:5433/failmap?sslmode=require",
            "postgresql+psycopg://app:s3cret@db.internal:5433/failmap?sslmode=require",
        ),
        (
            "postgresql:///failmap?host=/tmp/pg",
            "postgresql+psycopg://localhost/failmap?host=/tmp/pg",
        ),
    ],
)
def test_socket_urls_get_a_placeholder_host_gx_accepts(url: str, expected: str) -> None:
    assert gx_connection_string(url) == expected


def test_running_a_suite_writes_only_under_uncommitted(
    good_database_url: str, gx_root: Path
) -> None:
    before = _committed_files(gx_root)

    outcome = run_suite(good_database_url, "raw.runs", root=gx_root)
    update_data_docs(good_database_url, root=gx_root)

    assert outcome.passed
    assert _committed_files(gx_root) == before
    assert outcome.data_docs is not None and outcome.data_docs.is_file()
    assert outcome.data_docs.is_relative_to(gx_root / "uncommitted")
    assert "raw.runs" in outcome.data_docs.read_text(encoding="utf-8")


def _latest_result(root: Path, suite_name: str) -> tuple[str, ...]:
    schema, _, table = suite_name.partition(".")
    results = root / "uncommitted" / "validations"
    newest = max((results / schema / table).glob("*/*/*.json"), key=lambda path: path.parent.name)
    return newest.relative_to(results).with_suffix("").parts


def _index_links(root: Path, key: tuple[str, ...]) -> bool:
    index = root / "uncommitted/data_docs/local_site/index.html"
    return "validations/" + "/".join(key) + ".html" in index.read_text(encoding="utf-8")


def test_a_passing_suite_leaves_its_page_to_the_one_docs_update_of_the_run(
    good_database_url: str, gx_root: Path
) -> None:
    for suite_name in ("raw.runs", "marts.change_events"):
        assert run_suite(good_database_url, suite_name, root=gx_root).passed
    latest = [_latest_result(gx_root, name) for name in ("raw.runs", "marts.change_events")]
    assert set(latest) <= set(pending_pages(gx_root))

    update = update_data_docs(good_database_url, root=gx_root)

    assert update.validation_pages >= 2
    assert pending_pages(gx_root) == []
    assert all(_index_links(gx_root, key) for key in latest)
    # Nothing new: nothing rendered (and GX not asked).
    assert update_data_docs(good_database_url, root=gx_root).validation_pages == 0


def test_a_critical_failure_renders_its_page_at_once(good_database_url: str, gx_root: Path) -> None:
    # A critical raw failure stops the run before its Data Docs update: the page cannot wait.
    execute(good_database_url, "update marts.change_events set rate_before = 2")

    outcome = run_suite(good_database_url, "marts.change_events", root=gx_root)

    assert outcome.critical
    latest = _latest_result(gx_root, "marts.change_events")
    assert latest not in pending_pages(gx_root)
    assert _index_links(gx_root, latest)


def test_a_warning_leaves_its_page_to_the_one_docs_update_of_the_run(
    good_database_url: str, gx_root: Path
) -> None:
    execute(
        good_database_url,
        "update marts.run_errors set is_recovery_attempted = false, is_recovery_succeeded = true",
    )

    outcome = run_suite(good_database_url, "marts.run_errors", root=gx_root)

    assert [failure.rule for failure in outcome.failures] == ["recovery_needs_attempt"]
    assert not outcome.critical
    latest = _latest_result(gx_root, "marts.run_errors")
    assert latest in pending_pages(gx_root)
    update_data_docs(good_database_url, root=gx_root)
    assert _index_links(gx_root, latest)


def test_only_the_newest_results_are_kept(tmp_path: Path) -> None:
    for base in ("uncommitted/validations", "uncommitted/data_docs/local_site/validations"):
        for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
            (tmp_path / base / "raw" / "runs" / "__none__" / stamp).mkdir(parents=True)

    removed = prune_results(tmp_path, "raw.runs", keep=2)

    assert removed == 2
    kept = sorted(
        p.name for p in (tmp_path / "uncommitted/validations/raw/runs/__none__").iterdir()
    )
    assert kept == ["20260102T000000Z", "20260103T000000Z"]

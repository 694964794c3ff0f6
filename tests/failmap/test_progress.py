"""`failmap refresh` shows a short progress display; the full log goes to a file it names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from failmap.progress import output_to_file
from tests.conftest import subprocess_env
from tests.failmap.ingest.conftest import score_row, write_csv

# A screenful: the progress line, the summary and the log's path (before: ~50 lines for two
# files with one expected failure, ~790 for the demo data).
MAX_LINES = 15


def test_output_of_child_processes_goes_to_the_file_and_not_the_terminal(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "refresh.log"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import subprocess, sys\n"
            "from pathlib import Path\n"
            "from failmap.progress import output_to_file\n"
            f"with output_to_file(Path({str(log)!r})) as terminal:\n"
            "    print('python noise')\n"
            "    subprocess.run(['sh', '-c', 'echo child noise; echo child error >&2'])\n"
            "    terminal.write('for the person\\n')\n"
            "print('after')\n",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "for the person\nafter\n"
    assert result.stderr == ""
    assert log.read_text().splitlines() == ["python noise", "child noise", "child error"]


def test_output_to_file_restores_the_terminal_after_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), output_to_file(tmp_path / "x.log"):
        raise RuntimeError("boom")
    assert (tmp_path / "x.log").exists()


@pytest.mark.slow
def test_refresh_prints_a_short_summary_and_ends_with_the_log_path(
    failmap_env: dict[str, str], tmp_path: Path
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(40)])
    # An expected problem: every row of this file is unparseable, so it is quarantined and the
    # quarantine-share check complains (its details in the log only).
    write_csv(inbox / "quality_scores_bad.csv", [score_row(i, score="x") for i in range(3)])

    result = subprocess.run(
        ["failmap", "refresh"],
        env=subprocess_env(failmap_env),
        capture_output=True,
        text=True,
        timeout=600,
    )

    output = (result.stdout + result.stderr).strip()
    lines = output.splitlines()
    assert len(lines) <= MAX_LINES, output
    assert "Traceback" not in output and "Stack Trace" not in output, output
    assert " - dagster - " not in output, output
    assert "rows: 40 loaded, 3 quarantined" in output
    # The progress line and the summary count the checks alike.
    progress = next(line for line in lines if "assets" in line and "checks" in line)
    summary = next(line for line in lines if line.strip().startswith("checks:"))
    passed = re.search(r"(\d+) passed", summary)
    assert passed and f"checks {passed.group(1)} passed" in progress, (progress, summary)
    log = Path(lines[-1].rsplit(": ", 1)[1])
    assert log.parent == Path(failmap_env["FAILMAP_HOME"]) / "logs"
    text = log.read_text()
    assert "40 rows loaded" in text
    assert " - dagster - " in text  # the full Dagster log is there instead

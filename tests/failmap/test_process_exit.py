"""`failmap` ends without the interpreter's teardown, but loses nothing a normal exit keeps.

Each case runs a real Python process (the quick exit ends the process it runs in): its exit
code, what it printed (buffered, to a pipe), what its atexit handler and a non-daemon thread
still running at the end wrote.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROGRAM = """
import atexit, sys, threading, time
from pathlib import Path
from failmap.process_exit import run_and_exit

out = Path(sys.argv[1])

def late_thread():
    time.sleep(0.3)
    (out / "thread").write_text("finished")

def command():
    atexit.register(lambda: (out / "atexit").write_text("ran"))
    threading.Thread(target=late_thread).start()
    sys.stdout.write("no newline, still buffered")
    {ending}

run_and_exit(command)
"""


def run(ending: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    program = textwrap.dedent(PROGRAM).replace("{ending}", ending)
    return subprocess.run(
        [sys.executable, "-c", program, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("ending", "code", "stderr"),
    [
        ("return None", 0, ""),
        ("sys.exit(0)", 0, ""),
        ("sys.exit(3)", 3, ""),
        ("sys.exit('refresh failed: no database')", 1, "refresh failed: no database\n"),
    ],
)
def test_the_exit_code_and_everything_written_survive(
    ending: str, code: int, stderr: str, tmp_path: Path
) -> None:
    done = run(ending, tmp_path)
    assert (done.returncode, done.stderr) == (code, stderr)
    assert done.stdout == "no newline, still buffered"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "finished"


def test_an_exception_still_ends_with_its_traceback(tmp_path: Path) -> None:
    done = run("raise RuntimeError('boom')", tmp_path)
    assert done.returncode == 1
    assert "RuntimeError: boom" in done.stderr

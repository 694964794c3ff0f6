"""`failmap errors group`: messages on stdin, one signature id per line on stdout, in order."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from failmap.cli import main
from failmap.demo import PLANTED
from failmap.errors import EMPTY_SIGNATURE, group_messages
from tests.conftest import subprocess_env

MESSAGES = [
    "NaN detected in latent at step 3 of segment 2",
    "KSampler returned empty batch (node 37)",
    "",
    "NaN detected in latent at step 12 of segment 4",
    *[family.example for family in PLANTED.error_families],
]


def test_failmap_errors_group_prints_one_id_per_input_line_in_order() -> None:
    result = subprocess.run(
        ["failmap", "errors", "group"],
        input="\n".join(MESSAGES) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=subprocess_env({}),
    )

    assert result.returncode == 0, result.stderr
    ids = result.stdout.splitlines()
    assert ids == [s.signature_id for s in group_messages(MESSAGES)]
    assert ids[0] == ids[3] != ids[1]
    assert ids[2] == EMPTY_SIGNATURE.signature_id


def test_templates_option_adds_the_template_after_a_tab() -> None:
    result = CliRunner().invoke(main, ["errors", "group", "--templates"], input=MESSAGES[0])

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{group_messages(MESSAGES[:1])[0].signature_id}\t"
        "NaN detected in latent at step <NUM> of segment <NUM>\n"
    )


def test_empty_input_prints_nothing_and_undecodable_bytes_do_not_stop_it() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["errors", "group"], input="").output == ""
    result = runner.invoke(main, ["errors", "group"], input=b"caf\xe9 failed at step 3\n")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1
